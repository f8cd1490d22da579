#include "cdc/pipeline/route_stage.h"

namespace cdc::pipeline {
namespace {

// sink-table with the replace symbol and $n references filled in.
std::string expand_sink_table(const RouteRule& rule, const TableId& source,
                              const std::smatch& groups) {
  std::string out;
  const std::string& t = rule.sink_table;
  for (size_t i = 0; i < t.size();) {
    if (!rule.replace_symbol.empty() &&
        t.compare(i, rule.replace_symbol.size(), rule.replace_symbol) == 0) {
      out += source.table;
      i += rule.replace_symbol.size();
    } else if (t[i] == '$' && i + 1 < t.size() && t[i + 1] >= '1' && t[i + 1] <= '9') {
      const size_t group = static_cast<size_t>(t[i + 1] - '0');
      if (group < groups.size()) out += groups[group].str();
      i += 2;
    } else {
      out += t[i++];
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<RouteStage>> RouteStage::create(const std::vector<RouteRule>& rules,
                                                       RouteMode mode) {
  std::vector<Compiled> compiled;
  for (const RouteRule& rule : rules) {
    auto pattern = TablePattern::compile(rule.source_table);
    if (!pattern) return std::move(pattern).error().with_context("route source-table");
    if (rule.sink_table.empty() || rule.sink_table.front() == '.' ||
        rule.sink_table.back() == '.') {
      return make_error(Errc::invalid_config,
                        "route sink-table '" + rule.sink_table + "' must be db.table or table");
    }
    compiled.push_back(Compiled{std::move(*pattern), rule});
  }
  return std::unique_ptr<RouteStage>(new RouteStage(std::move(compiled), mode));
}

std::vector<std::pair<TableId, size_t>> RouteStage::resolve(const TableId& table) const {
  std::vector<std::pair<TableId, size_t>> out;
  std::string subject;
  std::smatch groups;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!rules_[i].pattern.match(table, subject, groups)) continue;
    const std::string target = expand_sink_table(rules_[i].rule, table, groups);
    const auto dot = target.find('.');
    TableId id = dot == std::string::npos ? TableId{table.db, target}
                                          : TableId{target.substr(0, dot), target.substr(dot + 1)};
    out.emplace_back(std::move(id), i);
    if (mode_ == RouteMode::first_match) break;
  }
  return out;
}

std::optional<TableId> RouteStage::route(const TableId& table) const {
  auto all = resolve(table);
  if (all.empty()) return std::nullopt;
  return std::move(all.front().first);
}

std::vector<TableId> RouteStage::route_all(const TableId& table) const {
  std::vector<TableId> out;
  for (auto& [id, rule] : resolve(table)) out.push_back(std::move(id));
  return out;
}

Result<const RouteStage::Routing*> RouteStage::routing_for(const TableSchemaPtr& schema) {
  // Consecutive events mostly share a table: skip the map for a repeat.
  if (schema.get() == last_source_) return last_routing_;
  if (auto it = cache_.find(schema.get()); it != cache_.end()) {
    last_source_ = schema.get();
    last_routing_ = &it->second;
    return last_routing_;
  }
  Routing routing{schema, {}};
  for (auto& [id, rule_index] : resolve(schema->id)) {
    const RouteRule& rule = rules_[rule_index].rule;
    auto copy = std::make_shared<TableSchema>(*schema);
    copy->id = std::move(id);
    Target target;
    if (!rule.source_table_column.empty()) {
      if (schema->column_index(rule.source_table_column)) {
        return make_error(Errc::invalid_config,
                          "route to " + copy->id.to_string() + ": source-table-column '" +
                              rule.source_table_column + "' is already a column of " +
                              schema->id.to_string());
      }
      Column c;
      c.name = rule.source_table_column;
      c.source_type = "varchar(256)";
      c.kind = ValueKind::string;
      c.nullable = false;
      c.charset = "utf8mb4";
      c.length = 256;
      copy->columns.push_back(std::move(c));
      target.add_source_column = true;
      target.source_name = schema->id.to_string();
    }
    target.schema = std::move(copy);
    routing.targets.push_back(std::move(target));
  }
  last_source_ = schema.get();
  last_routing_ = &cache_.emplace(schema.get(), std::move(routing)).first->second;
  return last_routing_;
}

void RouteStage::retarget(ChangeEvent& e, const Target& target, Batch& batch) {
  Arena& arena = batch.arena;
  if (target.add_source_column) {
    const Value source = Value::string(arena.copy(target.source_name));
    for (RowImage* image : {&e.before, &e.after}) {
      if (!image->present) continue;
      std::span<Value> row = arena.make_array<Value>(image->size + 1);
      std::copy(image->data, image->data + image->size, row.begin());
      row.back() = source;
      *image = RowImage(row);
    }
  }
  e.schema = batch.hold(target.schema);
}

Status RouteStage::process(Batch& batch) {
  bool fan_out = false;
  for (ChangeEvent& e : batch.events) {
    if (!e.schema) continue;
    const Routing* routing = last_routing_;
    if (e.schema != last_source_) {  // a repeat (the common case) without a Result
      CDC_TRY_ASSIGN(const TableSchemaPtr schema, held_schema(e));
      CDC_TRY_ASSIGN(routing, routing_for(schema));
    }
    if (routing->targets.size() > 1) {
      fan_out = true;
    } else if (routing->targets.size() == 1) {
      retarget(e, routing->targets.front(), batch);
    }
  }
  if (!fan_out) return {};
  // One copy per target; the copies share the (read-only) row images.
  std::vector<ChangeEvent> out;
  out.reserve(batch.events.size() * 2);
  for (ChangeEvent& e : batch.events) {
    // Re-targeted schemas are never keys: a hit is an event still to fan out.
    const auto it = e.schema != nullptr ? cache_.find(e.schema) : cache_.end();
    if (it == cache_.end() || it->second.targets.size() <= 1) {
      out.push_back(std::move(e));
      continue;
    }
    for (const Target& target : it->second.targets) {
      ChangeEvent copy = e;
      retarget(copy, target, batch);
      out.push_back(std::move(copy));
    }
  }
  batch.events = std::move(out);
  return {};
}

}  // namespace cdc::pipeline
