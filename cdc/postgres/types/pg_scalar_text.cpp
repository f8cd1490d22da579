#include "cdc/postgres/types/pg_scalar_text.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cmath>

#include "cdc/core/text.h"
#include "cdc/postgres/types/pg_builtin_types.h"

namespace cdc::postgres {

namespace {

Error bad(std::string_view what, std::string_view text) {
  constexpr size_t kShown = 80;  // a 1 GB value is not copied into the message
  std::string shown = printable(text.substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  return make_error(Errc::malformed, std::string(what) + ": " + quote(shown));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A float as float8out/float4out print it: digits, '.', exponent; PostgreSQL's own spellings
// of the special values. from_chars also takes "inf", "infinity" and "nan(...)" in any case,
// which PostgreSQL never prints: they are the only texts it reads as NaN or an infinity (a
// number beyond the range is result_out_of_range), so a non-finite result refuses them without
// a scan of every character first.
template <class F>
Result<F> parse_float(std::string_view text, std::string_view type) {
  if (text == "NaN") return std::numeric_limits<F>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<F>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<F>::infinity();
  F v{};
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || !std::isfinite(v)) {
    return bad(std::string("not a ") + std::string(type), text);
  }
  return v;
}

}  // namespace

Status check_utf8(std::string_view text) {
  const size_t at = invalid_utf8_offset(text);
  if (at == std::string_view::npos) return {};
  return make_error(Errc::malformed, "not UTF-8 at byte " + std::to_string(at) +
                                         " (the session's client_encoding must be UTF8)");
}

Result<bool> parse_pg_bool(std::string_view text) {
  if (text == "t") return true;
  if (text == "f") return false;
  return bad("not a boolean ('t' or 'f')", text);
}

Result<int64_t> parse_pg_int(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || text[0] == '+' || ec != std::errc() || p != end || v < min || v > max) {
    return bad("not an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
               text);
  }
  return v;
}

Result<double> parse_pg_float8(std::string_view text) {
  return parse_float<double>(text, "double precision");
}
Result<float> parse_pg_float4(std::string_view text) { return parse_float<float>(text, "real"); }

Result<PgNumeric> parse_pg_numeric(std::string_view text) {
  PgNumeric n;
  if (text == "NaN") n.special = PgNumeric::Special::nan;
  if (text == "Infinity") n.special = PgNumeric::Special::infinity;
  if (text == "-Infinity") n.special = PgNumeric::Special::minus_infinity;
  if (n.special != PgNumeric::Special::none) return n;
  std::string_view rest = text;
  if (!rest.empty() && rest[0] == '-') rest.remove_prefix(1);
  size_t int_digits = 0;
  while (int_digits < rest.size() && is_digit(rest[int_digits])) ++int_digits;
  rest.remove_prefix(int_digits);
  if (!rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    while (n.scale < rest.size() && is_digit(rest[n.scale])) ++n.scale;
    rest.remove_prefix(n.scale);
    if (n.scale == 0) return bad("not a numeric (no digit after the point)", text);
  }
  if (int_digits == 0 || !rest.empty()) return bad("not a numeric", text);
  return n;
}

Status parse_pg_money(std::string_view text, std::string& digits, uint32_t& scale) {
  std::string_view rest = text;
  const bool negative = !rest.empty() && rest[0] == '-';
  if (negative) rest.remove_prefix(1);
  if (rest.empty() || rest[0] != '$') {
    return bad("not money as lc_monetary=C prints it (\"$1,234.56\")", text);
  }
  rest.remove_prefix(1);
  const size_t start = digits.size();
  if (negative) digits.push_back('-');
  // Groups of three after the first, as cash_out separates them.
  bool any = false;
  while (!rest.empty() && (is_digit(rest[0]) || rest[0] == ',')) {
    if (rest[0] == ',') {
      // A separator stands before a group of exactly three digits.
      const bool three = rest.size() >= 4 && is_digit(rest[1]) && is_digit(rest[2]) &&
                         is_digit(rest[3]) && (rest.size() == 4 || !is_digit(rest[4]));
      if (!any || !three) break;
    } else {
      digits.push_back(rest[0]);
      any = true;
    }
    rest.remove_prefix(1);
  }
  scale = 0;
  if (!rest.empty() && rest[0] == '.') {
    digits.push_back('.');
    rest.remove_prefix(1);
    while (!rest.empty() && is_digit(rest[0])) {
      digits.push_back(rest[0]);
      rest.remove_prefix(1);
      ++scale;
    }
  }
  if (!any || !rest.empty() || (digits.back() == '.')) {
    digits.resize(start);
    return bad("not money as lc_monetary=C prints it (\"$1,234.56\")", text);
  }
  return {};
}

Status parse_pg_bytea(std::string_view text, std::string& bytes) {
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    const std::string_view hex = text.substr(2);
    if (hex.size() % 2 != 0) return bad("bytea hex of odd length", text.substr(0, 80));
    const size_t start = bytes.size();
    bytes.resize(start + hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
      const int hi = hex_value(hex[i]);
      const int lo = hex_value(hex[i + 1]);
      if (hi < 0 || lo < 0) {
        bytes.resize(start);
        return bad("bytea hex with a non-hex digit at " + std::to_string(i + 2),
                   text.substr(0, 80));
      }
      bytes[start + i / 2] = static_cast<char>(hi << 4 | lo);
    }
    return {};
  }
  // Escape format (bytea_output=escape): "\\" is a backslash, "\ooo" an octal byte.
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      bytes.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      bytes.push_back('\\');
      ++i;
    } else if (i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3' &&
               text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' &&
               text[i + 3] <= '7') {
      bytes.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                        text[i + 3] - '0'));
      i += 3;
    } else {
      return bad("bytea escape format with a bad escape at " + std::to_string(i),
                 text.substr(0, 80));
    }
  }
  return {};
}

