// OffsetRecord: the value of the pipeline's record on its offsets topic (`<pipeline>.offsets`,
// compacted, key = pipeline name), written inside the same Kafka transaction as the data it
// covers (ARCHITECTURE.md, "Checkpoints and resume", as KIP-618's source offsets). Versioned binary
// in the layout shared with the Redis sink (sinks/common/offset_frame.h); also the sink_state of
// the pipeline's checkpoint records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/position.h"
#include "cdc/core/result.h"

namespace cdc::sinks::kafka {

struct OffsetRecord {
  uint64_t checkpoint_id = 0;
  Position position;  // everything before it is in Kafka, committed with this record
};

std::string encode_offset(const OffsetRecord& r);
// Errc::malformed (naming `where`, e.g. "offsets topic p.offsets offset 12") for bytes that are
// not an offset record.
Result<OffsetRecord> decode_offset(std::string_view bytes, std::string_view where);

}  // namespace cdc::sinks::kafka
