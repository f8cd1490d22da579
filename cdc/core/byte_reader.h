// ByteReader: the only way sluice reads untrusted bytes (binlog, pgoutput, server replies).
// A bounds-checked cursor over a *borrowed* span. Fail-closed: the first out-of-range read
// records {offset, wanted, left}; it and every later read return 0/empty and do not advance.
// The span must outlive the reader and every span/string_view it hands out. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : data_(bytes) {}
  explicit ByteReader(std::string_view bytes)
      : data_(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()) {}

  uint8_t u8();
  uint16_t u16le();
  uint32_t u24le();
  uint32_t u32le();
  uint64_t u48le();
  uint64_t u64le();
  uint64_t uint_le(size_t n);  // 1..8 bytes little-endian
  uint16_t u16be();
  uint32_t u24be();
  uint32_t u32be();
  uint64_t u64be();
  uint64_t uint_be(size_t n);  // 1..8 bytes big-endian
  // MySQL length-encoded integer. 0xFB (NULL) and 0xFF are malformed here.
  uint64_t lenenc();
  std::span<const std::byte> bytes(size_t n);  // empty span on underflow
  std::string_view string(size_t n);           // same, as characters
  std::string_view cstring();                  // NUL-terminated; the NUL is consumed
  std::string_view rest();                     // everything left
  void skip(size_t n);
  // A child reader over the next n bytes (this reader advances past them); finish() it too.
  ByteReader sub(size_t n);

  size_t offset() const { return pos_; }
  size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool ok() const { return !failed_; }
  // Errc::truncated if a read ran past the end, Errc::malformed if bytes are left over
  // (unless allowed) or mark_malformed() was called.
  Status finish(bool allow_trailing = false) const;
  // Lets a decoder record a semantic error (bad length, bad tag) with the same fail-closed rule.
  void mark_malformed(std::string why);

 private:
  bool take(size_t n, const std::byte** out);

  std::span<const std::byte> data_;
  size_t pos_ = 0;
  bool failed_ = false;
  size_t fail_offset_ = 0;
  size_t fail_wanted_ = 0;
  size_t fail_left_ = 0;
  std::string malformed_;
};

// The fixed-width reads and bytes()/string() are inline: the row decoders make several per
// column, and a call each cost DECIMAL decoding ~10 % more instructions than hand-walked
// pointers.
inline bool ByteReader::take(size_t n, const std::byte** out) {
  if (failed_) return false;
  if (n > data_.size() - pos_) {
    failed_ = true;
    fail_offset_ = pos_;
    fail_wanted_ = n;
    fail_left_ = data_.size() - pos_;
    return false;
  }
  *out = data_.data() + pos_;
  pos_ += n;
  return true;
}

inline uint64_t ByteReader::uint_le(size_t n) {
  const std::byte* p = nullptr;
  if (n == 0 || n > 8 || !take(n, &p)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

inline uint64_t ByteReader::uint_be(size_t n) {
  const std::byte* p = nullptr;
  if (n == 0 || n > 8 || !take(n, &p)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint64_t>(p[i]);
  return v;
}

inline std::span<const std::byte> ByteReader::bytes(size_t n) {
  const std::byte* p = nullptr;
  if (!take(n, &p)) return {};
  return {p, n};
}

inline uint8_t ByteReader::u8() { return static_cast<uint8_t>(uint_le(1)); }
inline uint16_t ByteReader::u16le() { return static_cast<uint16_t>(uint_le(2)); }
inline uint32_t ByteReader::u24le() { return static_cast<uint32_t>(uint_le(3)); }
inline uint32_t ByteReader::u32le() { return static_cast<uint32_t>(uint_le(4)); }
inline uint64_t ByteReader::u48le() { return uint_le(6); }
inline uint64_t ByteReader::u64le() { return uint_le(8); }
inline uint16_t ByteReader::u16be() { return static_cast<uint16_t>(uint_be(2)); }
inline uint32_t ByteReader::u24be() { return static_cast<uint32_t>(uint_be(3)); }
inline uint32_t ByteReader::u32be() { return static_cast<uint32_t>(uint_be(4)); }
inline uint64_t ByteReader::u64be() { return uint_be(8); }

inline std::span<const std::byte> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view as_chars(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline std::string_view ByteReader::string(size_t n) { return as_chars(bytes(n)); }

}  // namespace cdc
