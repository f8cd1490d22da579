// StdoutSink: prints each change event as one JSON line on standard output, for trying
// pipelines out and for piping into other tools. At-least-once: after a restart it resumes
// from the last checkpoint and may print again what followed it. Sink-thread only.
#pragma once

#include <cstdio>
#include <string>

#include "cdc/core/sink.h"
#include "sinks/common/json_lines.h"

namespace cdc::sinks {

class StdoutSink final : public Sink {
 public:
  // `out` is not owned (stdout by default; a test may pass a tmpfile()).
  explicit StdoutSink(json::Format format, std::FILE* out = stdout,
                      json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail,
                      json::EncoderOptions encoder = {});

  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override;
  Status write(const Batch& batch) override;
  Result<std::string> prepare(uint64_t id, const Position& position) override;
  Status commit(uint64_t id) override { return {}; }
  bool exactly_once() const override { return false; }

 private:
  Status flush();

  JsonLines lines_;
  std::FILE* out_;
  std::string buffer_;
};

}  // namespace cdc::sinks
