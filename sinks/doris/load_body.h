// LoadBody: the JSON lines of one table's next Stream Load, held in fixed-size blocks and sent
// block by block with chunked transfer encoding (doris_client.h). Growing it never copies what
// it holds: a std::string body doubles its capacity and copies itself as it grows, so a batch
// of N bytes briefly took N + 2N (tools/bench/RESULTS.md, "Doris load memory"). The blocks are
// kept until the load is answered: a redirect or a retry sends them again. Not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace cdc::sinks::doris {

class LoadBody {
 public:
  // 1 MiB: large enough that the block list stays short, small enough that the last block's
  // unused space is negligible beside a batch.
  static constexpr size_t kBlockSize = size_t{1} << 20;

  void append(std::string_view bytes);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Frees every block: an idle table holds no memory.
  void clear();
  // Copies up to `n` bytes starting at byte `at` into `out`; returns how many (0 at the end).
  size_t read(size_t at, char* out, size_t n) const;

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;  // each kBlockSize; the last one partly used
  size_t size_ = 0;
};

}  // namespace cdc::sinks::doris
