#include "cdc/mysql/binlog/mysql_serialization.h"

#include <bit>

namespace cdc::mysql {

uint64_t read_varlen_unsigned(ByteReader& r) {
  const uint8_t first = r.u8();
  if (!r.ok()) return 0;
  const int count = std::countr_one(first) + 1;  // 1..9
  if (count == 1) return first >> 1;
  const uint64_t rest = r.uint_le(static_cast<size_t>(count - 1));
  if (!r.ok()) return 0;
  if (count == 9) return rest;  // the first byte is only the count
  // The value's low (8 - count) bits are in the first byte, above the count and its 0 bit.
  const uint64_t value = (static_cast<uint64_t>(first) >> count) | (rest << (8 - count));
  return value;
}

int64_t read_varlen_signed(ByteReader& r) {
  const uint64_t u = read_varlen_unsigned(r);
  const uint64_t magnitude = u >> 1;
  return (u & 1) != 0 ? -static_cast<int64_t>(magnitude) - 1 : static_cast<int64_t>(magnitude);
}

std::string read_varlen_string(ByteReader& r, uint64_t max_length) {
  const uint64_t n = read_varlen_unsigned(r);
  if (!r.ok()) return {};
  if (n > max_length) {
    r.mark_malformed("string of " + std::to_string(n) + " bytes, at most " +
                     std::to_string(max_length) + " allowed");
    return {};
  }
  return std::string(r.string(n));
}

SerializedMessage read_message_header(ByteReader& r) {
  const size_t start = r.offset();
  const uint64_t version = read_varlen_unsigned(r);
  SerializedMessage m;
  m.size = read_varlen_unsigned(r);
  m.last_non_ignorable = read_varlen_unsigned(r);
  if (!r.ok()) return m;
  if (version != 1) {
    r.mark_malformed("serialization format version " + std::to_string(version) +
                     " (this build reads 1)");
  } else if (m.size < r.offset() - start || m.size - (r.offset() - start) > r.remaining()) {
    r.mark_malformed("message size " + std::to_string(m.size) + " does not fit the " +
                     std::to_string(r.offset() - start + r.remaining()) + " bytes");
  }
  return m;
}

}  // namespace cdc::mysql
