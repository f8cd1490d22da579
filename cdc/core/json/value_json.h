// Rendering of one cdc::Value as JSON, in the two styles the encoders need: typed (the
// debezium-json and upsert formats) and text (canal-json, where every non-null value is a
// string). Stateless free functions; thread-safe. No allocation beyond appending to the output.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/value.h"

namespace cdc::json {

// Typed rendering:
//   null -> null; boolean -> true/false; int64/uint64 -> exact numbers; float64 -> shortest
//   round-trip number, float32 -> shortest float text (NaN/Inf -> null); decimal -> "123.4500";
//   string/enum/set -> string; bytes -> base64 string; json -> nested JSON (as a string if the
//   text is not valid JSON); year -> number; date -> "2024-01-02" ("0000-00-00" kept);
//   time -> "-838:59:59.000000"; datetime -> "2024-01-02T03:04:05.123456";
//   timestamp -> "2024-01-02T03:04:05.120Z" (UTC); fsp fraction digits, none when fsp is 0;
//   bit -> BIT(1): true/false, BIT(n>1): base64 of the bits as Debezium's io.debezium.data.Bits;
//   geometry -> {"wkb": base64 of the OGC WKB, "srid": number} (the fields of Debezium's
//   io.debezium.data.geometry.Geometry; srid 0 when the value has none).
void write_value(JsonWriter& w, const Value& v);

// Text rendering (Canal FlatMessage: values are Java strings): as typed, but numbers, booleans
// and years are quoted, json is its text as a string, date/times use a space instead of 'T' and
// timestamps have no 'Z' (still UTC), geometry is base64 of its WKB (no SRID), bit is the unsigned
// value in decimal ("5", BIT(1) "1"), NaN/Inf are "NaN"/"Infinity"/"-Infinity" as Java prints them.
// Null stays null.
void write_value_as_text(JsonWriter& w, const Value& v);

// Text pieces (ASCII, no quotes) shared by both renderings and by tests.
// yyyymmdd as in Value::date (negative = BC): "2024-01-02", "0000-00-00", "-0044-03-15".
void append_date(std::string& out, int64_t yyyymmdd);
// Signed microseconds: "[-]HH:MM:SS[.f]"; hours have at least two digits and may exceed 24.
void append_time(std::string& out, int64_t micros, uint8_t fsp);
// Value::datetime payload (YYYYMMDDhhmmss + micros): "2024-01-02<sep>03:04:05[.f]".
void append_datetime(std::string& out, int64_t yyyymmddhhmmss, uint32_t micros, uint8_t fsp,
                     char sep);
// Microseconds since the Unix epoch rendered in UTC (proleptic Gregorian, astronomical years):
// "2024-01-02<sep>03:04:05[.f]" followed by 'Z' when `zulu`.
void append_timestamp(std::string& out, int64_t epoch_micros, uint8_t fsp, char sep, bool zulu);

// The bytes of a BIT(width) value as Debezium's io.debezium.data.Bits carries them:
// ceil(width/8) bytes, least significant byte first (Debezium MySQL connector docs, "BIT(>1):
// byte[] contains the bits in little-endian form"). Returns the byte count (1..8).
size_t bit_bytes(uint64_t bits, uint32_t width, char (&buf)[8]);

}  // namespace cdc::json
