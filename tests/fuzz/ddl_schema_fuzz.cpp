// Fuzz target ddl_schema: DdlSchema::parse() (cdc/mysql/schema/ddl_schema.h), the reader of
// `sluice binlog --schema-from` files, then complete_table_map() of every table it declares over
// a TABLE_MAP without metadata of the same width. A user's file: refused as configuration with
// file:line, never a crash.
#include <string>
#include <string_view>

#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/schema/ddl_schema.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ddl = DdlSchema::parse(text, "f.sql");
  if (!ddl) {
    FUZZ_CHECK(ddl.error().code == Errc::invalid_config, "DdlSchema::parse: unexpected error code");
    FUZZ_CHECK(ddl.error().message.rfind("f.sql:", 0) == 0,
               "DdlSchema::parse: error without file:line");
    return 0;
  }
  for (const auto& t : ddl->tables()) {
    const DdlTable* found = ddl->find(t.db, t.table);
    FUZZ_CHECK(found != nullptr, "a declared table is not found");
    for (uint32_t k : t.primary_key)
      FUZZ_CHECK(k < t.columns.size(), "primary key index out of range");
    // A table declared twice (DROP + CREATE again in a dump) is its later declaration, and a
    // qualified one wins over an unqualified one: only that one must complete a TABLE_MAP.
    if (found != &t) continue;
    TableMapEvent map;
    map.db = t.db;
    map.table = t.table;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      TableMapColumn c;
      c.type = c.real_type = static_cast<uint8_t>(i % 2 ? ColumnType::varchar : ColumnType::long_);
      map.columns.push_back(c);
    }
    auto json = complete_table_map(map, &*ddl);
    FUZZ_CHECK(json, "complete_table_map refused a table of its own width");
    FUZZ_CHECK(map.has_column_names && map.has_signedness,
               "complete_table_map left the map incomplete");
  }
  return 0;
}
