#include "sinks/redis/offset_record.h"

#include "sinks/common/offset_frame.h"

namespace cdc::sinks::redis {

// Version 1: u8 version, u64le epoch, u64le checkpoint id, encode_position() bytes to the end.

std::string encode_offset(const OffsetRecord& r) {
  const uint64_t fields[] = {r.epoch, r.checkpoint_id};
  return encode_offset_frame(fields, r.position);
}

Result<OffsetRecord> decode_offset(std::string_view bytes, std::string_view key) {
  uint64_t fields[2] = {};
  CDC_TRY_ASSIGN(
      Position position,
      decode_offset_frame(bytes, fields, "redis offset key '" + std::string(key) + "'", "record"));
  return OffsetRecord{fields[0], fields[1], std::move(position)};
}

}  // namespace cdc::sinks::redis
