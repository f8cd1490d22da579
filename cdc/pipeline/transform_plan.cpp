#include "cdc/pipeline/transform_plan.h"

#include <algorithm>
#include <cctype>

#include "cdc/core/text.h"

namespace cdc::pipeline {
namespace {

// A bare column name, possibly in backquotes: the projection copies the column as it is.
std::optional<std::string_view> bare_identifier(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return std::nullopt;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  }
  return s;
}

std::optional<uint32_t> find_column(const std::vector<Column>& columns, std::string_view name) {
  for (uint32_t i = 0; i < columns.size(); ++i) {
    if (iequals_ascii(columns[i].name, name)) return i;
  }
  return std::nullopt;
}

expr::ExprType string_type(bool nullable) {
  return expr::ExprType{.kind = ValueKind::string, .nullable = nullable};
}

std::string join_names(const std::vector<Column>& columns) {
  std::string out;
  for (const Column& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

// The name an item gives its output column: the alias, else the expression's text.
std::string item_name(const expr::ProjectionItem& item) {
  return item.alias ? *item.alias : std::string(trim(item.expression));
}

// Compiles one rule against one table schema version into a Plan, one step per member: the
// outputs (columns.include, the default projection or the projection's items), the filter, the
// output schema. Lives for one compile_transform_plan call and borrows its arguments.
class PlanCompiler {
 public:
  using Plan = TransformPlan;

  PlanCompiler(size_t rule_index, const TransformRule& rule,
               std::span<const expr::ProjectionItem> items, const TableSchemaPtr& schema,
               const expr::CompileOptions& options)
      : rule_index_(rule_index),
        rule_(rule),
        items_(items),
        schema_(schema),
        table_(*schema),
        options_(options),
        scope_(metadata_scope(table_)),
        plan_(std::make_unique<Plan>()) {
    plan_->rule_index = rule_index;
    plan_->rule = &rule;
  }

  // The checks of check_rule_expressions: each projection item and the filter against a scope
  // that binds unknown columns, every error collected.
  std::vector<Error> check_expressions() {
    std::vector<Error> errors;
    emitted_.assign(items_.size(), false);
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].star) continue;
      if (auto st = project_item(i); !st) errors.push_back(std::move(st).error());
    }
    if (auto st = compile_filter(); !st) errors.push_back(std::move(st).error());
    return errors;
  }

  Result<std::unique_ptr<Plan>> compile() {
    CDC_TRY(check_excluded_columns());
    CDC_TRY(project());
    plan_->identity = outputs_are_identity();
    CDC_TRY(compile_filter());
    CDC_TRY_ASSIGN(plan_->output, output_schema());
    return std::move(plan_);
  }

 private:
  // The table's columns plus the metadata columns, in the extra slots apply() fills. Without a
  // table (no name), every other name is a column of unknown type, op_ts included: a table's
  // own op_ts column would win over the metadata one.
  static expr::Scope metadata_scope(const TableSchema& table) {
    expr::Scope scope(table);
    const bool unknown_table = table.id.table.empty();
    if (unknown_table) scope.bind_unknown_columns();
    scope.add_extra(std::string(kNamespaceName), string_type(false), kNamespaceSlot);
    scope.add_extra(std::string(kSchemaName), string_type(false), kSchemaSlot);
    scope.add_extra(std::string(kTableName), string_type(false), kTableSlot);
    scope.add_extra(std::string(kDataEventType), string_type(false), kEventTypeSlot);
    if (!unknown_table && !find_column(table.columns, kOpTs)) {
      scope.add_extra(std::string(kOpTs),
                      expr::ExprType{.kind = ValueKind::int64, .nullable = false}, kOpTsSlot);
    }
    return scope;
  }

