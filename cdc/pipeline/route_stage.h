// RouteStage: re-targets events to another table, as Flink CDC's `route:` rules do. The
// first rule whose source-table regex fully matches "db.table" wins; its sink-table may
// contain the replace symbol (default "<>"), which becomes the source table's name.
// Routed events get a TableSchema copy with the new id, made once per schema version.
// Sink-thread only.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "cdc/pipeline/stage.h"

namespace cdc::pipeline {

struct RouteRule {
  std::string source_table;           // regex over "db.table"
  std::string sink_table;             // "db.table", may contain replace_symbol
  std::string replace_symbol = "<>";
};

class RouteStage final : public Stage {
 public:
  // Errc::invalid_config for a bad regex or a sink-table without a '.'.
  static Result<std::unique_ptr<RouteStage>> create(const std::vector<RouteRule>& rules);
  Status process(Batch& batch) override;

  // The routed id for a table, or nullopt when no rule matches.
  std::optional<TableId> route(const TableId& table) const;

 private:
  struct Compiled {
    std::regex pattern;
    RouteRule rule;
  };
  explicit RouteStage(std::vector<Compiled> rules) : rules_(std::move(rules)) {}

  std::vector<Compiled> rules_;
  // Source schema version → its routed copy (nullptr: not routed). Keys are kept alive by
  // the stored source pointer, so an address is never reused while cached.
  std::map<const TableSchema*, std::pair<TableSchemaPtr, TableSchemaPtr>> cache_;
};

}  // namespace cdc::pipeline
