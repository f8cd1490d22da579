#include "sinks/kafka/offset_record.h"

#include "sinks/common/offset_frame.h"

namespace cdc::sinks::kafka {

// Version 1: u8 version, u64le checkpoint id, encode_position() bytes to the end.

std::string encode_offset(const OffsetRecord& r) {
  const uint64_t fields[] = {r.checkpoint_id};
  return encode_offset_frame(fields, r.position);
}

Result<OffsetRecord> decode_offset(std::string_view bytes, std::string_view where) {
  uint64_t fields[1] = {};
  CDC_TRY_ASSIGN(Position position, decode_offset_frame(bytes, fields, where, "offset record"));
  return OffsetRecord{fields[0], std::move(position)};
}

}  // namespace cdc::sinks::kafka
