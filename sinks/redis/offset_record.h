// OffsetRecord: the value of the pipeline's offset key in Redis, written in the same
// MULTI/EXEC as the data it covers (ARCHITECTURE.md, "Checkpoints and resume"). `epoch` fences
// stale instances: each instance bumps it when it opens and checks it before every transaction.
// Versioned binary in the layout shared with the Kafka sink (sinks/common/offset_frame.h); also the
// sink_state of the pipeline's checkpoint records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/position.h"
#include "cdc/core/result.h"

namespace cdc::sinks::redis {

struct OffsetRecord {
  uint64_t epoch = 0;          // owner generation: the instance that last opened the pipeline
  uint64_t checkpoint_id = 0;  // 0: claimed, nothing written yet
  Position position;           // everything before it is in Redis
};

std::string encode_offset(const OffsetRecord& r);
// Errc::malformed (with `key` named) for bytes that are not an offset record.
Result<OffsetRecord> decode_offset(std::string_view bytes, std::string_view key);

}  // namespace cdc::sinks::redis
