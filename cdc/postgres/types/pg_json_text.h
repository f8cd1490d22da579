// Arrays and composite values as the JSON that PostgreSQL's to_json() prints for them
// (array_to_json / composite_to_json of PostgreSQL 15): numbers bare unless NaN or infinite,
// booleans as true/false, json and jsonb embedded, dates and timestamps in XSD form
// ("2024-01-01T12:00:00+00:00"), everything else as a string of its text; no spaces; array
// bounds dropped. Every element's text is checked with its type's parser on the way.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "cdc/core/result.h"
#include "cdc/postgres/types/pg_type_class.h"

namespace cdc::postgres {

inline constexpr int kMaxPgNesting = 32;  // containers inside containers, for hostile text

// Appends the JSON of `text`, a value of type `type_oid`.
Status append_pg_json(const PgTypeRegistry& registry, uint32_t type_oid, int32_t typmod,
                      std::string_view text, std::string& out, int depth = 0);

// The range of an integer class (int2, int4, int8, oid): [min, max].
std::pair<int64_t, int64_t> pg_int_bounds(PgClass cls);

// Checks `text` against the grammar and range of its (resolved) type.
Status check_pg_text(const PgTypeRegistry& registry, const PgResolved& type, std::string_view text,
                     int depth = 0);

// PostgreSQL's escape_json: \b \f \n \r \t \" \\ and \u00xx for other controls; all else
// (DEL, U+2028) as it is.
void append_pg_json_string(std::string& out, std::string_view s);

// The XSD spelling to_json gives a date/time text: "2024-01-01 12:00:00+05" ->
// "2024-01-01T12:00:00+05:00" (the zone only for with_zone).
void append_xsd_timestamp(std::string& out, std::string_view iso_text, bool with_zone);

}  // namespace cdc::postgres
