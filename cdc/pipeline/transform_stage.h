// TransformStage: Flink CDC's `transform:` rules. Per table schema version and rule it compiles
// a plan once (projection, filter, derived output TableSchema with primary and partition keys);
// per event it evaluates the compiled expressions into new row images in the batch arena.
// Rules are tried in order: the first matching rule whose filter passes takes the event; an
// event of a matched table that no rule takes is dropped; other tables pass unchanged.
// Sink-thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cdc/expr/expression.h"
#include "cdc/pipeline/stage.h"
#include "cdc/pipeline/table_pattern.h"

namespace cdc::pipeline {

struct TransformPlan;  // transform_plan.h

struct TransformRule {
  std::string source_table;  // TablePattern over "db.table"
  // `projection`: Flink's select list ("\*" at the start is YAML's escape of "*"). "" = every
  // column (minus exclude_columns).
  std::string projection;
  expr::TextOrigin projection_origin;
  // `filter`: rows for which it is not TRUE are dropped. May name projected columns. "" = all.
  std::string filter;
  expr::TextOrigin filter_origin;
  std::vector<std::string> primary_keys;    // override, output column names
  std::vector<std::string> partition_keys;  // output column names -> TableSchema::partition_key
  // Shorthands: `columns.include` is a projection of exactly these columns (not with
  // `projection`); `columns.exclude` drops columns from "*" and from the default projection.
  std::vector<std::string> include_columns;
  std::vector<std::string> exclude_columns;
  // `skip-ops`: events of these ops are dropped (Op::insert also covers snapshot reads).
  std::vector<Op> skip_ops;
  // `converter-after-transform: SOFT_DELETE`: a delete becomes an insert of its before image.
  bool soft_delete = false;
  std::string description;
};

// Metadata columns a projection or filter may name (Flink CDC's, plus op_ts).
inline constexpr std::string_view kNamespaceName = "__namespace_name__";
inline constexpr std::string_view kSchemaName = "__schema_name__";
inline constexpr std::string_view kTableName = "__table_name__";
inline constexpr std::string_view kDataEventType = "__data_event_type__";
inline constexpr std::string_view kOpTs =
    "op_ts";  // source commit time, ms; a column of that name wins

class TransformStage final : public Stage {
 public:
  // Refuses the first of check_rules' problems; expressions are type-checked against the real
  // columns per table schema (first event of each version, or check()).
  static Result<std::unique_ptr<TransformStage>> create(std::vector<TransformRule> rules,
                                                        expr::CompileOptions options = {});
  // Every problem of the rules that no table can change: table patterns, projection lists, and
  // each projection item and filter compiled with columns of unknown type
  // (check_rule_expressions). What `sluice validate` reports without a server.
  static std::vector<Error> check_rules(std::vector<TransformRule> rules,
                                        const expr::CompileOptions& options = {});
  Status process(Batch& batch) override;

  // Compiles the plans for `table` (as the first event would): every error a rule has against
  // this schema, e.g. at start-up against a schema read from the server. Returns the output
  // schema of the first matching rule, or `table` itself when no rule matches.
  Result<TableSchemaPtr> check(const TableSchemaPtr& table) override;

  using Plan = TransformPlan;  // one rule compiled against one schema version
  struct TablePlans;

  ~TransformStage() override;

 private:
  struct Compiled {
    TablePattern pattern;
    TransformRule rule;
    std::vector<expr::ProjectionItem> items;  // parsed projection, empty when none
  };
  TransformStage(std::vector<Compiled> rules, expr::CompileOptions options);
  // The rules that compiled; each problem of every rule appended to `problems`.
  static std::vector<Compiled> compile_rules(std::vector<TransformRule> rules,
                                             const expr::CompileOptions& options,
                                             std::vector<Error>& problems);

  Result<TablePlans*> plans_for(const TableSchemaPtr& schema);
  // Applies the plans to one event; false when the event is dropped.
  Result<bool> apply(TablePlans& plans, ChangeEvent& e, Batch& batch);

  std::vector<Compiled> rules_;
  expr::CompileOptions options_;
  std::map<const TableSchema*, std::unique_ptr<TablePlans>> cache_;
  const TableSchema* last_schema_ = nullptr;  // the entry of cache_ used last
  TablePlans* last_plans_ = nullptr;
  std::vector<Value> scratch_;              // extra slots of one evaluation: metadata, then outputs
  const TablePlans* meta_plans_ = nullptr;  // whose metadata scratch_ holds, for batch meta_seq_
  uint64_t meta_seq_ = 0;
  uint64_t batch_seq_ = 0;
  int64_t now_ms_ = 0;
};

}  // namespace cdc::pipeline
