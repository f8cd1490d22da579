// Test helper: a small encoder of MySQL binary JSON documents that follows
// sql-common/json_binary.cc serialize_* (the layout is in cdc/mysql/binlog/mysql_json.h), shared
// by the JSON decoder and JSON diff tests. Header-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace cdc::mysql::testing {

// One value: its type byte and its data bytes (what follows the type byte in a document).
struct J {
  uint8_t type = 0;
  std::vector<uint8_t> data;
};

inline void put_le(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_varlen(std::vector<uint8_t>& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

inline J lit(uint8_t l) { return {0x04, {l}}; }
inline J i16(int16_t v) {
  J j{0x05, {}};
  put_le(j.data, static_cast<uint16_t>(v), 2);
  return j;
}
inline J u16(uint16_t v) {
  J j{0x06, {}};
  put_le(j.data, v, 2);
  return j;
}
inline J i32(int32_t v) {
  J j{0x07, {}};
  put_le(j.data, static_cast<uint32_t>(v), 4);
  return j;
}
inline J u32(uint32_t v) {
  J j{0x08, {}};
  put_le(j.data, v, 4);
  return j;
}
inline J i64(int64_t v) {
  J j{0x09, {}};
  put_le(j.data, static_cast<uint64_t>(v), 8);
  return j;
}
inline J u64(uint64_t v) {
  J j{0x0a, {}};
  put_le(j.data, v, 8);
  return j;
}
inline J dbl(double d) {
  J j{0x0b, {}};
  uint64_t u;
  std::memcpy(&u, &d, 8);
  put_le(j.data, u, 8);
  return j;
}
inline J str(const std::string& s) {
  J j{0x0c, {}};
  put_varlen(j.data, static_cast<uint32_t>(s.size()));
  j.data.insert(j.data.end(), s.begin(), s.end());
  return j;
}
inline J opaque(uint8_t field_type, const std::vector<uint8_t>& bytes) {
  J j{0x0f, {field_type}};
  put_varlen(j.data, static_cast<uint32_t>(bytes.size()));
  j.data.insert(j.data.end(), bytes.begin(), bytes.end());
  return j;
}

inline bool is_inline(uint8_t type, bool large) {
  return type == 0x04 || type == 0x05 || type == 0x06 || (large && (type == 0x07 || type == 0x08));
}

// json_binary.cc serialize_json_object / serialize_json_array: header, key entries, value
// entries, keys, then the values that are not inlined. Keys are written in the order given
// (MySQL sorts them by length, then bytes, before writing).
inline J container(bool object, bool large, const std::vector<std::pair<std::string, J>>& items) {
  const size_t off = large ? 4 : 2;
  const size_t n = items.size();
  const size_t header = 2 * off + n * ((object ? off + 2 : 0) + 1 + off);
  std::vector<uint8_t> keys, values;
  std::vector<uint8_t> key_entries, value_entries;
  size_t at = header;
  if (object) {
    for (const auto& [k, v] : items) {
      put_le(key_entries, at, off);
      put_le(key_entries, k.size(), 2);
      keys.insert(keys.end(), k.begin(), k.end());
      at += k.size();
    }
  }
  for (const auto& [k, v] : items) {
    value_entries.push_back(v.type);
    if (is_inline(v.type, large)) {
      uint64_t x = 0;
      for (size_t i = 0; i < v.data.size(); ++i) x |= uint64_t{v.data[i]} << (8 * i);
      put_le(value_entries, x, off);
    } else {
      put_le(value_entries, at, off);
      values.insert(values.end(), v.data.begin(), v.data.end());
      at += v.data.size();
    }
  }
  J j{static_cast<uint8_t>((object ? 0x00 : 0x02) + (large ? 1 : 0)), {}};
  put_le(j.data, n, off);
  put_le(j.data, at, off);
  for (auto* part : {&key_entries, &value_entries, &keys, &values}) {
    j.data.insert(j.data.end(), part->begin(), part->end());
  }
  return j;
}
inline J obj(const std::vector<std::pair<std::string, J>>& items, bool large = false) {
  return container(true, large, items);
}
inline J arr(const std::vector<J>& items, bool large = false) {
  std::vector<std::pair<std::string, J>> v;
  for (const auto& i : items) v.emplace_back("", i);
  return container(false, large, v);
}

inline std::vector<std::byte> doc(const J& j) {
  std::vector<std::byte> out{static_cast<std::byte>(j.type)};
  for (uint8_t b : j.data) out.push_back(static_cast<std::byte>(b));
  return out;
}
inline std::vector<std::byte> raw(std::initializer_list<int> b) {
  std::vector<std::byte> out;
  for (int x : b) out.push_back(static_cast<std::byte>(x));
  return out;
}

}  // namespace cdc::mysql::testing
