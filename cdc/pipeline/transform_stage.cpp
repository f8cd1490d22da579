#include "cdc/pipeline/transform_stage.h"

#include <algorithm>
#include <chrono>

#include "cdc/pipeline/transform_plan.h"

namespace cdc::pipeline {
namespace {

std::string_view event_type(Op op, bool before_image) {
  switch (op) {
    case Op::update: return before_image ? "-U" : "+U";
    case Op::erase: return "-D";
    default: return "+I";
  }
}

// Asks the CPU to bring [p, p + bytes) into the cache (a hint: nothing faults).
void prefetch_lines(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off);
}

}  // namespace

struct TransformStage::TablePlans {
  TableSchemaPtr source;  // keeps the key's address from being reused while cached
  std::vector<std::unique_ptr<Plan>> plans;  // matching rules in order; empty: not transformed
  // Postgres: database, schema, table. MySQL has one level above tables: both names give the
  // database (Flink's MySQL source leaves one of them null, which makes `||` chains null).
  std::string namespace_name, schema_name, table_name;
  bool namespace_resolved = false;
  // Metadata values copied into the arena of the batch `batch_seq` (rows outlive the stage).
  uint64_t batch_seq = 0;
  Value meta[kEventTypeSlot];
};

TransformStage::TransformStage(std::vector<Compiled> rules, expr::CompileOptions options)
    : rules_(std::move(rules)), options_(std::move(options)), scratch_(kMetaSlots) {}

TransformStage::~TransformStage() = default;

std::vector<TransformStage::Compiled> TransformStage::compile_rules(
    std::vector<TransformRule> rules, const expr::CompileOptions& options,
    std::vector<Error>& problems) {
  std::vector<Compiled> compiled;
  for (size_t i = 0; i < rules.size(); ++i) {
    TransformRule& rule = rules[i];
    const std::string where = "transform[" + std::to_string(i) + "]";
    auto pattern = TablePattern::compile(rule.source_table);
    if (!pattern)
      problems.push_back(std::move(pattern).error().with_context(where + " source-table"));
    if (!rule.projection.empty() && !rule.include_columns.empty()) {
      problems.push_back(make_error(
          Errc::invalid_config, where + ": 'projection' and 'columns.include' exclude each other"));
    }
    auto items = parse_rule_projection(rule, where);
    if (!items) {
      problems.push_back(std::move(items).error());
      continue;
    }
    for (Error& e : check_rule_expressions(i, rule, *items, options)) {
      problems.push_back(std::move(e));
    }
    if (pattern)
      compiled.push_back(Compiled{std::move(*pattern), std::move(rule), std::move(*items)});
  }
  return compiled;
}

std::vector<Error> TransformStage::check_rules(std::vector<TransformRule> rules,
                                               const expr::CompileOptions& options) {
  std::vector<Error> problems;
  (void)compile_rules(std::move(rules), options, problems);  // only the problems are wanted
  return problems;
}

Result<std::unique_ptr<TransformStage>> TransformStage::create(std::vector<TransformRule> rules,
                                                               expr::CompileOptions options) {
  std::vector<Error> problems;
  auto compiled = compile_rules(std::move(rules), options, problems);
  if (!problems.empty()) return std::move(problems.front());
  return std::unique_ptr<TransformStage>(
      new TransformStage(std::move(compiled), std::move(options)));
}

Result<TransformStage::TablePlans*> TransformStage::plans_for(const TableSchemaPtr& schema) {
  // Consecutive events mostly share a table: skip the map for a repeat.
  if (schema.get() == last_schema_) return last_plans_;
  if (auto it = cache_.find(schema.get()); it != cache_.end()) {
    last_schema_ = schema.get();
    last_plans_ = it->second.get();
    return last_plans_;
  }
  auto plans = std::make_unique<TablePlans>();
  plans->source = schema;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!rules_[i].pattern.matches(schema->id)) continue;
    CDC_TRY_ASSIGN(auto plan,
                   compile_transform_plan(i, rules_[i].rule, rules_[i].items, schema, options_));
    if (scratch_.size() < kMetaSlots + plan->outputs.size())
      scratch_.resize(kMetaSlots + plan->outputs.size());
    plans->plans.push_back(std::move(plan));
  }
  plans->table_name = schema->id.table;
  plans->namespace_name = schema->id.db;
  plans->schema_name = schema->id.db;
  plans->batch_seq = 0;
  last_schema_ = schema.get();
  last_plans_ = cache_.emplace(schema.get(), std::move(plans)).first->second.get();
  return last_plans_;
}

