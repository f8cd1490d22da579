// Reading MySQL 8.3+'s serialization-library format (libs/mysql/serialization/readme.md in
// mysql-server), which GTID_TAGGED_LOG_EVENT and the tags of tagged GTID sets use. Pure; the
// reader is the caller's ByteReader, so every read is bounds-checked and fail-closed.
//
// Variable-length integers (variable_length_integers.h): 1 to 9 bytes, little-endian; the
// number of trailing one bits of the first byte, plus one, is the byte count. Up to 8 bytes the
// value follows that count's bits (and the 0 bit that ends them); with 9 bytes the first byte is
// all ones and the next eight hold the whole value. Signed values are zigzag-like: bit 0 is the
// sign, a negative x is stored as ((-(x + 1)) << 1) | 1.
//
// A message: <format version: varlen, 1> <message size: varlen, counting from the first byte of
// the message> <last non-ignorable field id: varlen> { <field id: varlen, rising> <field data> }.
// A field id the decoder does not know ends what it can read: fields are only ever appended,
// and the rest is skipped by the size, unless the id is at most the last non-ignorable one.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/byte_reader.h"

namespace cdc::mysql {

uint64_t read_varlen_unsigned(ByteReader& r);
int64_t read_varlen_signed(ByteReader& r);
// A string field: varlen length (at most `max_length`, else malformed), then the bytes.
std::string read_varlen_string(ByteReader& r, uint64_t max_length);

// The message header, read from `r` positioned at the message's first byte.
struct SerializedMessage {
  uint64_t size = 0;                // bytes of the whole message
  uint64_t last_non_ignorable = 0;  // field id; 0 when every field may be ignored
};
SerializedMessage read_message_header(ByteReader& r);

}  // namespace cdc::mysql
