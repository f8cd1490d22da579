#include "config/datagen_type.h"

#include <string>
#include <vector>

#include "cdc/core/text.h"

namespace cdc::config {
namespace {

constexpr std::string_view kSupported =
    "supported: tinyint, smallint, int, bigint (each optionally unsigned), boolean, float, "
    "double, decimal(p,s), char(n), varchar(n), text, date, datetime(fsp), timestamp(fsp), json";

Error bad(std::string_view text, std::string_view why) {
  return make_error(Errc::invalid_config, "unsupported column type '" + std::string(text) + "'" +
                                              (why.empty() ? "" : " (" + std::string(why) + ")") +
                                              "; " + std::string(kSupported));
}

bool parse_uint(std::string_view s, uint32_t& out) {
  s = trim(s);
  if (s.empty() || s.size() > 9) return false;
  uint32_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  out = n;
  return true;
}

}  // namespace

bool DatagenType::is_integer() const {
  return base == Base::tinyint || base == Base::smallint || base == Base::int_ ||
         base == Base::bigint;
}
bool DatagenType::is_numeric() const {
  return is_integer() || base == Base::float_ || base == Base::double_ || base == Base::decimal;
}
bool DatagenType::is_string() const {
  return base == Base::char_ || base == Base::varchar || base == Base::text;
}

Result<DatagenType> parse_datagen_type(std::string_view text) {
  std::string s;
  for (char c : text) s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  std::string_view rest = trim(s);
  DatagenType t;
  constexpr std::string_view kUnsigned = " unsigned";
  if (rest.size() > kUnsigned.size() && rest.ends_with(kUnsigned)) {
    t.is_unsigned = true;
    rest = trim(rest.substr(0, rest.size() - kUnsigned.size()));
  }
  std::string_view name = rest;
  std::vector<uint32_t> args;
  bool has_args = false;
  if (const size_t open = rest.find('('); open != std::string_view::npos) {
    if (!rest.ends_with(')'))
      return bad(
          text,
          "unbalanced parentheses; inside {...} quote a type with a comma: \"decimal(10,2)\"");
    has_args = true;
    name = trim(rest.substr(0, open));
    std::string_view inner = rest.substr(open + 1, rest.size() - open - 2);
    while (true) {
      const size_t comma = inner.find(',');
      uint32_t v = 0;
      if (!parse_uint(inner.substr(0, comma), v)) return bad(text, "bad type arguments");
      args.push_back(v);
      if (comma == std::string_view::npos) break;
      inner.remove_prefix(comma + 1);
    }
  }
  using B = DatagenType::Base;
  struct Entry {
    std::string_view name;
    B base;
    size_t min_args, max_args;
  };
  static constexpr Entry kTypes[] = {
      {"tinyint", B::tinyint, 0, 1},   {"smallint", B::smallint, 0, 1},
      {"int", B::int_, 0, 1},          {"integer", B::int_, 0, 1},
      {"bigint", B::bigint, 0, 1},     {"boolean", B::boolean, 0, 0},
      {"bool", B::boolean, 0, 0},      {"float", B::float_, 0, 0},
      {"double", B::double_, 0, 0},    {"decimal", B::decimal, 1, 2},
      {"char", B::char_, 1, 1},        {"varchar", B::varchar, 1, 1},
      {"text", B::text, 0, 0},         {"date", B::date, 0, 0},
      {"datetime", B::datetime, 0, 1}, {"timestamp", B::timestamp, 0, 1},
      {"json", B::json, 0, 0},
  };
  const Entry* found = nullptr;
  for (const Entry& e : kTypes) {
    if (e.name == name) found = &e;
  }
  if (found == nullptr) return bad(text, "");
  if (args.size() < found->min_args || args.size() > found->max_args ||
      (has_args && args.empty())) {
    return bad(text, found->min_args > 0 && args.empty() ? "a length or precision is required"
                                                         : "wrong number of type arguments");
  }
  t.base = found->base;
  if (t.is_unsigned && !t.is_integer()) return bad(text, "only integer types can be unsigned");
  switch (t.base) {
    case B::decimal:
      t.precision = args[0];
      t.scale = args.size() > 1 ? args[1] : 0;
      if (t.precision < 1 || t.precision > 65) return bad(text, "precision must be 1..65");
      if (t.scale > 30 || t.scale > t.precision)
        return bad(text, "scale must be 0..30 and <= precision");
      break;
    case B::char_:
      t.precision = args[0];
      if (t.precision > 255) return bad(text, "char length must be 0..255");
      break;
    case B::varchar:
      t.precision = args[0];
      if (t.precision < 1 || t.precision > 65535)
        return bad(text, "varchar length must be 1..65535");
      break;
    case B::datetime:
    case B::timestamp:
      t.precision = args.empty() ? 0 : args[0];
      if (t.precision > 6) return bad(text, "fractional seconds precision must be 0..6");
      break;
    default:
      break;  // integer display widths like int(11) are accepted and ignored, as MySQL 8 does
  }
  return t;
}

}  // namespace cdc::config
