// Test doubles for the runner: an in-memory checkpoint log and sink wrappers that fail on cue.
#pragma once

#include <functional>
#include <vector>

#include "cdc/core/sink.h"
#include "cdc/pipeline/checkpoint_log.h"

namespace cdc::testing {

class MemoryCheckpointLog final : public pipeline::CheckpointLog {
 public:
  Result<std::vector<CheckpointRecord>> history() override { return records; }
  Status record(const CheckpointRecord& r) override {
    if (fail_next_record) {
      fail_next_record = false;
      return make_error(Errc::io, "injected state store failure");
    }
    records.insert(records.begin(), r);
    if (records.size() > 3) records.resize(3);
    return {};
  }
  std::vector<CheckpointRecord> records;  // newest first
  bool fail_next_record = false;
};

// Forwards to `inner`, but fails the n-th write (1-based, counted across instances via the
// shared counter) with `code`.
class FailingSink final : public Sink {
 public:
  FailingSink(std::unique_ptr<Sink> inner, int* writes, int fail_at, Errc code)
      : inner_(std::move(inner)), writes_(writes), fail_at_(fail_at), code_(code) {}
  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> h) override {
    return inner_->open(h);
  }
  Status write(const Batch& b) override {
    if (++*writes_ == fail_at_) return make_error(code_, "injected write failure");
    return inner_->write(b);
  }
  Result<std::string> prepare(uint64_t id, const Position& p) override {
    return inner_->prepare(id, p);
  }
  Status commit(uint64_t id) override { return inner_->commit(id); }
  void close() override { inner_->close(); }
  bool exactly_once() const override { return inner_->exactly_once(); }

 private:
  std::unique_ptr<Sink> inner_;
  int* writes_;
  int fail_at_;
  Errc code_;
};

}  // namespace cdc::testing
