#include "tests/fakes/kafka/kafka_codec.h"

#include <array>

namespace cdc::testing::kafka {

int8_t read_i8(ByteReader& r) { return static_cast<int8_t>(r.u8()); }
int16_t read_i16(ByteReader& r) { return static_cast<int16_t>(r.u16be()); }
int32_t read_i32(ByteReader& r) { return static_cast<int32_t>(r.u32be()); }
int64_t read_i64(ByteReader& r) { return static_cast<int64_t>(r.u64be()); }

bool read_bool(ByteReader& r) {
  const uint8_t v = r.u8();
  if (v > 1) {
    r.mark_malformed("BOOLEAN is " + std::to_string(v) + ", not 0 or 1");
  }
  return v == 1;
}

std::string read_string(ByteReader& r, std::string_view field) {
  const int16_t len = read_i16(r);
  if (len < 0) {
    r.mark_malformed(std::string(field) + " is a null STRING");
    return {};
  }
  return std::string(r.string(static_cast<size_t>(len)));
}

std::optional<std::string> read_nullable_string(ByteReader& r) {
  const int16_t len = read_i16(r);
  if (len < 0) {
    return std::nullopt;
  }
  return std::string(r.string(static_cast<size_t>(len)));
}

std::optional<std::span<const std::byte>> read_nullable_bytes(ByteReader& r) {
  const int32_t len = read_i32(r);
  if (len < 0) {
    return std::nullopt;
  }
  return r.bytes(static_cast<size_t>(len));
}

int32_t read_array_length(ByteReader& r, size_t min_element_size, std::string_view field) {
  const int32_t n = read_i32(r);
  if (n <= 0) {
    return 0;
  }
  if (static_cast<size_t>(n) > r.remaining() / (min_element_size == 0 ? 1 : min_element_size)) {
    r.mark_malformed(std::string(field) + " has " + std::to_string(n) + " elements but only " +
                     std::to_string(r.remaining()) + " bytes are left");
    return 0;
  }
  return n;
}

namespace {

// Unsigned LEB128 of at most `max_bytes` bytes (protobuf varint encoding).
uint64_t read_leb128(ByteReader& r, int max_bytes, std::string_view what) {
  uint64_t value = 0;
  for (int i = 0; i < max_bytes; ++i) {
    const uint8_t b = r.u8();
    if (!r.ok()) {
      return 0;
    }
    value |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      return value;
    }
  }
  r.mark_malformed(std::string(what) + " is longer than " + std::to_string(max_bytes) + " bytes");
  return 0;
}

void write_leb128(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

}  // namespace

int32_t read_varint(ByteReader& r) {
  const auto u = static_cast<uint32_t>(read_leb128(r, 5, "VARINT"));
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

int64_t read_varlong(ByteReader& r) {
  const uint64_t u = read_leb128(r, 10, "VARLONG");
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

uint32_t read_uvarint(ByteReader& r) {
  return static_cast<uint32_t>(read_leb128(r, 5, "UNSIGNED_VARINT"));
}

void skip_tagged_fields(ByteReader& r) {
  const uint32_t n = read_uvarint(r);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    (void)read_uvarint(r);  // the tag: ignored because no tagged field is understood here
    r.skip(read_uvarint(r));
  }
}

void Writer::i8(int8_t v) { buf_.push_back(static_cast<char>(v)); }
void Writer::i16(int16_t v) {
  const auto u = static_cast<uint16_t>(v);
  buf_.push_back(static_cast<char>(u >> 8));
  buf_.push_back(static_cast<char>(u));
}
void Writer::i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
void Writer::u32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    buf_.push_back(static_cast<char>(v >> shift));
  }
}
void Writer::i64(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) {
    buf_.push_back(static_cast<char>(u >> shift));
  }
}
void Writer::string(std::string_view s) {
  i16(static_cast<int16_t>(s.size()));
  buf_.append(s);
}
void Writer::nullable_string(const std::optional<std::string>& s) {
  if (!s) {
    i16(-1);
    return;
  }
  string(*s);
}
void Writer::bytes(std::string_view b) {
  i32(static_cast<int32_t>(b.size()));
  buf_.append(b);
}
void Writer::varint(int32_t v) {
  write_leb128(buf_, static_cast<uint32_t>((static_cast<uint32_t>(v) << 1) ^
                                           static_cast<uint32_t>(v >> 31)));
}
void Writer::varlong(int64_t v) {
  write_leb128(buf_, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void Writer::uvarint(uint32_t v) { write_leb128(buf_, v); }
void Writer::patch_u32(size_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    buf_[pos + i] = static_cast<char>(v >> (24 - 8 * i));
  }
}

namespace {
constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // reflected Castagnoli polynomial
    }
    t[i] = c;
  }
  return t;
}
constexpr auto kCrc32cTable = make_crc32c_table();
}  // namespace

uint32_t crc32c(std::span<const std::byte> bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (std::byte b : bytes) {
    c = kCrc32cTable[(c ^ static_cast<uint8_t>(b)) & 0xFF] ^ (c >> 8);
  }
  return c ^ 0xFFFFFFFFu;
}

}  // namespace cdc::testing::kafka
