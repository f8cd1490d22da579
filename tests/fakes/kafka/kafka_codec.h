// Kafka protocol primitive types (Apache Kafka protocol guide, "Protocol Primitive Types"):
// big-endian integers, INT16-length strings, INT32-length bytes, zigzag varints (record
// format) and unsigned varints (flexible versions, KIP-482). Readers work on cdc::ByteReader
// and so share its fail-closed rule; Writer appends to an owned string. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cdc/core/byte_reader.h"

namespace cdc::testing::kafka {

int8_t read_i8(ByteReader& r);
int16_t read_i16(ByteReader& r);
int32_t read_i32(ByteReader& r);
int64_t read_i64(ByteReader& r);
bool read_bool(ByteReader& r);
// STRING: a null (-1) length marks the reader malformed, naming `field`.
std::string read_string(ByteReader& r, std::string_view field);
// NULLABLE_STRING: -1 is null.
std::optional<std::string> read_nullable_string(ByteReader& r);
// NULLABLE_BYTES (INT32 length): -1 is null; the span borrows the reader's bytes.
std::optional<std::span<const std::byte>> read_nullable_bytes(ByteReader& r);
// ARRAY length; -1 (null) reads as 0. A count that cannot fit in what is left (each
// element is at least `min_element_size` bytes) marks the reader malformed and returns 0,
// so that no count from the wire sizes an allocation unchecked.
int32_t read_array_length(ByteReader& r, size_t min_element_size, std::string_view field);
// VARINT / VARLONG: zigzag-encoded, at most 5 / 10 bytes (protobuf encoding).
int32_t read_varint(ByteReader& r);
int64_t read_varlong(ByteReader& r);
// UNSIGNED_VARINT (flexible versions).
uint32_t read_uvarint(ByteReader& r);
// TAG_BUFFER of a flexible version: every tagged field is skipped (none is understood).
void skip_tagged_fields(ByteReader& r);

// Appends Kafka primitives, big-endian.
class Writer {
 public:
  void i8(int8_t v);
  void i16(int16_t v);
  void i32(int32_t v);
  void u32(uint32_t v);
  void i64(int64_t v);
  void boolean(bool v) { i8(v ? 1 : 0); }
  void string(std::string_view s);
  void nullable_string(const std::optional<std::string>& s);
  void bytes(std::string_view b);  // INT32 length + bytes
  void null_bytes() { i32(-1); }
  void raw(std::string_view b) { buf_.append(b); }
  void varint(int32_t v);
  void varlong(int64_t v);
  void uvarint(uint32_t v);
  // Overwrites 4 bytes at `pos` (a length or CRC field written before its value was known).
  void patch_u32(size_t pos, uint32_t v);

  size_t size() const { return buf_.size(); }
  const std::string& data() const { return buf_; }
  std::string take() && { return std::move(buf_); }

 private:
  std::string buf_;
};

// CRC-32C (Castagnoli), the checksum of RecordBatch v2 (KIP-98 "Message format").
uint32_t crc32c(std::span<const std::byte> bytes);

}  // namespace cdc::testing::kafka
