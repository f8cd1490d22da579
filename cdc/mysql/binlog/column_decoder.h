// The one conversion from MySQL's binary column encoding (row events) to cdc::Value. Pure
// functions over a ByteReader; text payloads are copied into the caller's Arena (no per-column
// heap allocation). A snapshot reader that fetches binary-protocol values reuses these.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/core/result.h"
#include "cdc/core/value.h"
#include "cdc/mysql/binlog/charset.h"

namespace cdc::mysql {

// What decoding one column needs: the TABLE_MAP type and metadata, plus what the optional
// metadata (or schema history) says. `labels` points into the cached TableMapEvent/schema and
// must outlive the decode call.
struct ColumnDecodeInfo {
  uint8_t type = 0;
  uint8_t real_type = 0;
  uint16_t meta = 0;
  bool is_unsigned = false;
  const Charset* charset = nullptr;  // of a character column; nullptr or binary: bytes
  InvalidText on_invalid = InvalidText::fail;
  bool json_text = false;     // MariaDB JSON (a LONGTEXT alias): the text is JSON
  bool geometry_wkt = false;  // GEOMETRY decodes to Value::geometry_wkt (geometry.format: wkt)
  std::span<const std::string> labels;
  std::string_view name;  // for error messages; "" when the TABLE_MAP has no names
};

// Decodes one non-null value. Errors: truncated (bytes run out), malformed (impossible
// encoding), unsupported (a type this slice does not decode). MySQL binary JSON (245) is
// rendered as MySQL prints it (mysql_json.h) into a Value::json; a MySQL 9 VECTOR (242) into a
// Value::json array of float32 numbers (NaN/infinity: malformed, JSON cannot carry them).
Result<Value> decode_column(ByteReader& r, const ColumnDecodeInfo& col, Arena& arena);

// Building blocks, exposed for unit tests and for the snapshot reader.
// MySQL packed binary DECIMAL(precision, scale) -> exact digits ("-0.50"), precision <= 65.
Result<Value> decode_decimal(ByteReader& r, uint32_t precision, uint32_t scale, Arena& arena);
Result<Value> decode_time2(ByteReader& r, uint8_t fsp);
Result<Value> decode_datetime2(ByteReader& r, uint8_t fsp);
Result<Value> decode_timestamp2(ByteReader& r, uint8_t fsp);
// Byte size of a DECIMAL(precision, scale) on the wire.
size_t decimal_binary_size(uint32_t precision, uint32_t scale);

// The same decodings without an Error, for the row plan's steps (row_decode_plan.h), whose
// caller decodes the image again through decode_column when one returns false (bytes run out,
// or a value decode_column refuses) to get the error. fsp must be 0..6; the DECIMAL one takes
// intg = precision - scale and scale, each at most 18.
bool read_short_decimal(ByteReader& r, uint32_t intg, uint32_t scale, Arena& arena, Value& out);
bool read_datetime2(ByteReader& r, uint8_t fsp, Value& out);
bool read_timestamp2(ByteReader& r, uint8_t fsp, Value& out);

}  // namespace cdc::mysql