  // "transform[1] for table app.orders", with `what` ("filter") after the index.
  std::string context(std::string_view what = {}) const {
    std::string out = "transform[" + std::to_string(rule_index_) + "]";
    // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on " " + std::string(what).
    if (!what.empty()) {
      out += ' ';
      out += what;
    }
    if (table_.id.table.empty()) return out;  // checked without a table
    return out + " for table " + table_.id.to_string();
  }
  Error config_error(const std::string& what) const {
    return make_error(Errc::invalid_config, context() + ": " + what);
  }
  // The index of `name` in `columns`, or an error naming `option` and the columns there are.
  Result<uint32_t> column_index(const std::vector<Column>& columns, const std::string& name,
                                std::string_view option, std::string_view kind) const {
    if (auto col = find_column(columns, name)) return *col;
    return config_error(std::string(option) + " names '" + name + "', which is not " +
                        std::string(kind) + " (columns: " + join_names(columns) + ")");
  }

  Status check_excluded_columns() const {
    for (const std::string& name : rule_.exclude_columns) {
      CDC_TRY(column_index(table_.columns, name, "columns.exclude", "a column"));
    }
    return {};
  }
  bool excluded(const Column& col) const {
    return std::any_of(rule_.exclude_columns.begin(), rule_.exclude_columns.end(),
                       [&](const std::string& n) { return iequals_ascii(n, col.name); });
  }

  Status project() {
    if (!rule_.include_columns.empty()) return project_included_columns();
    if (items_.empty()) {
      for (uint32_t col = 0; col < table_.columns.size(); ++col) {
        if (!excluded(table_.columns[col])) add_copy(col, table_.columns[col].name);
      }
      return {};
    }
    return project_items();
  }

  Status project_included_columns() {
    for (const std::string& name : rule_.include_columns) {
      CDC_TRY_ASSIGN(const uint32_t col,
                     column_index(table_.columns, name, "columns.include", "a column"));
      add_copy(col, table_.columns[col].name);
    }
    return {};
  }

  // An explicit item replaces the star's column of the same name: in the star's place when it
  // comes after the star ("*, UPPER(name) AS name"), in its own place when before.
  Status project_items() {
    emitted_.assign(items_.size(), false);
    for (size_t i = 0; i < items_.size(); ++i) {
      if (emitted_[i]) continue;
      if (items_[i].star) {
        emitted_[i] = true;
        CDC_TRY(expand_star(i));
      } else {
        CDC_TRY(project_item(i));
      }
    }
    return {};
  }

  Status expand_star(size_t star) {
    for (uint32_t col = 0; col < table_.columns.size(); ++col) {
      if (excluded(table_.columns[col])) continue;
      const size_t replacement = replacing_item(table_.columns[col].name);
      if (replacement == items_.size()) {
        add_copy(col, table_.columns[col].name);
      } else if (replacement > star && !emitted_[replacement]) {
        CDC_TRY(project_item(replacement));
      }
    }
    return {};
  }

  // The last item that is not a star and is named `column`; items_.size() when none is.
  size_t replacing_item(const std::string& column) const {
    size_t replacement = items_.size();
    for (size_t j = 0; j < items_.size(); ++j) {
      if (!items_[j].star && iequals_ascii(item_name(items_[j]), column)) replacement = j;
    }
    return replacement;
  }

  Status project_item(size_t index) {
    const expr::ProjectionItem& item = items_[index];
    emitted_[index] = true;
    std::string name = item_name(item);
    CDC_TRY(check_unused_name(name));
    if (auto ident = bare_identifier(item.expression)) {
      if (auto col = find_column(table_.columns, *ident)) {
        add_copy(*col, item.alias ? name : table_.columns[*col].name);
        return {};
      }
    }
    CDC_TRY_ASSIGN(auto compiled, compile_item(item, name));
    columns_.push_back(expr::output_column(std::move(name), compiled->type()));
    plan_->outputs.push_back(Plan::Output{-1, std::move(compiled)});
    return {};
  }

