// What a PostgreSQL type is for the conversion: one class per text grammar and value rule,
// after domains are replaced by their base type. Shared by pg_column (the column's kind) and
// the value parsers.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/result.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

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

// A type with its domains resolved: the type whose rules apply, and its modifier.
struct PgResolved {
  const PgTypeInfo* info = nullptr;  // the base type
  PgClass cls = PgClass::other;
  int32_t typmod = -1;
};

// Errc::unsupported for an oid the registry does not know (the source adds them first), or
// domains nested deeper than 32.
Result<PgResolved> resolve_pg_type(const PgTypeRegistry& registry, uint32_t type_oid,
                                   int32_t typmod);

// True for true arrays (typname "_x", category 'A'): int2vector and oidvector, which also
// have an element type, print "1 2 3" and are classed `other`.
bool is_pg_array(const PgTypeInfo& info);

}  // namespace cdc::postgres
