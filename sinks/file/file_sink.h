// FileSink: appends change events as JSON lines to a file, exactly once. Each checkpoint
// fsyncs the file and records its length; on start the file is truncated back to the length
// of the checkpoint being resumed, so whatever a crashed run wrote after it disappears and
// is written again once. Owns its file descriptor. Sink-thread only.
#pragma once

#include <string>

#include "cdc/core/sink.h"
#include "sinks/common/json_lines.h"

namespace cdc::sinks {

class FileSink final : public Sink {
 public:
  FileSink(std::string path, json::Format format,
           json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail,
           json::EncoderOptions encoder = {});
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override;
  // Refuses a savepoint that held more bytes than the file has now (the file was replaced or
  // cut since: what the savepoint says is in it is not).
  Status check_replay(const CheckpointRecord& savepoint) override;
  Status write(const Batch& batch) override;
  Result<std::string> prepare(uint64_t id, const Position& position) override;
  Status commit(uint64_t id) override { return {}; }
  // Writes the buffered lines (no fsync): a reader of the file sees them at once.
  Status on_idle(const Position&) override { return flush(); }
  void close() override;
  bool exactly_once() const override { return true; }

  // The checkpoint state this sink records: the file's length. Exposed for tests/tools.
  static std::string encode_state(uint64_t length);
  static Result<uint64_t> decode_state(std::string_view state);

 private:
  Status flush();

  std::string path_;
  JsonLines lines_;
  int fd_ = -1;
  uint64_t length_ = 0;  // bytes in the file, including flushed-but-not-checkpointed ones
  std::string buffer_;
};

}  // namespace cdc::sinks
