// Fuzz target mysql_packets: PacketFramer (cdc/mysql/protocol/packet_framer.h) over bytes a
// server sends a plain-text binlog dump. The first byte sets how many bytes each simulated
// recv() delivers (1..256); the rest is the stream. Whatever the split, the payloads are the
// same, each lies inside what was received, and an error is a malformed stream, never a crash.
#include <algorithm>
#include <string>
#include <vector>

#include "cdc/mysql/protocol/packet_framer.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;

namespace {

// The payloads framed from `stream` fed `step` bytes at a time, and whether it ended in an error.
std::vector<std::vector<std::byte>> frame(std::span<const std::byte> stream, size_t step,
                                          bool& failed) {
  PacketFramer f;
  std::vector<std::vector<std::byte>> out;
  failed = false;
  while (!stream.empty() && !failed) {
    auto space = f.space();
    FUZZ_CHECK(!space.empty(), "PacketFramer::space() offered no room");
    const size_t n = std::min({step, space.size(), stream.size()});
    std::copy_n(stream.begin(), n, space.begin());
    f.wrote(n);
    stream = stream.subspan(n);
    while (true) {
      auto p = f.next();
      if (!p) {
        FUZZ_CHECK(p.error().code == Errc::malformed, "PacketFramer: unexpected error code");
        failed = true;
        break;
      }
      if (!*p) break;
      out.emplace_back((*p)->begin(), (*p)->end());
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = size_t{data[0]} + 1;
  const std::span<const std::byte> stream(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  bool failed_split = false, failed_whole = false;
  const auto split = frame(stream, step, failed_split);
  const auto whole = frame(stream, stream.size() + 1, failed_whole);
  FUZZ_CHECK(failed_split == failed_whole, "a split changed whether the stream is refused");
  FUZZ_CHECK(split == whole, "a split changed the payloads");
  size_t total = 0;
  for (const auto& p : whole) total += p.size() + 4;
  FUZZ_CHECK(total <= stream.size(), "payloads longer than the stream");
  return 0;
}