  // The item's expression. Sets `name` when the item only compiles with its last word read as
  // an alias.
  Result<std::unique_ptr<expr::Expression>> compile_item(const expr::ProjectionItem& item,
                                                         std::string& name) const {
    // Points at the item inside a one-line projection value.
    expr::TextOrigin origin = rule_.projection_origin;
    if (origin.column != 0) origin.column += item.offset;
    origin.context = context("projection");
    auto compiled = expr::compile(item.expression, scope_, options_, origin);
    if (compiled || item.alias) return compiled;
    // Flink also accepts an alias without AS ("a || b full_name"): when the item does not
    // compile as a whole, try its last word as the alias.
    const std::string_view text = item.expression;
    const size_t space = text.find_last_of(" \t\n");
    if (space == std::string_view::npos) return compiled;
    const auto alias = bare_identifier(text.substr(space + 1));
    if (!alias) return compiled;
    auto prefix = expr::compile(trim(text.substr(0, space)), scope_, options_, origin);
    if (!prefix) return compiled;
    name = std::string(*alias);
    CDC_TRY(check_unused_name(name));
    return prefix;
  }

  Status check_unused_name(const std::string& name) const {
    if (find_column(columns_, name)) {
      return config_error("the projection names column '" + name + "' twice");
    }
    return {};
  }

  void add_copy(uint32_t col, std::string name) {
    Column out = table_.columns[col];
    out.name = std::move(name);
    columns_.push_back(std::move(out));
    plan_->outputs.push_back(Plan::Output{static_cast<int32_t>(col), nullptr});
  }

  bool outputs_are_identity() const {
    for (size_t j = 0; j < plan_->outputs.size(); ++j) {
      if (plan_->outputs[j].copy_from != static_cast<int32_t>(j)) return false;
    }
    return true;
  }

  Status compile_filter() {
    if (rule_.filter.empty()) return {};
    expr::TextOrigin origin = rule_.filter_origin;
    origin.context = context("filter");
    // Deciding before projecting saves the projection of dropped rows; possible when the filter
    // compiles without the outputs and no output shadows a source column of the same name.
    if (!outputs_shadow_source_columns()) {
      if (auto f = expr::compile(rule_.filter, scope_, options_, origin)) {
        plan_->filter = std::move(*f);
        plan_->filter_first = true;
      }
    }
    if (!plan_->filter) {
      const expr::Scope with_outputs = scope_with_outputs();
      CDC_TRY_ASSIGN(plan_->filter, expr::compile(rule_.filter, with_outputs, options_, origin));
    }
    const ValueKind kind = plan_->filter->type().kind;
    if (kind != ValueKind::boolean && kind != ValueKind::null) {
      return config_error("filter '" + rule_.filter + "' is of type " +
                          std::string(to_string(kind)) + ", expected a boolean condition");
    }
    return {};
  }

  // True when an output other than a source column copied under its own name has the name of
  // a source column.
  bool outputs_shadow_source_columns() const {
    for (size_t j = 0; j < columns_.size(); ++j) {
      const Plan::Output& out = plan_->outputs[j];
      if (out.copy_from >= 0 &&
          iequals_ascii(table_.columns[static_cast<size_t>(out.copy_from)].name,
                        columns_[j].name)) {
        continue;
      }
      if (find_column(table_.columns, columns_[j].name)) return true;
    }
    return false;
  }

  // scope_ plus the outputs, in the extra slots after the metadata (where apply() projects them).
  expr::Scope scope_with_outputs() const {
    expr::Scope with_outputs = scope_;
    for (size_t j = 0; j < columns_.size(); ++j) {
      with_outputs.add_extra(columns_[j].name,
                             expr::ExprType{.kind = columns_[j].kind,
                                            .nullable = columns_[j].nullable,
                                            .precision = columns_[j].precision,
                                            .scale = columns_[j].scale,
                                            .fsp = columns_[j].fsp},
                             static_cast<uint32_t>(kMetaSlots + j));
    }
    return with_outputs;
  }

