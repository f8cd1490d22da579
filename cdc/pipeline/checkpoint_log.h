// CheckpointLog: where the runner records committed checkpoints. The daemon backs it with
// the RocksDB state store (synced writes); tests may back it with memory. Called from the
// sink thread only.
#pragma once

#include <vector>

#include "cdc/core/checkpoint.h"
#include "cdc/core/result.h"

namespace cdc::pipeline {

class CheckpointLog {
 public:
  virtual ~CheckpointLog() = default;
  // Retained checkpoints of this pipeline, newest first.
  virtual Result<std::vector<CheckpointRecord>> history() = 0;
  // Durably records a checkpoint (and prunes beyond the retention). Returns only once the
  // record would survive a crash.
  virtual Status record(const CheckpointRecord& checkpoint) = 0;
};

}  // namespace cdc::pipeline
