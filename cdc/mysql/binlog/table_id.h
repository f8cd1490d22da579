// read_table_id(): the table id that opens TABLE_MAP and row event bodies. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/decode_context.h"

namespace cdc::mysql {

// MySQL before 5.1.4 wrote 4-byte table ids; its FDE then gives these events a 6-byte
// post-header (table id 4 + flags 2) instead of 8 (sql/log_event.cc, Rows_log_event and
// Table_map_log_event constructors: `post_header_len == 6`).
inline constexpr uint8_t kShortTableIdPostHeader = 6;

inline size_t table_id_size(const DecodeContext& ctx, uint8_t type) {
  return ctx.post_header(type) == kShortTableIdPostHeader ? 4 : 6;
}

inline uint64_t read_table_id(ByteReader& r, const DecodeContext& ctx, uint8_t type) {
  return table_id_size(ctx, type) == 4 ? r.u32le() : r.u48le();
}

}  // namespace cdc::mysql