  // The outputs as a TableSchema with its keys; the source schema itself when nothing changes.
  Result<TableSchemaPtr> output_schema() {
    auto out = std::make_shared<TableSchema>();
    out->id = table_.id;
    out->version = table_.version;
    out->columns = std::move(columns_);
    CDC_TRY(set_primary_key(*out));
    for (const std::string& name : rule_.partition_keys) {
      CDC_TRY_ASSIGN(const uint32_t col,
                     column_index(out->columns, name, "partition-keys", "an output column"));
      out->partition_key.push_back(col);
    }
    const bool same_columns =
        plan_->identity && plan_->outputs.size() == table_.columns.size() &&
        std::equal(out->columns.begin(), out->columns.end(), table_.columns.begin(),
                   [](const Column& a, const Column& b) { return a.name == b.name; });
    if (same_columns && rule_.primary_keys.empty() && rule_.partition_keys.empty()) {
      return schema_;  // nothing about the table changes
    }
    return TableSchemaPtr(std::move(out));
  }

  // primary-keys when set, else the source's key through the outputs that copy its columns.
  Status set_primary_key(TableSchema& out) const {
    if (!rule_.primary_keys.empty()) {
      for (const std::string& name : rule_.primary_keys) {
        CDC_TRY_ASSIGN(const uint32_t col,
                       column_index(out.columns, name, "primary-keys", "an output column"));
        out.primary_key.push_back(col);
        out.columns[col].nullable = false;  // Flink: primary key columns are NOT NULL downstream
      }
      return {};
    }
    for (uint32_t pk : table_.primary_key) {
      auto it = std::find_if(
          plan_->outputs.begin(), plan_->outputs.end(),
          [&](const Plan::Output& o) { return o.copy_from == static_cast<int32_t>(pk); });
      if (it == plan_->outputs.end()) {
        return config_error("the projection drops primary key column '" + table_.columns[pk].name +
                            "'; project it or set primary-keys");
      }
      out.primary_key.push_back(static_cast<uint32_t>(it - plan_->outputs.begin()));
    }
    return {};
  }

  const size_t rule_index_;
  const TransformRule& rule_;
  const std::span<const expr::ProjectionItem> items_;  // the rule's parsed projection
  const TableSchemaPtr& schema_;
  const TableSchema& table_;  // *schema_
  const expr::CompileOptions& options_;
  const expr::Scope scope_;
  std::unique_ptr<Plan> plan_;
  std::vector<Column> columns_;  // of the output schema, parallel to plan_->outputs
  std::vector<bool> emitted_;    // per projection item: placed already
};

}  // namespace

Result<std::vector<expr::ProjectionItem>> parse_rule_projection(TransformRule& rule,
                                                                const std::string& where) {
  // "\*" is how a YAML value starts with "*" without quotes (Flink's documented escape).
  std::string_view text = rule.projection;
  const size_t lead = text.find_first_not_of(" \t");
  if (lead != std::string_view::npos && text.compare(lead, 2, "\\*") == 0) {
    rule.projection.erase(lead, 1);
    rule.projection_origin.column += 1;
  }
  if (trim(rule.projection).empty()) return std::vector<expr::ProjectionItem>{};
  expr::TextOrigin origin = rule.projection_origin;
  origin.context = where + " projection";
  return expr::parse_projection(rule.projection, origin);
}

std::vector<Error> check_rule_expressions(size_t rule_index, const TransformRule& rule,
                                          std::span<const expr::ProjectionItem> items,
                                          const expr::CompileOptions& options) {
  const TableSchemaPtr no_table = std::make_shared<TableSchema>();
  return PlanCompiler(rule_index, rule, items, no_table, options).check_expressions();
}

Result<std::unique_ptr<TransformPlan>> compile_transform_plan(
    size_t rule_index, const TransformRule& rule, std::span<const expr::ProjectionItem> items,
    const TableSchemaPtr& schema, const expr::CompileOptions& options) {
  return PlanCompiler(rule_index, rule, items, schema, options).compile();
}

}  // namespace cdc::pipeline
