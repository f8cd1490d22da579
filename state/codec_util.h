// Little helpers shared by the state codecs (private to cdc_state): little-endian writers and
// a length-checked string read on top of cdc::ByteReader. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/byte_reader.h"
#include "cdc/core/result.h"

namespace cdc::state::detail {

inline void put_u8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
inline void put_u32le(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
inline void put_u64le(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
// u32le length, then the bytes. Lengths over 4 GiB are our bug (no state value is that big).
inline void put_str(std::string& out, std::string_view s) {
  CDC_CHECK(s.size() <= UINT32_MAX, "state strings are far below 4 GiB");
  put_u32le(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Reads a u32le length and that many bytes. A length beyond the record marks the reader
// malformed before anything is allocated; the view borrows the reader's span.
inline std::string_view read_str(ByteReader& r, std::string_view what) {
  const uint32_t n = r.u32le();
  if (n > r.remaining()) {
    r.mark_malformed(std::string(what) + " length " + std::to_string(n) + " exceeds the " +
                     std::to_string(r.remaining()) + " bytes left");
    return {};
  }
  return r.string(n);
}

// A count of items each at least `min_item_bytes` long must fit in what is left.
inline bool count_fits(ByteReader& r, uint64_t count, size_t min_item_bytes,
                       std::string_view what) {
  if (count > r.remaining() / min_item_bytes) {
    r.mark_malformed(std::string(what) + " count " + std::to_string(count) + " exceeds the " +
                     std::to_string(r.remaining()) + " bytes left");
    return false;
  }
  return true;
}

}  // namespace cdc::state::detail