Result<TableSchemaPtr> TransformStage::check(const TableSchemaPtr& table) {
  CDC_TRY_ASSIGN(TablePlans * plans, plans_for(table));
  if (plans->plans.empty()) return table;
  return plans->plans.front()->output;
}

Result<bool> TransformStage::apply(TablePlans& plans, ChangeEvent& e, Batch& batch) {
  if (e.op == Op::schema_change || e.op == Op::truncate) {
    e.schema = batch.hold(plans.plans.front()->output);
    return true;
  }
  const bool is_delete = e.op == Op::erase;
  const RowImage& deciding = is_delete ? e.before : e.after;
  if (!deciding.present) {
    e.schema = batch.hold(plans.plans.front()->output);
    return true;
  }
  if (plans.batch_seq != batch_seq_) {
    if (!plans.namespace_resolved && e.source.connector == "postgresql") {
      plans.namespace_name = std::string(e.source.database);
    }
    plans.namespace_resolved = true;
    plans.meta[kNamespaceSlot] = Value::string(batch.arena.copy(plans.namespace_name));
    plans.meta[kSchemaSlot] = Value::string(batch.arena.copy(plans.schema_name));
    plans.meta[kTableSlot] = Value::string(batch.arena.copy(plans.table_name));
    plans.batch_seq = batch_seq_;
  }
  // scratch_ holds the metadata of the table and batch it was filled for; per event only the
  // event type and op_ts change.
  if (meta_plans_ != &plans || meta_seq_ != batch_seq_) {
    std::copy(std::begin(plans.meta), std::end(plans.meta), scratch_.begin());
    meta_plans_ = &plans;
    meta_seq_ = batch_seq_;
  }
  scratch_[kOpTsSlot] = Value::int64(e.source.commit_ts_ms);
  const std::span<const Value> extra(scratch_);

  const auto eval_error = [&](const Plan& plan, Error err) {
    std::string at = "transform[" + std::to_string(plan.rule_index) + "] for table " +
                     plans.source->id.to_string();
    if (!std::holds_alternative<std::monostate>(e.source.at)) at += " at " + to_string(e.source.at);
    return std::move(err).with_context(at);
  };
  // Evaluates the plan's outputs over `image` into out[0, outputs.size()).
  const auto project = [&](const Plan& plan, const RowImage& image, Value* out) -> Status {
    const expr::EvalRow row{image.values(), extra, &batch.arena, now_ms_};
    for (size_t j = 0; j < plan.outputs.size(); ++j) {
      const Plan::Output& output = plan.outputs[j];
      if (output.copy_from >= 0) {
        out[j] = image[static_cast<size_t>(output.copy_from)];
      } else if (auto st = output.expr->eval(row, out[j]); !st) {
        return eval_error(plan, std::move(st).error());
      }
    }
    return {};
  };
  // The projection of `image` as a new row image in the batch's arena.
  const auto project_new = [&](const Plan& plan, const RowImage& image) -> Result<RowImage> {
    std::span<Value> values = batch.arena.make_array<Value>(plan.outputs.size());
    CDC_TRY(project(plan, image, values.data()));
    return RowImage(values);
  };
  const auto passes = [&](const Plan& plan) -> Result<bool> {
    const expr::EvalRow row{deciding.values(), extra, &batch.arena, now_ms_};
    bool pass = false;
    if (auto st = plan.filter->test(row, pass); !st) return eval_error(plan, std::move(st).error());
    return pass;
  };

  // A partial row image (binlog_row_image=MINIMAL/NOBLOB) holds null for the columns it leaves
  // out: a filter or an expression over it would read a value the row does not have.
  const auto copies_only = [](const Plan& plan) {
    return !plan.filter && std::all_of(plan.outputs.begin(), plan.outputs.end(),
                                       [](const Plan::Output& o) { return o.copy_from >= 0; });
  };
  // The columns absent from each image, renumbered for the output (copied columns only).
  const auto renumber = [&](const Plan& plan,
                            std::span<const uint32_t> absent) -> std::span<const uint32_t> {
    if (absent.empty()) return {};
    std::vector<uint32_t> kept;
    for (uint32_t j = 0; j < plan.outputs.size(); ++j) {
      const int32_t from = plan.outputs[j].copy_from;
      if (from >= 0 &&
          std::find(absent.begin(), absent.end(), static_cast<uint32_t>(from)) != absent.end()) {
        kept.push_back(j);
      }
    }
    std::span<uint32_t> stored = batch.arena.make_array<uint32_t>(kept.size());
    std::copy(kept.begin(), kept.end(), stored.begin());
    return stored;
  };
  const std::span<const uint32_t> before_absent = e.before.absent;
  const std::span<const uint32_t> after_absent = e.after.absent;

  for (const auto& plan_ptr : plans.plans) {
    const Plan& plan = *plan_ptr;
    if (e.partial() && !copies_only(plan)) {
      return eval_error(
          plan, make_error(Errc::unsupported,
                           "the row image leaves columns out (the writing session had "
                           "binlog_row_image=MINIMAL or NOBLOB), and this rule filters or "
                           "computes columns, which would read null for them: set "
                           "binlog_row_image=FULL in that session, or give this table a rule "
                           "that only copies columns"));
    }
    scratch_[kEventTypeSlot] = Value::string(event_type(e.op, false));
    // A filter on the outputs reads them from the scratch slots after the metadata.
    const bool filter_reads_outputs = plan.filter && !plan.filter_first;
    if (plan.filter && plan.filter_first) {
      CDC_TRY_ASSIGN(bool pass, passes(plan));
      if (!pass) continue;
    }
    if (filter_reads_outputs) {
      CDC_TRY(project(plan, deciding, scratch_.data() + kMetaSlots));
      CDC_TRY_ASSIGN(bool pass, passes(plan));
      if (!pass) continue;
    }
    const TransformRule& rule = *plan.rule;
    const Op effective = e.op == Op::read ? Op::insert : e.op;
    if (std::find(rule.skip_ops.begin(), rule.skip_ops.end(), effective) != rule.skip_ops.end())
      return false;

    const auto prefix = [&](const RowImage& image) {
      return RowImage(image.values().first(plan.outputs.size()));
    };
    RowImage decided;
    if (plan.identity) {
      decided = prefix(deciding);
    } else if (filter_reads_outputs) {  // projected already: copy the outputs out of scratch_
      std::span<Value> values = batch.arena.make_array<Value>(plan.outputs.size());
      std::copy_n(scratch_.begin() + kMetaSlots, plan.outputs.size(), values.begin());
      decided = RowImage(values);
    } else {
      CDC_TRY_ASSIGN(decided, project_new(plan, deciding));
    }
    if (e.op == Op::update && e.before.present) {
      if (plan.identity) {
        e.before = prefix(e.before);
      } else {
        scratch_[kEventTypeSlot] = Value::string(event_type(e.op, true));
        CDC_TRY_ASSIGN(e.before, project_new(plan, e.before));
      }
    }
    if (is_delete) {
      if (rule.soft_delete) {
        e.op = Op::insert;
        e.after = decided;
        e.after.absent = renumber(plan, before_absent);
        e.before = RowImage();
      } else {
        e.before = decided;
        e.before.absent = renumber(plan, before_absent);
      }
    } else {
      e.after = decided;
      e.after.absent = renumber(plan, after_absent);
      if (e.before.present) e.before.absent = renumber(plan, before_absent);
    }
    if (!e.unchanged_columns.empty() &&
        !(plan.identity && plan.outputs.size() == plans.source->columns.size())) {
      e.unchanged_columns = renumber(plan, e.unchanged_columns);  // Postgres unchanged TOAST
    }
    e.schema = batch.hold(plan.output);
    return true;
  }
  return false;
}

