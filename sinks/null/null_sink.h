// NullSink: accepts and discards everything; counts what it got. For benchmarks that
// measure the source and the runtime without a sink's cost. Sink-thread only.
#pragma once

#include <cstdint>

#include "cdc/core/sink.h"

namespace cdc::sinks {

class NullSink final : public Sink {
 public:
  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override {
    if (history.empty()) return std::optional<CheckpointRecord>();
    return std::optional<CheckpointRecord>(history.front());
  }
  Status write(const Batch& batch) override {
    events_ += batch.events.size();
    return {};
  }
  Result<std::string> prepare(uint64_t, const Position&) override { return std::string(); }
  Status commit(uint64_t) override { return {}; }
  bool exactly_once() const override { return false; }
  uint64_t events() const { return events_; }

 private:
  uint64_t events_ = 0;
};

}  // namespace cdc::sinks
