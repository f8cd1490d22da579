#include "tests/fakes/doris/doris_types.h"

#include <simdjson.h>

#include <cctype>
#include <charconv>

#include "cdc/core/text.h"

namespace cdc::testing::doris {
namespace {

struct Range {
  __int128 min;
  __int128 max;
};

std::optional<Range> integer_range(TypeKind k) {
  switch (k) {
    case TypeKind::tinyint: return Range{-128, 127};
    case TypeKind::smallint: return Range{-32768, 32767};
    case TypeKind::int_: return Range{INT32_MIN, INT32_MAX};
    case TypeKind::bigint: return Range{INT64_MIN, INT64_MAX};
    case TypeKind::largeint: {
      // Doris LARGEINT: [-2^127 + 1, 2^127 - 1].
      const __int128 max =
          (static_cast<__int128>(1) << 126) - 1 + (static_cast<__int128>(1) << 126);
      return Range{-max, max};
    }
    default: return std::nullopt;
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<__int128> parse_int128(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (!all_digits(s) || s.size() > 39) return std::nullopt;
  __int128 v = 0;
  for (char c : s) {
    const __int128 next = v * 10 + (c - '0');
    if (next < v) return std::nullopt;
    v = next;
  }
  return neg ? -v : v;
}

std::string int128_text(__int128 v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  std::string out;
  while (v != 0) {
    const int digit = static_cast<int>(v % 10);
    out.push_back(static_cast<char>('0' + (neg ? -digit : digit)));
    v /= 10;
  }
  if (neg) out.push_back('-');
  return {out.rbegin(), out.rend()};
}

Checked refuse(std::string reason) { return Checked{std::nullopt, std::move(reason)}; }

Checked check_decimal(const DorisType& t, std::string_view s) {
  std::string_view digits = s;
  std::string sign;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    if (digits[0] == '-') sign = "-";
    digits.remove_prefix(1);
  }
  const size_t dot = digits.find('.');
  std::string_view int_part = digits.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : digits.substr(dot + 1);
  if ((int_part.empty() && frac.empty()) || (!int_part.empty() && !all_digits(int_part)) ||
      (!frac.empty() && !all_digits(frac))) {
    return refuse("'" + std::string(s) + "' is not a decimal");
  }
  while (int_part.size() > 1 && int_part[0] == '0') int_part.remove_prefix(1);
  if (int_part.empty()) int_part = "0";
  if (int_part != "0" && int_part.size() > t.precision - t.scale) {
    return refuse("'" + std::string(s) + "' does not fit " + t.to_sql());
  }
  // The test server refuses digits a real Doris would round away: a sink that sends them has
  // mapped the type wrong, which a test should see.
  std::string_view kept = frac;
  while (kept.size() > t.scale && kept.back() == '0') kept.remove_suffix(1);
  if (kept.size() > t.scale) {
    return refuse("'" + std::string(s) + "' has more than " + std::to_string(t.scale) +
                  " fractional digits for " + t.to_sql());
  }
  std::string out = sign + std::string(int_part);
  if (t.scale > 0) {
    out += '.';
    out += kept;
    out.append(t.scale - kept.size(), '0');
  }
  if (out == "-0" ||
      (out.starts_with("-0.") && out.find_first_not_of("0.", 1) == std::string::npos)) {
    out.erase(0, 1);
  }
  return Checked{out, ""};
}

bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2)))
    return false;
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  // Doris DATE range is 0000-01-01 .. 9999-12-31; no zero month or day.
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Checked check_datetime(const DorisType& t, std::string_view s) {
  if (s.size() < 19 || !valid_date(s.substr(0, 10)) || (s[10] != ' ' && s[10] != 'T') ||
      s[13] != ':' || s[16] != ':' || !all_digits(s.substr(11, 2)) ||
      !all_digits(s.substr(14, 2)) || !all_digits(s.substr(17, 2))) {
    return refuse("'" + std::string(s) + "' is not a datetime");
  }
  std::string_view frac;
  if (s.size() > 19) {
    if (s[19] != '.' || !all_digits(s.substr(20))) {
      return refuse("'" + std::string(s) + "' is not a datetime");
    }
    frac = s.substr(20);
  }
  while (frac.size() > t.scale && frac.back() == '0') frac.remove_suffix(1);
  if (frac.size() > t.scale) {
    return refuse("'" + std::string(s) + "' has more fractional digits than " + t.to_sql());
  }
  std::string out(s.substr(0, 19));
  out[10] = ' ';
  if (t.scale > 0) {
    out += '.';
    out += frac;
    out.append(t.scale - frac.size(), '0');
  }
  return Checked{out, ""};
}

}  // namespace

bool DorisType::is_integer() const { return integer_range(kind).has_value(); }

std::string DorisType::to_sql() const {
  switch (kind) {
    case TypeKind::boolean: return "boolean";
    case TypeKind::tinyint: return "tinyint";
    case TypeKind::smallint: return "smallint";
    case TypeKind::int_: return "int";
    case TypeKind::bigint: return "bigint";
    case TypeKind::largeint: return "largeint";
    case TypeKind::float_: return "float";
    case TypeKind::double_: return "double";
    case TypeKind::decimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeKind::date: return "date";
    case TypeKind::datetime:
      return scale == 0 ? "datetime" : "datetime(" + std::to_string(scale) + ")";
    case TypeKind::char_: return "char(" + std::to_string(length) + ")";
    case TypeKind::varchar: return "varchar(" + std::to_string(length) + ")";
    case TypeKind::string: return "text";
    case TypeKind::json: return "json";
  }
  return "?";
}

