// CheckpointRecord: what the state store keeps per committed checkpoint and what a sink is
// given at open to reconcile with its own record (ARCHITECTURE.md, "Checkpoints and resume"). Plain
// data.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/position.h"

namespace cdc {

struct CheckpointRecord {
  uint64_t id = 0;           // increasing per pipeline, never reused
  Position position;         // resume point: everything before it is in the sink
  std::string sink_state;    // opaque to all but the sink (file length, Kafka txn, Doris txn ids)
  int64_t wall_time_ms = 0;  // when the record was written
};

}  // namespace cdc
