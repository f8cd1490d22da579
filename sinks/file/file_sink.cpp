#include "sinks/file/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cdc/core/byte_reader.h"
#include "cdc/core/log.h"

namespace cdc::sinks {

namespace {
constexpr size_t kFlushBytes = 1 << 20;
constexpr uint8_t kStateVersion = 1;

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Errc::io, what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

FileSink::FileSink(std::string path, json::Format format, json::PartialRowPolicy partial_rows,
                   json::EncoderOptions encoder)
    : path_(std::move(path)), lines_(format, std::move(encoder)) {
  lines_.guard_partial_rows(partial_rows, "sink.file");
}

FileSink::~FileSink() { close(); }

std::string FileSink::encode_state(uint64_t length) {
  std::string s(1, static_cast<char>(kStateVersion));
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(length >> (8 * i)));
  return s;
}

Result<uint64_t> FileSink::decode_state(std::string_view state) {
  ByteReader r(state);
  const uint8_t version = r.u8();
  const uint64_t length = r.u64le();
  if (auto st = r.finish(); !st)
    return std::move(st).error().with_context("file sink checkpoint state");
  if (version != kStateVersion) {
    return make_error(Errc::unsupported,
                      "file sink checkpoint state version " + std::to_string(version));
  }
  return length;
}

Status FileSink::check_replay(const CheckpointRecord& savepoint) {
  CDC_TRY_ASSIGN(const uint64_t then, decode_state(savepoint.sink_state));
  if (then > length_) {
    return make_error(Errc::invalid_config,
                      "file " + path_ + " holds " + std::to_string(length_) +
                          " bytes, fewer than the " + std::to_string(then) +
                          " it held at checkpoint " + std::to_string(savepoint.id) +
                          ": it was replaced or truncated since the savepoint");
  }
  return {};
}

Result<std::optional<CheckpointRecord>> FileSink::open(std::span<const CheckpointRecord> history) {
  close();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return io_error("cannot open", path_);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return io_error("cannot stat", path_);
  const auto actual = static_cast<uint64_t>(st.st_size);

  std::optional<CheckpointRecord> resume;
  uint64_t keep = 0;
  if (history.empty()) {
    if (actual != 0) {
      return make_error(
          Errc::invalid_config,
          "file " + path_ + " already holds " + std::to_string(actual) +
              " bytes but the pipeline has no checkpoint: refusing to mix with data "
              "this pipeline did not write (remove the file, or set pipeline.state.dir "
              "to the state it was written with)");
    }
  } else {
    resume = history.front();
    CDC_TRY_ASSIGN(keep, decode_state(resume->sink_state));
    if (actual < keep) {
      return make_error(Errc::malformed, "file " + path_ + " holds " + std::to_string(actual) +
                                             " bytes, fewer than the " + std::to_string(keep) +
                                             " of checkpoint " + std::to_string(resume->id) +
                                             ": it was truncated or replaced outside sluice");
    }
    if (actual > keep) {
      log::get("sink.file")
          ->info("truncating {} from {} to {} bytes (checkpoint {})", path_, actual, keep,
                 resume->id);
    }
  }
  if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0) return io_error("cannot truncate", path_);
  if (::fsync(fd_) != 0) return io_error("cannot fsync", path_);
  if (::lseek(fd_, static_cast<off_t>(keep), SEEK_SET) < 0) return io_error("cannot seek", path_);
  length_ = keep;
  buffer_.clear();
  return resume;
}

Status FileSink::write(const Batch& batch) {
  for (const ChangeEvent& e : batch.events) CDC_TRY(lines_.write(e, buffer_));
  if (buffer_.size() >= kFlushBytes) return flush();
  return {};
}

Status FileSink::flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path_);
    }
    done += static_cast<size_t>(n);
  }
  length_ += buffer_.size();
  buffer_.clear();
  return {};
}

Result<std::string> FileSink::prepare(uint64_t, const Position&) {
  CDC_TRY(flush());
  if (::fdatasync(fd_) != 0) return io_error("cannot fsync", path_);
  return encode_state(length_);
}

void FileSink::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace cdc::sinks
