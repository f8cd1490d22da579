// Rendering of the checkpoint history for `sluice checkpoints --state-dir DIR [--json]`.
// Pure functions over a StateStore's reads; thread-safe as the store is.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/result.h"
#include "state/state_store.h"

namespace cdc::state {

enum class OutputFormat : uint8_t {
  // Aligned columns PIPELINE, ID, WALL_TIME (UTC), POSITION, SINK_STATE_BYTES; pipelines in
  // bytewise order, each newest checkpoint first, then its savepoints oldest first (with a
  // SAVEPOINT column after PIPELINE when there are any); "no checkpoints\n" when there are none.
  table,
  // A JSON array of one object per checkpoint, same order: pipeline, id, wall_time_ms,
  // wall_time, position {kind, text, and the kind's fields}, sink_state_bytes; a savepoint's
  // object also has "savepoint": its name, after "pipeline".
  json,
};

// "2024-05-01T12:34:56.789Z" (proleptic Gregorian, UTC, milliseconds; negative = before 1970).
// Outside the years 0000..9999: "<wall_time_ms>ms".
std::string format_wall_time(int64_t wall_time_ms);

// Errc::malformed (naming the key) if a stored record does not decode.
Result<std::string> format_checkpoints(const StateStore& store, OutputFormat format);

}  // namespace cdc::state
