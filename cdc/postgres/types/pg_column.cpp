// pg_column: kind and metadata of a column, and its type's name as format_type(oid, typmod)
// prints it (the test compares the two for every type of its matrix).
#include "cdc/postgres/types/pg_builtin_types.h"
#include "cdc/postgres/types/pg_type_class.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

namespace {

constexpr int32_t kVarHeader = 4;  // VARHDRSZ, added to character and numeric modifiers

// quote_ident's rule without its keyword list: lower-case letters, digits and '_' not leading
// with a digit stay bare ("char", the one built-in keyword among type names, is quoted).
std::string quote_ident(const std::string& s) {
  bool safe = !s.empty() && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_') && s != "char";
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
  }
  if (safe) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string paren(int32_t v) { return "(" + std::to_string(v) + ")"; }

// intervaltypmodout: the fields (bits of INTERVAL_MASK) and the precision.
std::string interval_typmod(int32_t typmod) {
  if (typmod < 0) return "";
  const int32_t range = (typmod >> 16) & 0x7FFF;
  const int32_t precision = typmod & 0xFFFF;
  constexpr int32_t kMonth = 1 << 1, kYear = 1 << 2, kDay = 1 << 3, kHour = 1 << 10,
                    kMinute = 1 << 11, kSecond = 1 << 12;
  std::string fields;
  switch (range) {
    case kYear: fields = " year"; break;
    case kMonth: fields = " month"; break;
    case kDay: fields = " day"; break;
    case kHour: fields = " hour"; break;
    case kMinute: fields = " minute"; break;
    case kSecond: fields = " second"; break;
    case kYear | kMonth: fields = " year to month"; break;
    case kDay | kHour: fields = " day to hour"; break;
    case kDay | kHour | kMinute: fields = " day to minute"; break;
    case kDay | kHour | kMinute | kSecond: fields = " day to second"; break;
    case kHour | kMinute: fields = " hour to minute"; break;
    case kHour | kMinute | kSecond: fields = " hour to second"; break;
    case kMinute | kSecond: fields = " minute to second"; break;
    default: break;  // INTERVAL_FULL_RANGE
  }
  if (precision != 0xFFFF) fields += paren(precision);
  return fields;
}

// format_type_extended for a non-array type.
std::string type_name(const PgTypeInfo& t, int32_t typmod) {
  if (t.schema == "pg_catalog") {
    const bool mod = typmod >= 0;
    switch (t.oid) {
      case oid::kBool: return "boolean";
      case oid::kInt2: return "smallint";
      case oid::kInt4: return "integer";
      case oid::kInt8: return "bigint";
      case oid::kFloat4: return "real";
      case oid::kFloat8: return "double precision";
      case oid::kBpchar: return mod ? "character" + paren(typmod - kVarHeader) : "bpchar";
      case oid::kVarchar:
        return mod ? "character varying" + paren(typmod - kVarHeader) : "character varying";
      case oid::kBit: return mod ? "bit" + paren(typmod) : "bit";
      case oid::kVarbit: return mod ? "bit varying" + paren(typmod) : "bit varying";
      case oid::kNumeric: {
        if (!mod) return "numeric";
        const int32_t m = typmod - kVarHeader;
        const int32_t scale = ((m & 0x7FF) ^ 1024) - 1024;  // 11-bit signed (PostgreSQL 15)
        return "numeric(" + std::to_string((m >> 16) & 0xFFFF) + "," + std::to_string(scale) + ")";
      }
      case oid::kTime:
        return mod ? "time" + paren(typmod) + " without time zone" : "time without time zone";
      case oid::kTimetz:
        return mod ? "time" + paren(typmod) + " with time zone" : "time with time zone";
      case oid::kTimestamp:
        return mod ? "timestamp" + paren(typmod) + " without time zone"
                   : "timestamp without time zone";
      case oid::kTimestamptz:
        return mod ? "timestamp" + paren(typmod) + " with time zone" : "timestamp with time zone";
      case oid::kInterval: return "interval" + interval_typmod(typmod);
      default: return quote_ident(t.name);
    }
  }
  // Types of schemas on the default search_path ("$user", public) print bare, others
  // qualified.
  if (t.schema == "public") return quote_ident(t.name);
  return quote_ident(t.schema) + "." + quote_ident(t.name);
}

ValueKind kind_of(PgClass cls, int32_t typmod, const PgTypeOptions& options) {
  switch (cls) {
    case PgClass::boolean: return ValueKind::boolean;
    case PgClass::int2:
    case PgClass::int4:
    case PgClass::int8:
    case PgClass::oid: return ValueKind::int64;
    case PgClass::float4: return ValueKind::float32;
    case PgClass::float8: return ValueKind::float64;
    case PgClass::numeric:
      switch (options.decimal_handling) {
        case DecimalHandling::precise: return ValueKind::decimal;
        case DecimalHandling::string: return ValueKind::string;
        case DecimalHandling::double_: return ValueKind::float64;
      }
      return ValueKind::decimal;
    case PgClass::money: return ValueKind::decimal;
    case PgClass::bytea: return ValueKind::bytes;
    case PgClass::date: return ValueKind::date;
    case PgClass::time: return ValueKind::time;
    case PgClass::timestamp: return ValueKind::datetime;
    case PgClass::timestamptz: return ValueKind::timestamp;
    case PgClass::json:
    case PgClass::jsonb:
    case PgClass::array:
    case PgClass::composite: return ValueKind::json;
    case PgClass::enumeration: return ValueKind::enum_label;
    case PgClass::bit: return typmod >= 1 && typmod <= 64 ? ValueKind::bit : ValueKind::string;
    case PgClass::point: return ValueKind::geometry;
    case PgClass::text:
    case PgClass::uuid:
    case PgClass::timetz:
    case PgClass::interval:
    case PgClass::xml:
    case PgClass::range:
    case PgClass::multirange:
    case PgClass::inet:
    case PgClass::cidr:
    case PgClass::macaddr:
    case PgClass::macaddr8:
    case PgClass::varbit:
    case PgClass::geometric:
    case PgClass::other: return ValueKind::string;
  }
  return ValueKind::string;
}

}  // namespace

