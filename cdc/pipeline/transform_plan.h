// TransformPlan: one transform rule compiled against one table schema version, which
// TransformStage applies to each event of that version. Built by compile_transform_plan, owned
// by the stage's plan cache and immutable after; it points into the stage's TransformRule.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/expr/expression.h"
#include "cdc/pipeline/transform_stage.h"

namespace cdc::pipeline {

// Extra slots every plan's scope has, before the projection's outputs.
enum MetaSlot : uint32_t {
  kNamespaceSlot,
  kSchemaSlot,
  kTableSlot,
  kEventTypeSlot,
  kOpTsSlot,
  kMetaSlots
};

struct TransformPlan {
  struct Output {
    int32_t copy_from = -1;                  // >= 0: the source column copied unchanged
    std::unique_ptr<expr::Expression> expr;  // otherwise computed
  };
  size_t rule_index = 0;
  const TransformRule* rule = nullptr;
  std::vector<Output> outputs;
  // Every output copies the source column of its index: a row image is reused as its first
  // outputs.size() values, nothing is evaluated or allocated.
  bool identity = false;
  std::unique_ptr<expr::Expression> filter;
  bool filter_first = false;  // the filter names no output: decide before projecting
  TableSchemaPtr output;
};

// The rule's projection list parsed (empty when there is none), after unescaping a leading
// "\*" in rule.projection. `where` ("transform[2]") starts the error messages.
Result<std::vector<expr::ProjectionItem>> parse_rule_projection(TransformRule& rule,
                                                                const std::string& where);

// The problems of rule number `rule_index` that no table can change, found without one: the
// projection items' and the filter's syntax, function names and arities, regular expressions,
// literals and their types, output names given twice, a filter that cannot be a condition.
// Every column name binds to a column of unknown type (expr::Scope::bind_unknown_columns).
// Empty when there is none.
std::vector<Error> check_rule_expressions(size_t rule_index, const TransformRule& rule,
                                          std::span<const expr::ProjectionItem> items,
                                          const expr::CompileOptions& options);

// Compiles rule number `rule_index` (with its parsed projection `items`) against `schema`:
// every error the rule has against it (Errc::invalid_config), or the plan.
Result<std::unique_ptr<TransformPlan>> compile_transform_plan(
    size_t rule_index, const TransformRule& rule, std::span<const expr::ProjectionItem> items,
    const TableSchemaPtr& schema, const expr::CompileOptions& options);

}  // namespace cdc::pipeline
