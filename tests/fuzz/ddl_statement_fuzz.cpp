// Fuzz target ddl_statement: parse_ddl_statement() (cdc/mysql/schema/ddl_statement.h), the
// reader of binlog QUERY events' DDL, then SchemaHistory::apply() of what it read over a history
// holding the tables it names; and parse_dml_statement() (dml_statement.h), which tells a
// statement-based row change and its table from the same QUERY text. Server text: a statement is
// read, refused as unparseable, or refused by the history as Errc::unsupported, never a crash;
// every version it installs has its primary key inside its columns.
#include <string>
#include <string_view>

#include "cdc/mysql/schema/ddl_statement.h"
#include "cdc/mysql/schema/dml_statement.h"
#include "cdc/mysql/schema/schema_history.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto dml = parse_dml_statement(text, "db")) {
    FUZZ_CHECK(!dml->verb.empty(), "DML without a verb");
    FUZZ_CHECK(!dml->table || !dml->table->table.empty(), "DML naming an empty table");
  }
  const DdlStatement ddl = parse_ddl_statement(text, "db");
  if (ddl.kind == DdlStatement::Kind::unparseable) {
    FUZZ_CHECK(!ddl.error.empty(), "unparseable without a reason");
    return 0;
  }
  SchemaHistory history;
  MysqlPosition seed;
  seed.binlog = BinlogPosition{"bin.000001", 4};
  for (const char* name : {"t", "a", "b"}) {
    TableSchema s;
    s.id = TableId{"db", name};
    for (const char* col : {"id", "a", "b"}) {
      Column c;
      c.name = col;
      s.columns.push_back(c);
    }
    s.primary_key = {0};
    FUZZ_CHECK(history.install(seed, std::move(s), SchemaOrigin::ddl),
               "install without a store failed");
  }
  MysqlPosition at;
  at.binlog = BinlogPosition{"bin.000001", 100};
  auto changes = history.apply(ddl, at, [](const TableId& t) { return t.db == "db"; });
  if (!changes) {
    FUZZ_CHECK(changes.error().code == Errc::unsupported, "apply: unexpected error code");
    return 0;
  }
  for (const auto& change : *changes) {
    FUZZ_CHECK(change.schema != nullptr, "a change without a schema");
    for (uint32_t k : change.schema->primary_key) {
      FUZZ_CHECK(k < change.schema->columns.size(), "primary key index out of range");
    }
  }
  return 0;
}
