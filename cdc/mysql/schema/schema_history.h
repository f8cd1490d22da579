// SchemaHistory: the versions of each captured table's schema by binlog position (ARCHITECTURE.md,
// "Checkpoints and resume"): seeded from information_schema, advanced by the DDL of QUERY events,
// so that a replay decodes each row with the schema of its time. A version with no columns marks a
// dropped table. Every version installed is written through to a SchemaHistoryStore (the state
// store) when one is given. Owned by one source's reader thread; not thread-safe (the schemas it
// hands out are immutable and may be shared).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/core/change_event.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/mysql/binlog/table_map.h"
#include "cdc/mysql/schema/ddl_statement.h"

namespace cdc::mysql {

// Where the history's versions persist. Implemented over the state store by the daemon.
class SchemaHistoryStore {
 public:
  virtual ~SchemaHistoryStore() = default;
  // `schema` is in force from `at` on; a second put at the same position replaces the first.
  virtual Status put(const MysqlPosition& at, const TableSchema& schema) = 0;
  // Every stored version, of every table, in any order.
  virtual Result<std::vector<std::pair<MysqlPosition, TableSchema>>> load() = 0;
  // A small value the source keeps beside the history (the captured-tables record,
  // cdc/mysql/captured_tables.h); nullopt when absent. Default: a store that keeps none.
  virtual Result<std::optional<std::string>> get_value(std::string_view key) {
    (void)key;
    return std::optional<std::string>();
  }
  virtual Status put_value(std::string_view key, std::string_view value) {
    (void)key;
    (void)value;
    return {};
  }
};

// Where a table's current version came from: a version read from the catalog may be newer than
// the binlog being read (a replay from before an ALTER), so a TABLE_MAP that disagrees with it
// corrects it; one that disagrees with a DDL-made version is a real mismatch.
enum class SchemaOrigin : uint8_t { catalog, ddl, table_map, stored };

class SchemaHistory {
 public:
  // `store` may be null (in memory only) and outlives the history.
  explicit SchemaHistory(SchemaHistoryStore* store = nullptr) : store_(store) {}

  // Reads every stored version (replacing what is in memory). No store: nothing to do.
  Status load();
  // Forgets the versions after `resume` (in memory: the replay applies their DDL again).
  void rewind(const MysqlPosition& resume);

  // The table's version after everything applied so far; nullptr when unknown or dropped.
  TableSchemaPtr current(const TableId& table) const;
  // Whether any version, also a drop, is known for the table.
  bool known(const TableId& table) const { return tables_.count(table) != 0; }
  // Whether the table ever had a version here, also one that rewind() forgot: its history comes
  // from DDL, and the catalog (which shows it as it is now) must not seed it.
  bool ever_known(const TableId& table) const { return ever_known_.count(table) != 0; }
  SchemaOrigin origin(const TableId& table) const;
  // The tables with a current (not dropped) version.
  std::vector<TableId> tables() const;
  // Every version of a table in position order (tests, tools).
  std::vector<std::pair<MysqlPosition, TableSchemaPtr>> versions(const TableId& table) const;

  // Installs `schema` as the table's version from `at` on (its version number is set to follow
  // the previous one). Errors: the store's.
  Result<TableSchemaPtr> install(const MysqlPosition& at, TableSchema schema, SchemaOrigin origin);

  // What a DDL did to a captured table, for its change event: Op::schema_change with the new
  // version (the last version for a dropped table), or Op::truncate with the current one.
  struct Change {
    Op op;
    TableSchemaPtr schema;
  };
  // Applies a parsed statement (not `unparseable`) at `at` to the tables `captured` accepts;
  // others are ignored. Errc::unsupported when the statement cannot be applied to what the
  // history holds (a column it names is missing, the table is unknown, LIKE a table not in the
  // history), naming the table and the reason; nothing is installed then.
  Result<std::vector<Change>> apply(const DdlStatement& ddl, const MysqlPosition& at,
                                    const std::function<bool(const TableId&)>& captured);

  // The character set of a new text column that names none, when the table has no text column
  // to take it from (the server's character_set_server). Default: utf8mb4.
  void set_default_charset(std::string charset) { default_charset_ = std::move(charset); }

 private:
  struct Version {
    MysqlPosition at;
    TableSchemaPtr schema;  // no columns: dropped
    SchemaOrigin origin;
  };
  Result<TableSchema> altered(const TableSchema& base, const DdlStatement& ddl) const;

  SchemaHistoryStore* store_;
  std::map<TableId, std::vector<Version>> tables_;
  std::set<TableId> ever_known_;
  std::string default_charset_ = "utf8mb4";
};

// Whether a TABLE_MAP's column names are the schema's, in order (case-insensitively, as MySQL
// compares column names).
bool same_column_names(const TableMapEvent& map, const TableSchema& schema);
// Fills what a TABLE_MAP written without binlog_row_metadata=FULL lacks (names, signedness,
// ENUM/SET labels, character sets, primary key) from the history's `schema`; what the event
// carries wins. Errc::malformed when the column counts differ.
Status complete_table_map(TableMapEvent& map, const TableSchema& schema);

}  // namespace cdc::mysql
