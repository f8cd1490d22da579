// Fuzz target pg_text: pg_text_value() (cdc/postgres/types/pg_types.h) over PostgreSQL values in
// pgoutput's text form. The first byte picks the column's type from kTypes (built-ins, arrays,
// and user types: an enum, a composite holding an array of itself's fields, a domain, a range);
// the rest is the text. Whatever the bytes, the conversion either refuses them with a bad-bytes
// error naming the column, or returns a Value of the column's kind (or NULL) whose JSON is valid
// and whose strings are UTF-8; where pg_text_value_fast takes the text, it gives the same Value.
#include <string>
#include <string_view>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/json/value_json.h"
#include "cdc/postgres/types/pg_types.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::postgres;

namespace {

struct FuzzType {
  uint32_t oid;
  int32_t typmod;
};

// Index = the input's first byte modulo the count. Keep the order: the corpus names by index.
constexpr FuzzType kTypes[] = {
    {16, -1},    {21, -1},    {23, -1},    {20, -1},
    {1700, -1},  {700, -1},   {701, -1},   {25, -1},
    {17, -1},    {2950, -1},  {1082, -1},  {1083, -1},
    {1266, -1},  {1114, -1},  {1184, -1},  {1186, -1},
    {114, -1},   {3802, -1},  {1007, -1},  {1009, -1},
    {1231, -1},  {1182, -1},  {1185, -1},  {3807, -1},
    {1020, -1},  {3904, -1},  {4536, -1},  {869, -1},
    {650, -1},   {829, -1},   {774, -1},   {790, -1},
    {1560, 8},   {1562, -1},  {600, -1},   {718, -1},
    {602, -1},   {142, -1},   {80001, -1}, {80002, -1},
    {80003, -1}, {80004, -1}, {80005, -1}, {1700, (10 << 16 | 2) + 4},
    {1001, -1},  {1115, -1},
};

const PgTypeRegistry& registry() {
  static const PgTypeRegistry r = [] {
    PgTypeRegistry reg;
    reg.add({.oid = 80001,
             .schema = "public",
             .name = "mood",
             .typtype = 'e',
             .category = 'E',
             .enum_labels = {"sad", "ok", "a \"b\""}});
    reg.add({.oid = 80002,
             .schema = "public",
             .name = "pair",
             .typtype = 'c',
             .category = 'C',
             .fields = {{"n", 23}, {"t", 25}, {"m", 80001}, {"ps", 80005}}});
    reg.add({.oid = 80003,
             .schema = "public",
             .name = "pos",
             .typtype = 'd',
             .category = 'N',
             .base_oid = 1700,
             .base_typmod = (10 << 16 | 2) + 4});
    reg.add({.oid = 80004,
             .schema = "public",
             .name = "floatrange",
             .typtype = 'r',
             .category = 'R',
             .range_subtype = 701});
    reg.add({.oid = 80005,
             .schema = "public",
             .name = "_pair",
             .typtype = 'b',
             .category = 'A',
             .element_oid = 80002});
    reg.set_options({.temporal_infinity = TemporalInfinity::null});
    return reg;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const FuzzType type = kTypes[data[0] % std::size(kTypes)];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto column = pg_column(registry(), "c", type.oid, type.typmod);
  FUZZ_CHECK(column.has_value(), "pg_column: a known type refused");
  Arena arena;
  auto v = pg_text_value(registry(), *column, type.oid, type.typmod, text, arena);
  // The stream's fast path takes a text only where pg_text_value gives that very value.
  auto resolved = resolve_pg_type(registry(), type.oid, type.typmod);
  FUZZ_CHECK(resolved.has_value(), "resolve_pg_type: a known type refused");
  Value fast;
  if (pg_text_value_fast(registry(), *resolved, text, arena, fast)) {
    FUZZ_CHECK(v.has_value() && *v == fast, "pg_text_value_fast: differs from pg_text_value");
  }
  if (!v) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(v.error()), "pg_text_value: unexpected error code");
    FUZZ_CHECK(v.error().message.starts_with("column c ("), "pg_text_value: column not named");
    return 0;
  }
  FUZZ_CHECK(v->is_null() || v->kind == column->kind, "pg_text_value: kind differs from column");
  if (v->kind == ValueKind::json) {
    FUZZ_CHECK(json::is_valid_json(v->text), "pg_text_value: invalid JSON");
  }
  if (v->kind == ValueKind::string || v->kind == ValueKind::enum_label ||
      v->kind == ValueKind::decimal) {
    FUZZ_CHECK(json::is_valid_utf8(v->text), "pg_text_value: string not UTF-8");
  }
  std::string out;
  json::JsonWriter w(out);
  json::write_value(w, *v);
  FUZZ_CHECK(json::is_valid_json(out), "pg_text_value: rendering is not JSON");
  return 0;
}
