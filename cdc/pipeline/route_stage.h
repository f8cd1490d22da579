// RouteStage: re-targets events to other tables, as Flink CDC's `route:` rules do. A rule's
// source-table is a TablePattern (Flink's dot convention); its sink-table may hold the replace
// symbol (default "<>", the source table's name) and $1..$9 (the pattern's capture groups); a
// sink-table without a database keeps the source's. In all-match mode (Flink's behaviour) an
// event goes to every matching rule's table, one copy each; in first-match mode to the first.
// Many-to-one merges may record the source "db.table" in an extra column. Routed events get a
// TableSchema copy with the new id, made once per schema version. Sink-thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/pipeline/stage.h"
#include "cdc/pipeline/table_pattern.h"

namespace cdc::pipeline {

enum class RouteMode : uint8_t { all_match, first_match };

struct RouteRule {
  std::string source_table;  // TablePattern over "db.table"
  std::string sink_table;    // "db.table" or "table", may hold replace_symbol and $n
  std::string replace_symbol = "<>";
  // Name of a string column appended to the routed rows holding the source "db.table"
  // (for merged shards); "" = none.
  std::string source_table_column;
};

class RouteStage final : public Stage {
 public:
  // Errc::invalid_config for a bad pattern or an empty sink-table.
  static Result<std::unique_ptr<RouteStage>> create(const std::vector<RouteRule>& rules,
                                                    RouteMode mode = RouteMode::all_match);
  Status process(Batch& batch) override;

  // The routed id for a table (the first target), or nullopt when no rule matches.
  std::optional<TableId> route(const TableId& table) const;
  // Every target of a table, in rule order (one at most in first-match mode).
  std::vector<TableId> route_all(const TableId& table) const;

 private:
  struct Compiled {
    TablePattern pattern;
    RouteRule rule;
  };
  struct Target {
    TableSchemaPtr schema;
    bool add_source_column = false;
    std::string source_name;  // "db.table" of the source, for the source-table column
  };
  struct Routing {
    TableSchemaPtr source;        // keeps the key's address from being reused while cached
    std::vector<Target> targets;  // empty: not routed
  };
  RouteStage(std::vector<Compiled> rules, RouteMode mode) : rules_(std::move(rules)), mode_(mode) {}

  // Targets with the index of the rule that produced each.
  std::vector<std::pair<TableId, size_t>> resolve(const TableId& table) const;
  Result<const Routing*> routing_for(const TableSchemaPtr& schema);
  void retarget(ChangeEvent& e, const Target& target, Batch& batch);

  std::vector<Compiled> rules_;
  RouteMode mode_;
  std::map<const TableSchema*, Routing> cache_;
  const TableSchema* last_source_ = nullptr;  // the entry of cache_ used last
  const Routing* last_routing_ = nullptr;
};

}  // namespace cdc::pipeline