Status TransformStage::process(Batch& batch) {
  ++batch_seq_;
  now_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  size_t kept = 0;
  const size_t n = batch.events.size();
  for (size_t i = 0; i < n; ++i) {
    // The batch was decoded on the reader's core: ask for the events and their row values a
    // few events ahead, so that their cache misses overlap this event's work.
    if (i + 6 < n) prefetch_lines(&batch.events[i + 6], sizeof(ChangeEvent));
    if (i + 3 < n) {
      const ChangeEvent& ahead = batch.events[i + 3];
      const RowImage& image = ahead.after.present ? ahead.after : ahead.before;
      prefetch_lines(image.data, image.size * sizeof(Value));
    }
    ChangeEvent& e = batch.events[i];
    bool keep = true;
    if (e.schema) {
      TablePlans* plans = last_plans_;
      if (e.schema != last_schema_) {  // a repeat (the common case) without a Result
        CDC_TRY_ASSIGN(const TableSchemaPtr schema, held_schema(e));
        CDC_TRY_ASSIGN(plans, plans_for(schema));
      }
      if (!plans->plans.empty()) {
        CDC_TRY_ASSIGN(keep, apply(*plans, e, batch));
      }
    }
    if (!keep) continue;
    if (kept != i) batch.events[kept] = std::move(e);
    ++kept;
  }
  batch.events.erase(batch.events.begin() + static_cast<std::ptrdiff_t>(kept), batch.events.end());
  return {};
}

}  // namespace cdc::pipeline
