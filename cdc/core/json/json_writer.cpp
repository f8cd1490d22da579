#include "cdc/core/json/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "cdc/core/json/utf8.h"

namespace cdc::json {

namespace {

// True for bytes copied to a JSON string unchanged: printable ASCII (and DEL) except `"` `\`.
constexpr bool is_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

struct PlainTable {
  bool v[256];
  constexpr PlainTable() : v() {
    for (int c = 0; c < 256; ++c) v[c] = is_plain(static_cast<unsigned char>(c));
  }
};
constexpr PlainTable kPlain;

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Whether any of the 8 bytes at p is not plain (SWAR: a byte >= 0x80, < 0x20, '"' or '\').
inline bool has_special8(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  const uint64_t high = w & kHighs;
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  const uint64_t q = w ^ (kOnes * '"');
  const uint64_t quote = (q - kOnes) & ~q & kHighs;
  const uint64_t b = w ^ (kOnes * '\\');
  const uint64_t backslash = (b - kOnes) & ~b & kHighs;
  return (high | below_space | quote | backslash) != 0;
}

constexpr char kHex[] = "0123456789ABCDEF";

inline void append_ascii_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out.append("\\\"", 2); return;
    case '\\': out.append("\\\\", 2); return;
    case '\b': out.append("\\b", 2); return;
    case '\f': out.append("\\f", 2); return;
    case '\n': out.append("\\n", 2); return;
    case '\r': out.append("\\r", 2); return;
    case '\t': out.append("\\t", 2); return;
    default: {
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(esc, 6);
    }
  }
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

bool is_plain_ascii(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (end - p >= 8) {
    if (has_special8(p)) return false;
    p += 8;
  }
  while (p < end) {
    if (!kPlain.v[*p++]) return false;
  }
  return true;
}

void append_string(std::string& out, std::string_view s, InvalidUtf8Policy policy) {
  // Fast path: most values (names, tables, files, labels) are short plain ASCII: copy them
  // with their quotes in one append.
  if (s.size() <= 64 && is_plain_ascii(s)) {
    char buf[66];
    buf[0] = '"';
    if (!s.empty()) std::memcpy(buf + 1, s.data(), s.size());  // an empty view may be null
    buf[s.size() + 1] = '"';
    out.append(buf, s.size() + 2);
    return;
  }
  const size_t start = out.size();
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  const auto* run = p;  // start of the bytes not yet copied
  while (true) {
    while (end - p >= 8 && !has_special8(p)) p += 8;
    if (p == end) break;
    const unsigned char c = *p;
    if (kPlain.v[c]) {
      ++p;
      continue;
    }
    if (c < 0x80) {
      out.append(reinterpret_cast<const char*>(run), p - run);
      append_ascii_escape(out, c);
      run = ++p;
      continue;
    }
    const Utf8Seq seq = utf8_sequence(p, end);
    if (seq.valid) {
      // U+2028/U+2029 (E2 80 A8/A9) are valid JSON but break JavaScript string literals.
      if (seq.length == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
        out.append(reinterpret_cast<const char*>(run), p - run);
        out.append(p[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
        run = p + 3;
      }
      p += seq.length;
      continue;
    }
    if (policy == InvalidUtf8Policy::base64) {
      out.resize(start);
      out.push_back('"');
      append_base64(out, s);
      out.push_back('"');
      return;
    }
    out.append(reinterpret_cast<const char*>(run), p - run);
    out.append("\xEF\xBF\xBD", 3);  // U+FFFD for the maximal invalid subpart
    p += seq.length;
    run = p;
  }
  out.append(reinterpret_cast<const char*>(run), p - run);
  out.push_back('"');
}

void append_base64(std::string& out, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const size_t base = out.size();
  out.resize(base + (n + 2) / 3 * 4);
  char* o = out.data() + base;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *o++ = kB64[v >> 18];
    *o++ = kB64[(v >> 12) & 63];
    *o++ = kB64[(v >> 6) & 63];
    *o++ = kB64[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{p[i]} << 16;
    *o++ = kB64[v >> 18];
    *o++ = kB64[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    *o++ = kB64[v >> 18];
    *o++ = kB64[(v >> 12) & 63];
    *o++ = kB64[(v >> 6) & 63];
    *o++ = '=';
  }
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & kHighs) break;
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const Utf8Seq seq = utf8_sequence(p, end);
    if (!seq.valid) return false;
    p += seq.length;
  }
  return true;
}

bool append_double(std::string& out, double d) {
  if (!std::isfinite(d)) return false;
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out.append(buf, r.ptr - buf);
  return true;
}

bool append_float(std::string& out, float f) {
  if (!std::isfinite(f)) return false;
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), f);
  out.append(buf, r.ptr - buf);
  return true;
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr - buf);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr - buf);
}

bool JsonWriter::raw_json(std::string_view json) {
  if (!is_valid_json(json)) {
    string(json);
    return false;
  }
  sep();
  out_.append(json);
  need_comma_ = true;
  return true;
}

}  // namespace cdc::json
