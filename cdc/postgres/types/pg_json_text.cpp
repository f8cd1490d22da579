#include "cdc/postgres/types/pg_json_text.h"

#include <algorithm>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/text.h"
#include "cdc/postgres/types/pg_composite_text.h"
#include "cdc/postgres/types/pg_datetime_text.h"
#include "cdc/postgres/types/pg_scalar_text.h"

namespace cdc::postgres {

namespace {

// The error of `r`, or success: for checks that need only whether the text parses.
template <class T>
Status status_of(Result<T> r) {
  if (r) return {};
  return std::move(r).error();
}

Error too_deep() {
  return make_error(Errc::malformed,
                    "containers nested deeper than " + std::to_string(kMaxPgNesting));
}

// JSON's number grammar (RFC 8259), as PostgreSQL's IsValidJsonNumber decides bare or quoted.
bool is_json_number(std::string_view s) {
  size_t i = 0;
  auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

Status check_range(const PgTypeRegistry& registry, uint32_t subtype, std::string_view text,
                   int depth) {
  auto sub = resolve_pg_type(registry, subtype, -1);
  if (!sub) return std::move(sub).error();
  PgRangeText range;
  return parse_pg_range(text, range, [&](std::optional<std::string_view> bound) -> Status {
    if (!bound) return {};
    return check_pg_text(registry, *sub, *bound, depth + 1);
  });
}

}  // namespace

void append_pg_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_xsd_timestamp(std::string& out, std::string_view iso, bool with_zone) {
  out.push_back('"');
  const size_t space = iso.find(' ');
  if (space == std::string_view::npos) {  // infinity, -infinity
    out += iso;
    out.push_back('"');
    return;
  }
  out += iso.substr(0, space);
  out.push_back('T');
  std::string_view rest = iso.substr(space + 1);
  std::string_view bc;
  if (rest.size() >= 3 && rest.substr(rest.size() - 3) == " BC") {
    bc = rest.substr(rest.size() - 3);
    rest.remove_suffix(3);
  }
  if (with_zone) {
    const size_t zone = rest.find_first_of("+-");
    out += rest.substr(0, zone);
    const std::string_view offset = rest.substr(zone);
    out += offset;
    if (offset.size() == 3) out += ":00";  // "+05": XSD always has the minutes
  } else {
    out += rest;
  }
  out += bc;
  out.push_back('"');
}

std::pair<int64_t, int64_t> pg_int_bounds(PgClass cls) {
  switch (cls) {
    case PgClass::int2: return {INT16_MIN, INT16_MAX};
    case PgClass::int4: return {INT32_MIN, INT32_MAX};
    case PgClass::oid: return {0, UINT32_MAX};
    default: return {INT64_MIN, INT64_MAX};
  }
}

Status check_pg_text(const PgTypeRegistry& registry, const PgResolved& type, std::string_view text,
                     int depth) {
  if (depth > kMaxPgNesting) return too_deep();
  switch (type.cls) {
    case PgClass::boolean: return status_of(parse_pg_bool(text));
    case PgClass::int2:
    case PgClass::int4:
    case PgClass::int8:
    case PgClass::oid: {
      const auto [min, max] = pg_int_bounds(type.cls);
      return status_of(parse_pg_int(text, min, max));
    }
    case PgClass::float4: return status_of(parse_pg_float4(text));
    case PgClass::float8: return status_of(parse_pg_float8(text));
    case PgClass::numeric: return status_of(parse_pg_numeric(text));
    case PgClass::money: {
      std::string digits;
      uint32_t scale = 0;
      return parse_pg_money(text, digits, scale);
    }
    case PgClass::bytea: {
      std::string bytes;
      return parse_pg_bytea(text, bytes);
    }
    case PgClass::uuid: return check_pg_uuid(text);
    case PgClass::inet: return check_pg_inet(text, false);
    case PgClass::cidr: return check_pg_inet(text, true);
    case PgClass::macaddr: return check_pg_macaddr(text, 6);
    case PgClass::macaddr8: return check_pg_macaddr(text, 8);
    case PgClass::bit:
      if (type.typmod >= 0 && text.size() != static_cast<size_t>(type.typmod)) {
        return make_error(Errc::malformed, "bit string of " + std::to_string(text.size()) +
                                               " bits, not " + std::to_string(type.typmod));
      }
      return check_pg_bits(text);
    case PgClass::varbit: return check_pg_bits(text);
    case PgClass::date: return status_of(parse_pg_date(text));
    case PgClass::time: return status_of(parse_pg_time(text));
    case PgClass::timetz: return status_of(parse_pg_timetz(text));
    case PgClass::timestamp:
    case PgClass::timestamptz:
      return status_of(parse_pg_timestamp(text, type.cls == PgClass::timestamptz));
    case PgClass::interval: return status_of(parse_pg_interval(text));
    case PgClass::json:
    case PgClass::jsonb:
      if (!json::is_valid_json(text)) return make_error(Errc::malformed, "not valid JSON");
      return {};
    case PgClass::array:
    case PgClass::composite: {
      std::string scratch;
      return append_pg_json(registry, type.info->oid, type.typmod, text, scratch, depth);
    }
    case PgClass::enumeration: {
      const auto& labels = type.info->enum_labels;
      if (std::find(labels.begin(), labels.end(), text) == labels.end()) {
        return make_error(Errc::malformed,
                          "label " + quote(printable(text)) + " is not one of the " +
                              std::to_string(labels.size()) + " labels read from pg_enum");
      }
      return {};
    }
    case PgClass::range: return check_range(registry, type.info->range_subtype, text, depth);
    case PgClass::multirange:
      return parse_pg_multirange(text, [&](std::string_view range) {
        return check_range(registry, type.info->range_subtype, range, depth);
      });
    case PgClass::point:
    case PgClass::geometric: return check_pg_geometric(type.info->oid, text);
    case PgClass::text:
    case PgClass::xml:
    case PgClass::other: return check_utf8(text);
  }
  return make_error(Errc::internal, "unhandled type class");
}

Status append_pg_json(const PgTypeRegistry& registry, uint32_t type_oid, int32_t typmod,
                      std::string_view text, std::string& out, int depth) {
  if (depth > kMaxPgNesting) return too_deep();
  CDC_TRY_ASSIGN(const PgResolved type, resolve_pg_type(registry, type_oid, typmod));
  switch (type.cls) {
    case PgClass::array: {
      const PgTypeInfo* element = registry.find(type.info->element_oid);
      if (element == nullptr) {
        return make_error(Errc::unsupported, "element type oid " +
                                                 std::to_string(type.info->element_oid) + " of " +
                                                 type.info->name + " is not known");
      }
      bool first = true;  // no comma before the first value of a level
      PgArrayVisitor v;
      v.begin = [&]() -> Status {
        if (!first) out.push_back(',');
        out.push_back('[');
        first = true;
        return {};
      };
      v.end = [&]() -> Status {
        out.push_back(']');
        first = false;
        return {};
      };
      v.element = [&](std::optional<std::string_view> e) -> Status {
        if (!first) out.push_back(',');
        first = false;
        if (!e) {
          out += "null";
          return {};
        }
        return append_pg_json(registry, element->oid, type.typmod, *e, out, depth + 1);
      };
      return parse_pg_array(text, element->delimiter, v);
    }
    case PgClass::composite: {
      const auto& fields = type.info->fields;
      size_t index = 0;
      out.push_back('{');
      CDC_TRY(parse_pg_record(text, [&](std::optional<std::string_view> f) -> Status {
        if (index == fields.size()) {
          return make_error(Errc::malformed, "record of more than the " +
                                                 std::to_string(fields.size()) + " fields of " +
                                                 type.info->name);
        }
        if (index > 0) out.push_back(',');
        append_pg_json_string(out, fields[index].first);
        out.push_back(':');
        const uint32_t field_type = fields[index].second;
        ++index;
        if (!f) {
          out += "null";
          return {};
        }
        return append_pg_json(registry, field_type, -1, *f, out, depth + 1);
      }));
      if (index != fields.size()) {
        return make_error(Errc::malformed, "record of " + std::to_string(index) +
                                               " fields, not the " + std::to_string(fields.size()) +
                                               " of " + type.info->name);
      }
      out.push_back('}');
      return {};
    }
    default: break;
  }
  CDC_TRY(check_pg_text(registry, type, text, depth));
  switch (type.cls) {
    case PgClass::boolean: out += text == "t" ? "true" : "false"; return {};
    case PgClass::int2:
    case PgClass::int4:
    case PgClass::int8:
    case PgClass::float4:
    case PgClass::float8:
    case PgClass::numeric:
      if (is_json_number(text)) {
        out += text;
      } else {
        append_pg_json_string(out, text);  // NaN, Infinity
      }
      return {};
    case PgClass::date: append_pg_json_string(out, text); return {};
    case PgClass::timestamp: append_xsd_timestamp(out, text, false); return {};
    case PgClass::timestamptz: append_xsd_timestamp(out, text, true); return {};
    case PgClass::json:
    case PgClass::jsonb: out += text; return {};
    case PgClass::bytea: {
      // As to_json prints it with bytea_output=hex: the element's text may be the escape
      // format, whose raw bytes need not be UTF-8 (found by the pg_text fuzz campaign).
      std::string bytes;
      CDC_TRY(parse_pg_bytea(text, bytes));
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\"\\\\x";
      for (const char b : bytes) {
        out.push_back(kHex[(static_cast<unsigned char>(b) >> 4) & 0xF]);
        out.push_back(kHex[static_cast<unsigned char>(b) & 0xF]);
      }
      out.push_back('"');
      return {};
    }
    default: append_pg_json_string(out, text); return {};
  }
}

}  // namespace cdc::postgres
