// TransactionSpool: the messages of one streamed transaction (pgoutput protocol 2), kept in a
// file until its Stream Commit, so that memory stays bounded whatever the transaction's size.
// A subtransaction's abort cuts the file back to where that subtransaction began, as
// PostgreSQL's own apply worker does (src/backend/replication/logical/worker.c,
// subxact_info_add / stream_abort): changes after a subtransaction's first change belong to it
// or to its children, which abort with it. Owned and used by one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/core/result.h"

namespace cdc::postgres {

class TransactionSpool {
 public:
  // Creates (truncates) `path`.
  static Result<TransactionSpool> create(std::string path, uint32_t xid);
  TransactionSpool(TransactionSpool&&) noexcept = default;
  TransactionSpool& operator=(TransactionSpool&&) noexcept = default;
  ~TransactionSpool();  // removes the file

  // Appends one message, sent for (sub)transaction `xid` at `at`.
  Status append(uint32_t xid, Lsn at, std::string_view message);
  // Drops the messages of `subxid` and of everything spooled after its first message.
  Status abort_subtransaction(uint32_t subxid);
  // Ends writing; the messages can then be read back in order with next().
  Status finish_writing();
  // The next message, or false at the end. `out` receives the bytes.
  Result<bool> next(Lsn& at, std::string& out);

  uint32_t xid() const { return xid_; }
  uint64_t messages() const { return count_; }
  uint64_t bytes() const { return end_; }

 private:
  TransactionSpool(std::string path, uint32_t xid, FILE* f)
      : path_(std::move(path)), xid_(xid), file_(f) {}
  struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
  };
  std::string path_;
  uint32_t xid_ = 0;
  std::unique_ptr<FILE, FileCloser> file_;
  uint64_t end_ = 0;    // bytes written
  uint64_t count_ = 0;  // messages written
  // Each subtransaction's first message: (subxid, file offset, message count before it).
  std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> subxacts_;
  bool reading_ = false;
};

}  // namespace cdc::postgres
