#include "sinks/stdout/stdout_sink.h"

#include <cerrno>
#include <cstring>

namespace cdc::sinks {

StdoutSink::StdoutSink(json::Format format, std::FILE* out, json::PartialRowPolicy partial_rows,
                       json::EncoderOptions encoder)
    : lines_(format, std::move(encoder)), out_(out) {
  lines_.guard_partial_rows(partial_rows, "sink.stdout");
}

Result<std::optional<CheckpointRecord>> StdoutSink::open(
    std::span<const CheckpointRecord> history) {
  if (history.empty()) return std::optional<CheckpointRecord>();
  return std::optional<CheckpointRecord>(history.front());
}

Status StdoutSink::write(const Batch& batch) {
  for (const ChangeEvent& e : batch.events) CDC_TRY(lines_.write(e, buffer_));
  // Interactive users want to see events promptly: flush every batch, not only at checkpoints.
  return flush();
}

Result<std::string> StdoutSink::prepare(uint64_t, const Position&) {
  CDC_TRY(flush());
  return std::string();
}

Status StdoutSink::flush() {
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
      return make_error(Errc::io, std::string("writing to stdout: ") + std::strerror(errno));
    }
    buffer_.clear();
  }
  if (std::fflush(out_) != 0)
    return make_error(Errc::io, std::string("flushing stdout: ") + std::strerror(errno));
  return {};
}

}  // namespace cdc::sinks
