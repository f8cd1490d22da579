#include "cdc/mysql/binlog/charset.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "cdc/core/text.h"

namespace cdc::mysql {

namespace {

using generated::kCharsetRows;
using generated::kCollationRows;

constexpr uint32_t kReplacement = 0xFFFD;
constexpr uint16_t kUndefined = 0xFFFF;

const generated::CollationRow* find_collation(uint32_t id) {
  auto it = std::lower_bound(kCollationRows.begin(), kCollationRows.end(), id,
                             [](const auto& row, uint32_t v) { return row.id < v; });
  return it != kCollationRows.end() && it->id == id ? &*it : nullptr;
}

size_t put_utf8(char* out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

std::string hex_bytes(std::string_view raw, size_t at, size_t n) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = at; i < raw.size() && i < at + n; ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    if (!out.empty()) out += ' ';
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

Error invalid(const Charset& cs, std::string_view raw, size_t at) {
  return make_error(Errc::malformed, "invalid " + std::string(cs.name) + " byte sequence at byte " +
                                         std::to_string(at) + " of " + std::to_string(raw.size()) +
                                         " (" + hex_bytes(raw, at, 4) +
                                         "); set charset.invalid: replace to write U+FFFD instead");
}

// Length of the well-formed UTF-8 sequence at raw[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF; `max_len` 3 for utf8mb3).
size_t utf8_sequence(std::string_view raw, size_t i, size_t max_len) {
  const auto b0 = static_cast<unsigned char>(raw[i]);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (len > max_len || raw.size() - i < len) return 0;
  const auto b1 = static_cast<unsigned char>(raw[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    const auto b = static_cast<unsigned char>(raw[i + k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

// The end of the ASCII run at raw[i]. 32 bytes, then 8, at a time: most text is ASCII, and
// every utf8 value of a catch-up passes through here.
size_t ascii_end(std::string_view raw, size_t i) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const char* p = raw.data();
  const size_t n = raw.size();
  for (; n - i >= 32; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    if (((w[0] | w[1] | w[2] | w[3]) & kHigh) != 0) break;
  }
  for (; n - i >= 8; i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, 8);
    if ((w & kHigh) != 0) break;
  }
  if (n - i < 8 && n >= 8) {
    // The last eight bytes, overlapping what was checked: an ASCII tail in one step.
    uint64_t w = 0;
    std::memcpy(&w, p + n - 8, 8);
    if ((w & kHigh) == 0) return n;
  }
  while (i < n && static_cast<unsigned char>(p[i]) < 0x80) ++i;
  return i;
}

// The length of raw's well-formed prefix.
size_t utf8_valid_prefix(std::string_view raw, size_t max_len) {
  size_t i = 0;
  for (;;) {
    i = ascii_end(raw, i);
    if (i == raw.size()) return i;
    const size_t n = utf8_sequence(raw, i, max_len);
    if (n == 0) return i;
    i += n;
  }
}

Result<std::string_view> utf8_to_utf8(std::string_view raw, const Charset& cs,
                                      InvalidText on_invalid, Arena& arena) {
  const size_t max_len = cs.mbmaxlen;
  size_t i = utf8_valid_prefix(raw, max_len);
  if (i == raw.size()) return arena.copy(raw);
  if (on_invalid == InvalidText::fail) return invalid(cs, raw, i);
  // Each invalid byte becomes 3 bytes at most.
  auto* out = static_cast<char*>(arena.allocate(raw.size() * 3, 1));
  std::memcpy(out, raw.data(), i);
  size_t o = i;
  while (i < raw.size()) {
    const size_t n = utf8_sequence(raw, i, max_len);
    if (n == 0) {
      o += put_utf8(out + o, kReplacement);
      ++i;
      continue;
    }
    std::memcpy(out + o, raw.data() + i, n);
    o += n;
    i += n;
  }
  return std::string_view(out, o);
}

Result<std::string_view> table_to_utf8(std::string_view raw, const Charset& cs,
                                       InvalidText on_invalid, Arena& arena) {
  size_t out_len = 0;
  bool identity = true;
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    const uint16_t cp = cs.single_byte[b];
    if (cp == kUndefined && on_invalid == InvalidText::fail) return invalid(cs, raw, i);
    out_len += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    identity = identity && cp == b && b < 0x80;
  }
  // Only bytes that map to themselves as ASCII may be copied: a byte that maps to an ASCII
  // character of another code (armscii8's 0xAB is ',') has the same length, not the same byte.
  if (identity) return arena.copy(raw);
  auto* out = static_cast<char*>(arena.allocate(out_len, 1));
  size_t o = 0;
  for (unsigned char c : raw) {
    const uint16_t cp = cs.single_byte[c];
    o += put_utf8(out + o, cp == kUndefined ? kReplacement : cp);
  }
  return std::string_view(out, o);
}

// The code point of the character at raw[i] and its length in bytes; {kUndefined, 1} when the
// bytes there are no character of the charset (or one cut off by the end of the value).
std::pair<uint16_t, size_t> multi_byte_char(const generated::MultiByteTable& t,
                                            std::string_view raw, size_t i) {
  const auto b = static_cast<unsigned char>(raw[i]);
  const size_t width = t.trail_hi - t.trail_lo + 1;
  auto in_trail = [&](size_t k) {
    const auto c = static_cast<unsigned char>(raw[k]);
    return c >= t.trail_lo && c <= t.trail_hi;
  };
  switch (t.kind[b]) {
    case 1: return {t.single[b], 1};
    case 2:
      if (i + 1 >= raw.size() || !in_trail(i + 1)) break;
      return {
          t.rows[t.lead_index[b] * width + (static_cast<unsigned char>(raw[i + 1]) - t.trail_lo)],
          2};
    case 3:
      if (i + 2 >= raw.size() || !in_trail(i + 1) || !in_trail(i + 2)) break;
      return {t.rows3[(static_cast<unsigned char>(raw[i + 1]) - t.trail_lo) * width +
                      (static_cast<unsigned char>(raw[i + 2]) - t.trail_lo)],
              3};
    default: break;
  }
  return {kUndefined, 1};
}

Result<std::string_view> multi_byte_to_utf8(std::string_view raw, const Charset& cs,
                                            InvalidText on_invalid, Arena& arena) {
  const auto& t = *cs.multi_byte;
  // A character is at least one byte and at most 3 in UTF-8 (16-bit tables; U+FFFD too).
  auto* out = static_cast<char*>(arena.allocate(raw.size() * 3, 1));
  size_t o = 0;
  for (size_t i = 0; i < raw.size();) {
    const auto b = static_cast<unsigned char>(raw[i]);
    if (b < 0x80 && t.kind[b] == 1 && t.single[b] == b) {  // ASCII, the common case
      out[o++] = static_cast<char>(b);
      ++i;
      continue;
    }
    auto [cp, len] = multi_byte_char(t, raw, i);
    if (cp == kUndefined) {
      if (on_invalid == InvalidText::fail) return invalid(cs, raw, i);
      cp = kReplacement;
    }
    o += put_utf8(out + o, cp);
    i += len;
  }
  return std::string_view(out, o);
}

// One iconv converter per multi-byte charset, opened on first use by this thread and closed
// when the thread ends: iconv_t keeps conversion state and must not be shared between threads.
class IconvCache {
 public:
  IconvCache() : converters_(kCharsetRows.size(), kClosed) {}
  ~IconvCache() {
    for (iconv_t cd : converters_) {
      if (cd != kClosed) iconv_close(cd);
    }
  }
  IconvCache(const IconvCache&) = delete;
  IconvCache& operator=(const IconvCache&) = delete;

  Result<iconv_t> get(const Charset& cs) {
    const auto index = static_cast<size_t>(&cs - kCharsetRows.data());
    iconv_t& cd = converters_[index];
    if (cd == kClosed) {
      const std::string from(cs.iconv_name);
      cd = iconv_open("UTF-8", from.c_str());
      if (cd == kClosed) {
        return make_error(Errc::internal, "iconv_open(UTF-8, " + from +
                                              ") failed for MySQL charset " + std::string(cs.name) +
                                              ": " + std::strerror(errno));
      }
    }
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial shift state for each value
    return cd;
  }

 private:
  static inline const iconv_t kClosed = reinterpret_cast<iconv_t>(-1);
  std::vector<iconv_t> converters_;
};

Result<std::string_view> iconv_to_utf8(std::string_view raw, const Charset& cs,
                                       InvalidText on_invalid, Arena& arena) {
  thread_local IconvCache cache;
  CDC_TRY_ASSIGN(iconv_t cd, cache.get(cs));
  // Every charset here needs at least as many input bytes per character as UTF-8 needs output
  // bytes, except one byte to 3 (sjis/cp932 half-width katakana, U+FF61..) and 2 bytes to 3
  // (BMP characters in ucs2/utf16/double-byte charsets; U+FFFD for an invalid byte as well).
  const size_t cap = raw.size() * 3 + 4;
  auto* out = static_cast<char*>(arena.allocate(cap, 1));
  // glibc's iconv takes char** although it does not write the input.
  char* in = const_cast<char*>(raw.data());
  size_t in_left = raw.size();
  char* o = out;
  size_t out_left = cap;
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &o, &out_left) != static_cast<size_t>(-1)) break;
    const int err = errno;
    const size_t at = raw.size() - in_left;
    if (err == E2BIG) {
      return make_error(Errc::internal, "UTF-8 of a " + std::string(cs.name) + " value over " +
                                            std::to_string(cap) + " bytes");
    }
    // EILSEQ: invalid sequence; EINVAL: incomplete sequence at the end of the value.
    if (on_invalid == InvalidText::fail) return invalid(cs, raw, at);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    const size_t n = put_utf8(o, kReplacement);
    o += n;
    out_left -= n;
    ++in;
    --in_left;
  }
  return std::string_view(out, static_cast<size_t>(o - out));
}

}  // namespace

const Charset* charset_of_collation(uint32_t id) {
  const auto* row = find_collation(id);
  return row ? &kCharsetRows[row->charset] : nullptr;
}

std::string_view collation_name(uint32_t id) {
  const auto* row = find_collation(id);
  return row ? row->name : std::string_view();
}

const Charset* charset_of_collation_named(std::string_view collation) {
  for (const auto& row : kCollationRows) {
    if (iequals_ascii(row.name, collation)) return &kCharsetRows[row.charset];
  }
  return nullptr;
}

const Charset* charset_named(std::string_view name) {
  if (iequals_ascii(name, "utf8")) name = "utf8mb3";
  for (const auto& cs : kCharsetRows) {
    if (iequals_ascii(cs.name, name)) return &cs;
  }
  return nullptr;
}

bool is_utf8_charset(const Charset& cs) {
  return !is_binary(cs) && cs.single_byte == nullptr && cs.multi_byte == nullptr &&
         cs.iconv_name.empty();
}

bool is_utf8(std::string_view raw, size_t mbmaxlen) {
  return utf8_valid_prefix(raw, mbmaxlen) == raw.size();
}

Result<std::string_view> to_utf8(std::string_view raw, const Charset& cs, InvalidText on_invalid,
                                 Arena& arena) {
  if (is_binary(cs)) return make_error(Errc::internal, "to_utf8 called for binary bytes");
  if (cs.single_byte != nullptr) return table_to_utf8(raw, cs, on_invalid, arena);
  if (cs.multi_byte != nullptr) return multi_byte_to_utf8(raw, cs, on_invalid, arena);
  if (cs.iconv_name.empty()) return utf8_to_utf8(raw, cs, on_invalid, arena);
  return iconv_to_utf8(raw, cs, on_invalid, arena);
}

}  // namespace cdc::mysql