bool is_pg_uuid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return false;
  }
  // One table lookup per character: a uuid is in every row of many tables.
  static constexpr auto kHex = [] {
    std::array<bool, 256> t{};
    for (char c : std::string_view("0123456789abcdefABCDEF")) t[static_cast<uint8_t>(c)] = true;
    return t;
  }();
  constexpr uint64_t kDashes = 1ULL << 8 | 1ULL << 13 | 1ULL << 18 | 1ULL << 23;
  bool ok = true;
  for (size_t i = 0; i < text.size(); ++i) {
    ok &= kHex[static_cast<uint8_t>(text[i])] || ((kDashes >> i) & 1) != 0;
  }
  return ok;
}

Status check_pg_uuid(std::string_view text) {
  if (!is_pg_uuid(text)) return bad("not a uuid", text);
  return {};
}

Status check_pg_inet(std::string_view text, bool cidr) {
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  // inet_pton reads up to a NUL: "::\0<anything>" would pass as "::" (a fuzz finding).
  if (addr.find('\0') != std::string::npos) return bad("a NUL byte in an address", text);
  unsigned char buf[16];
  int max_bits = 32;
  if (addr.find(':') != std::string::npos) {
    max_bits = 128;
    if (inet_pton(AF_INET6, addr.c_str(), buf) != 1) return bad("not an IPv6 address", text);
  } else if (inet_pton(AF_INET, addr.c_str(), buf) != 1) {
    return bad("not an IPv4 address", text);
  }
  if (slash == std::string_view::npos) {
    if (cidr) return bad("cidr without a prefix length", text);
    return {};
  }
  auto bits = parse_pg_int(text.substr(slash + 1), 0, max_bits);
  if (!bits) return bad("bad prefix length", text);
  return {};
}

Status check_pg_macaddr(std::string_view text, int octets) {
  if (text.size() != static_cast<size_t>(octets) * 3 - 1) return bad("not a MAC address", text);
  for (size_t i = 0; i < text.size(); ++i) {
    if (i % 3 == 2 ? text[i] != ':' : hex_value(text[i]) < 0) {
      return bad("not a MAC address", text);
    }
  }
  return {};
}

Status check_pg_bits(std::string_view text) {
  for (char c : text) {
    if (c != '0' && c != '1') return bad("not a bit string", text);
  }
  return {};
}

namespace {

// A small matcher for the geometric spellings: `pattern` is literal punctuation, 'n' a float8
// (as float8out prints it) and '*' "the previous parenthesised point again, after a comma, any
// number of times".
class GeometricMatcher {
 public:
  explicit GeometricMatcher(std::string_view text) : text_(text) {}

  bool literal(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool number(double* out = nullptr) {
    size_t end = pos_;
    while (end < text_.size() && text_[end] != ',' && text_[end] != ')' && text_[end] != ']' &&
           text_[end] != '}' && text_[end] != '>') {
      ++end;
    }
    auto v = parse_pg_float8(text_.substr(pos_, end - pos_));
    if (!v) return false;
    if (out != nullptr) *out = *v;
    pos_ = end;
    return true;
  }
  bool point(double* x = nullptr, double* y = nullptr) {
    return literal('(') && number(x) && literal(',') && number(y) && literal(')');
  }
  bool points() {  // point(,point)*
    if (!point()) return false;
    while (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      if (!point()) return false;
    }
    return true;
  }
  bool done() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Status check_pg_geometric(uint32_t type_oid, std::string_view text) {
  GeometricMatcher m(text);
  bool ok = false;
  switch (type_oid) {
    case oid::kPoint: ok = m.point(); break;
    case oid::kLine:
      ok = m.literal('{') && m.number() && m.literal(',') && m.number() && m.literal(',') &&
           m.number() && m.literal('}');
      break;
    case oid::kLseg:
      ok = m.literal('[') && m.point() && m.literal(',') && m.point() && m.literal(']');
      break;
    case oid::kBox: ok = m.point() && m.literal(',') && m.point(); break;
    case oid::kPath:
      if (!text.empty() && text[0] == '[') {
        ok = m.literal('[') && m.points() && m.literal(']');
      } else {
        ok = m.literal('(') && m.points() && m.literal(')');
      }
      break;
    case oid::kPolygon: ok = m.literal('(') && m.points() && m.literal(')'); break;
    case oid::kCircle:
      ok = m.literal('<') && m.point() && m.literal(',') && m.number() && m.literal('>');
      break;
    default:
      return make_error(Errc::internal, "not a geometric type oid " + std::to_string(type_oid));
  }
  if (!ok || !m.done()) return bad("malformed geometric value", text);
  return {};
}

Result<std::pair<double, double>> parse_pg_point(std::string_view text) {
  GeometricMatcher m(text);
  double x = 0, y = 0;
  if (!m.point(&x, &y) || !m.done()) return bad("not a point", text);
  return std::pair{x, y};
}

}  // namespace cdc::postgres