std::optional<DorisType> parse_type(std::string_view text) {
  std::string t = upper_ascii(std::string(trim(text)));
  std::string name = t;
  std::vector<uint32_t> args;
  if (const size_t open = t.find('('); open != std::string::npos) {
    if (t.back() != ')') return std::nullopt;
    name = std::string(trim(std::string_view(t).substr(0, open)));
    std::string_view rest = std::string_view(t).substr(open + 1, t.size() - open - 2);
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view part = trim(rest.substr(0, comma));
      uint32_t v = 0;
      if (auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
          ec != std::errc() || p != part.data() + part.size()) {
        return std::nullopt;
      }
      args.push_back(v);
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
  }
  DorisType out;
  const auto no_args = [&](TypeKind k) -> std::optional<DorisType> {
    if (!args.empty()) return std::nullopt;
    out.kind = k;
    return out;
  };
  if (name == "BOOLEAN" || name == "BOOL") return no_args(TypeKind::boolean);
  if (name == "TINYINT") return no_args(TypeKind::tinyint);
  if (name == "SMALLINT") return no_args(TypeKind::smallint);
  if (name == "INT" || name == "INTEGER") return no_args(TypeKind::int_);
  if (name == "BIGINT") return no_args(TypeKind::bigint);
  if (name == "LARGEINT") return no_args(TypeKind::largeint);
  if (name == "FLOAT") return no_args(TypeKind::float_);
  if (name == "DOUBLE") return no_args(TypeKind::double_);
  if (name == "DATE" || name == "DATEV2") return no_args(TypeKind::date);
  if (name == "STRING" || name == "TEXT") return no_args(TypeKind::string);
  if (name == "JSON" || name == "JSONB") return no_args(TypeKind::json);
  if (name == "DECIMAL" || name == "DECIMALV3") {
    // Doris DECIMAL(P[, S]): 1 <= P <= 38, 0 <= S <= P; P defaults to 9 and S to 0.
    out.kind = TypeKind::decimal;
    out.precision = args.empty() ? 9 : args[0];
    out.scale = args.size() > 1 ? args[1] : 0;
    if (args.size() > 2 || out.precision < 1 || out.precision > 38 || out.scale > out.precision)
      return std::nullopt;
    return out;
  }
  if (name == "DATETIME" || name == "DATETIMEV2") {
    // DATETIME([P]): P fractional digits, 0..6.
    out.kind = TypeKind::datetime;
    out.scale = args.empty() ? 0 : args[0];
    if (args.size() > 1 || out.scale > 6) return std::nullopt;
    return out;
  }
  if (name == "CHAR" || name == "VARCHAR") {
    // CHAR(M): 1..255 bytes; VARCHAR(M): 1..65533 bytes (Doris "Data Types").
    out.kind = name == "CHAR" ? TypeKind::char_ : TypeKind::varchar;
    out.length = args.empty() ? 1 : args[0];
    const uint32_t max = name == "CHAR" ? 255 : 65533;
    if (args.size() > 1 || out.length < 1 || out.length > max) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

Checked check_value(const DorisType& t, std::string_view s) {
  if (const auto range = integer_range(t.kind)) {
    const auto v = parse_int128(trim(s));
    if (!v) return refuse("'" + std::string(s) + "' is not an integer");
    if (*v < range->min || *v > range->max) {
      return refuse("'" + std::string(s) + "' is out of range for " + t.to_sql());
    }
    return Checked{int128_text(*v), ""};
  }
  switch (t.kind) {
    case TypeKind::boolean:
      if (s == "true" || s == "1") return Checked{"1", ""};
      if (s == "false" || s == "0") return Checked{"0", ""};
      return refuse("'" + std::string(s) + "' is not a boolean");
    case TypeKind::float_:
    case TypeKind::double_: {
      double d = 0;
      const std::string_view v = trim(s);
      if (auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
          ec != std::errc() || p != v.data() + v.size() || v.empty()) {
        return refuse("'" + std::string(s) + "' is not a number");
      }
      return Checked{std::string(v), ""};
    }
    case TypeKind::decimal: return check_decimal(t, trim(s));
    case TypeKind::date:
      if (!valid_date(s)) return refuse("'" + std::string(s) + "' is not a date");
      return Checked{std::string(s), ""};
    case TypeKind::datetime: return check_datetime(t, s);
    case TypeKind::char_:
    case TypeKind::varchar:
      if (s.size() > t.length) {
        return refuse("the length of '" + std::string(s.substr(0, 32)) + "' (" +
                      std::to_string(s.size()) + " bytes) is longer than the schema's " +
                      t.to_sql());
      }
      return Checked{std::string(s), ""};
    case TypeKind::string: return Checked{std::string(s), ""};
    case TypeKind::json: {
      simdjson::dom::parser parser;
      if (parser.parse(s.data(), s.size()).error() != simdjson::SUCCESS) {
        return refuse("'" + std::string(s.substr(0, 32)) + "' is not valid JSON");
      }
      return Checked{std::string(s), ""};
    }
    default: break;
  }
  return refuse("unsupported type");
}

}  // namespace cdc::testing::doris
