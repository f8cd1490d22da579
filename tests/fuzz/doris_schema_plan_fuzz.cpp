// Fuzz target doris_schema_plan: the Doris sink's reading of a schema change's DDL text from the
// binlog (sinks/doris/schema_plan.h): renamed_columns over any bytes, then the plan of every
// schema.change.behavior for a fixed table. Nothing may crash; every rename names two columns.
#include <string_view>

#include "sinks/doris/schema_plan.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::sinks::doris;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view ddl(reinterpret_cast<const char*>(data), size);
  for (const auto& [from, to] : renamed_columns(ddl)) {
    FUZZ_CHECK(from != to, "a CHANGE that keeps the name taken for a rename");
  }
  static const TableSchema next = [] {
    TableSchema s;
    s.id = {"db", "t"};
    for (const char* name : {"id", "b", "c"}) {
      Column c;
      c.name = name;
      c.source_type = "int";
      s.columns.push_back(c);
    }
    s.primary_key = {0};
    return s;
  }();
  const std::vector<DorisColumn> present = {
      {"id", "INT", false, true}, {"a", "INT", false, false}, {"c", "INT", true, false}};
  for (auto b : {SchemaChangeBehavior::evolve, SchemaChangeBehavior::lenient}) {
    const SchemaPlan p = plan_schema_change("db", "t", present, &next, next, ddl, b);
    FUZZ_CHECK(p.statements.size() == p.changes.size(), "a statement without its description");
  }
  return 0;
}
