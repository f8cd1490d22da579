#include "cdc/postgres/stream/transaction_spool.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cdc/core/byte_reader.h"

namespace cdc::postgres {

namespace {

constexpr size_t kHeader = 12;              // u32 length, u64 LSN (little-endian)
constexpr uint32_t kMaxMessage = 1u << 30;  // PostgreSQL's MaxAllocSize bounds one message

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Errc::io, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<TransactionSpool> TransactionSpool::create(std::string path, uint32_t xid) {
  FILE* f = std::fopen(path.c_str(), "w+b");
  if (f == nullptr) return io_error("creating the spool file", path);
  return TransactionSpool(std::move(path), xid, f);
}

TransactionSpool::~TransactionSpool() {
  if (file_) {
    file_.reset();
    ::unlink(path_.c_str());
  }
}

Status TransactionSpool::append(uint32_t xid, Lsn at, std::string_view message) {
  if (reading_) return make_error(Errc::internal, "append to a spool being read");
  if (xid != xid_ && std::none_of(subxacts_.begin(), subxacts_.end(),
                                  [&](const auto& s) { return std::get<0>(s) == xid; })) {
    subxacts_.emplace_back(xid, end_, count_);
  }
  char header[kHeader];
  const auto len = static_cast<uint32_t>(message.size());
  const auto lsn = static_cast<uint64_t>(at);
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  for (int i = 0; i < 8; ++i) header[4 + i] = static_cast<char>((lsn >> (8 * i)) & 0xff);
  if (std::fwrite(header, 1, kHeader, file_.get()) != kHeader ||
      std::fwrite(message.data(), 1, message.size(), file_.get()) != message.size()) {
    return io_error("writing the spool file", path_);
  }
  end_ += kHeader + message.size();
  ++count_;
  return {};
}

Status TransactionSpool::abort_subtransaction(uint32_t subxid) {
  auto it = std::find_if(subxacts_.begin(), subxacts_.end(),
                         [&](const auto& s) { return std::get<0>(s) == subxid; });
  if (it == subxacts_.end()) return {};  // nothing of it was spooled
  end_ = std::get<1>(*it);
  count_ = std::get<2>(*it);
  subxacts_.erase(it, subxacts_.end());
  if (std::fflush(file_.get()) != 0 ||
      ::ftruncate(fileno(file_.get()), static_cast<off_t>(end_)) != 0 ||
      std::fseek(file_.get(), static_cast<long>(end_), SEEK_SET) != 0) {
    return io_error("cutting the spool file", path_);
  }
  return {};
}

Status TransactionSpool::finish_writing() {
  if (std::fflush(file_.get()) != 0 || std::fseek(file_.get(), 0, SEEK_SET) != 0) {
    return io_error("rewinding the spool file", path_);
  }
  reading_ = true;
  return {};
}

Result<bool> TransactionSpool::next(Lsn& at, std::string& out) {
  if (!reading_) return make_error(Errc::internal, "read from a spool being written");
  char header[kHeader];
  const size_t got = std::fread(header, 1, kHeader, file_.get());
  if (got == 0 && std::feof(file_.get())) return false;
  ByteReader r(std::string_view(header, got));
  const uint32_t len = r.u32le();
  at = Lsn{r.u64le()};
  if (auto st = r.finish(); !st) return std::move(st).error().with_context("spool file " + path_);
  if (len > kMaxMessage) {
    return make_error(Errc::malformed,
                      "spool file " + path_ + ": a message of " + std::to_string(len) + " bytes");
  }
  out.resize(len);
  if (std::fread(out.data(), 1, len, file_.get()) != len) {
    return make_error(Errc::truncated, "spool file " + path_ + " ends inside a message");
  }
  return true;
}

}  // namespace cdc::postgres