std::string pg_type_name(const PgTypeRegistry& registry, uint32_t type_oid, int32_t typmod) {
  const PgTypeInfo* t = registry.find(type_oid);
  if (t == nullptr) return "oid " + std::to_string(type_oid);
  if (is_pg_array(*t)) {
    const PgTypeInfo* element = registry.find(t->element_oid);
    if (element != nullptr) return type_name(*element, typmod) + "[]";
  }
  return type_name(*t, typmod);
}

Result<Column> pg_column(const PgTypeRegistry& registry, std::string name, uint32_t type_oid,
                         int32_t typmod) {
  auto resolved = resolve_pg_type(registry, type_oid, typmod);
  if (!resolved) {
    return std::move(resolved).error().with_context("column " + name);
  }
  const PgResolved& r = *resolved;
  Column c;
  c.name = std::move(name);
  c.source_type = pg_type_name(registry, type_oid, typmod);
  c.kind = kind_of(r.cls, r.typmod, registry.options());
  const int32_t mod = r.typmod;
  switch (r.cls) {
    case PgClass::numeric:
      if (mod >= kVarHeader) {
        const int32_t m = mod - kVarHeader;
        c.precision = static_cast<uint32_t>((m >> 16) & 0xFFFF);
        const int32_t scale = ((m & 0x7FF) ^ 1024) - 1024;
        c.scale = scale < 0 ? 0 : static_cast<uint32_t>(scale);
      }
      break;
    case PgClass::money:
      c.precision = 19;  // int64 cents: 92233720368547758.07
      c.scale = 2;
      break;
    case PgClass::text:
      if (mod >= kVarHeader) c.length = static_cast<uint32_t>(mod - kVarHeader);
      c.charset = "utf8";
      break;
    case PgClass::bit:
    case PgClass::varbit:
      if (mod >= 0) c.length = static_cast<uint32_t>(mod);
      break;
    case PgClass::time:
    case PgClass::timetz:
    case PgClass::timestamp:
    case PgClass::timestamptz: c.fsp = static_cast<uint8_t>(mod >= 0 && mod <= 6 ? mod : 6); break;
    case PgClass::enumeration: c.labels = r.info->enum_labels; break;
    default: break;
  }
  return c;
}

}  // namespace cdc::postgres
