// PostgreSQL values from their text form into sluice Values, and PostgreSQL column types into
// sluice Columns. pgoutput sends each column in the text form of the type's output function
// (what `SELECT col::text` prints; bytea in hex), so the conversion needs no server: the type
// registry knows the built-in types, and the source adds the others (enums, domains, composite
// types, ranges, arrays of them) from the catalog query below or from pgoutput Type messages.
// Pure; a registry is used by one thread at a time (the source's reader).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"

namespace cdc::postgres {

// One row of pg_type (plus what the value conversion needs from pg_enum, pg_attribute and
// pg_range).
struct PgTypeInfo {
  uint32_t oid = 0;
  std::string schema, name;  // "pg_catalog", "int4"; for arrays "_int4"
  char typtype = 'b';   // b base, c composite, d domain, e enum, r range, m multirange, p pseudo
  char category = 'U';  // typcategory: 'A' array, 'N' numeric, 'S' string, ...
  uint32_t element_oid = 0;                              // arrays: the element type
  uint32_t base_oid = 0;                                 // domains: the base type
  int32_t base_typmod = -1;                              // domains: the base type's modifier
  std::vector<std::string> enum_labels;                  // enums, in sort order
  std::vector<std::pair<std::string, uint32_t>> fields;  // composites: attribute name, type
  uint32_t range_subtype = 0;                            // ranges and multiranges
  char delimiter = ',';  // typdelim: between array elements (';' for box)
};

// numeric columns, as Debezium's decimal.handling.mode (YAML `decimal.handling.mode`).
enum class DecimalHandling : uint8_t {
  precise,  // default: ValueKind::decimal, exact digits; NaN and ±Infinity stop the source with
            // an error naming the column and this option (Debezium's precise mode fails too)
  string,   // ValueKind::string: the exact text, "NaN", "Infinity" and "-Infinity" included
  double_,  // ValueKind::float64: rounded to the nearest double; NaN and ±Infinity kept
};

// date, timestamp and timestamptz 'infinity' and '-infinity', which sluice's date and time
// kinds cannot hold (Debezium emits the JDBC driver's sentinel dates instead).
// YAML `temporal.infinity.handling`.
enum class TemporalInfinity : uint8_t {
  fail,  // default: stop the source with an error naming the column and this option
  null,  // a NULL value
};

struct PgTypeOptions {
  DecimalHandling decimal_handling = DecimalHandling::precise;
  TemporalInfinity temporal_infinity = TemporalInfinity::fail;
};

// Session settings the source must connect with (libpq `options`), so that pgoutput's text
// form is the one parsed here: ISO dates, postgres intervals, shortest-exact floats, hex bytea,
// UTF-8, C money, UTC times.
const char* pg_session_options();

class PgTypeRegistry {
 public:
  PgTypeRegistry();  // holds every built-in type of PostgreSQL 15 the conversion knows

  const PgTypeInfo* find(uint32_t oid) const;
  void add(PgTypeInfo info);  // replaces a type of the same oid

  // SQL the source runs for the oids it does not know; $1 is an oid[] (text form "{1,2}").
  // Each row goes to add_from_row, in the order of the query's columns.
  static const char* catalog_query();
  Status add_from_row(const std::vector<std::optional<std::string>>& row);

  // The oids of `oids` (and of the types they are made of: array elements, domain bases,
  // fields, range subtypes, as far as they are known) that the registry does not know.
  std::vector<uint32_t> unknown_oids(std::span<const uint32_t> oids) const;

  const PgTypeOptions& options() const { return options_; }
  void set_options(PgTypeOptions options) { options_ = options; }

 private:
  std::unordered_map<uint32_t, PgTypeInfo> types_;
  PgTypeOptions options_;
};

// What a PostgreSQL type is for the conversion: one class per text grammar and value rule,
// after domains are replaced by their base type.
enum class PgClass : uint8_t {
  boolean,
  int2,
  int4,
  int8,
  oid,
  float4,
  float8,
  numeric,
  money,
  text,  // text, varchar, bpchar, name, "char", citext
  bytea,
  uuid,
  date,
  time,
  timetz,
  timestamp,
  timestamptz,
  interval,
  json,
  jsonb,
  xml,
  array,
  composite,
  enumeration,
  range,
  multirange,
  inet,
  cidr,
  macaddr,
  macaddr8,
  bit,     // bit(n): a fixed width
  varbit,  // bit varying(n)
  point,
  geometric,  // line, lseg, box, path, polygon, circle
  other,      // anything else: its text, UTF-8
};

// A type with its domains resolved: the type whose rules apply, and its modifier. The source
// resolves each column once per Relation message (the registry never removes a type, so
// `info` stays valid) and converts its values with the PgResolved overload of pg_text_value.
struct PgResolved {
  const PgTypeInfo* info = nullptr;  // the base type
  PgClass cls = PgClass::other;
  int32_t typmod = -1;
};

// Errc::unsupported for an oid the registry does not know (the source adds them first), or
// domains nested deeper than 32.
Result<PgResolved> resolve_pg_type(const PgTypeRegistry& registry, uint32_t type_oid,
                                   int32_t typmod);

// The sluice column for a PostgreSQL column: kind, source_type (format_type's text, e.g.
// "numeric(12,4)", "character varying(20)", "integer[]", the schema-qualified name of a user
// type), length/precision/scale/fsp from the modifier, enum labels.
// format_type(oid, typmod)'s text: "integer", "numeric(12,4)", "character varying(20)[]",
// "timestamp(3) with time zone", "myschema.mood".
std::string pg_type_name(const PgTypeRegistry& registry, uint32_t type_oid, int32_t typmod);

Result<Column> pg_column(const PgTypeRegistry& registry, std::string name, uint32_t type_oid,
                         int32_t typmod);

// The Value of one non-NULL column value in text form; `column` is what pg_column made for the
// same type. Text payloads are copied into `arena` (the Value never views `text`). Malformed
// text is an Errc::malformed error naming the column and its type.
Result<Value> pg_text_value(const PgTypeRegistry& registry, const Column& column, uint32_t type_oid,
                            int32_t typmod, std::string_view text, Arena& arena);
// The same for a type resolved beforehand (resolve_pg_type of the same oid and modifier).
Result<Value> pg_text_value(const PgTypeRegistry& registry, const Column& column,
                            const PgResolved& type, std::string_view text, Arena& arena);
// The common types (bool, integers, float4/8, numeric in the precise mode, date, timestamptz,
// json/jsonb, uuid, text) without a Result per value, for the stream's hot path: true with
// `out` set to the Value pg_text_value gives; false for any other type or text (a special
// value, anything pg_text_value refuses), which pg_text_value then converts or refuses.
bool pg_text_value_fast(const PgTypeRegistry& registry, const PgResolved& type,
                        std::string_view text, Arena& arena, Value& out);

}  // namespace cdc::postgres
