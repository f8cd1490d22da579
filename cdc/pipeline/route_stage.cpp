#include "cdc/pipeline/route_stage.h"

namespace cdc::pipeline {

Result<std::unique_ptr<RouteStage>> RouteStage::create(const std::vector<RouteRule>& rules) {
  std::vector<Compiled> compiled;
  for (const RouteRule& rule : rules) {
    std::regex re;
    try {
      re = std::regex(rule.source_table, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return make_error(Errc::invalid_config,
                        "route source-table '" + rule.source_table + "' is not a valid regex: " + e.what());
    }
    if (rule.sink_table.find('.') == std::string::npos) {
      return make_error(Errc::invalid_config, "route sink-table '" + rule.sink_table + "' must be db.table");
    }
    compiled.push_back(Compiled{std::move(re), rule});
  }
  return std::unique_ptr<RouteStage>(new RouteStage(std::move(compiled)));
}

std::optional<TableId> RouteStage::route(const TableId& table) const {
  const std::string full = table.to_string();
  for (const Compiled& c : rules_) {
    if (!std::regex_match(full, c.pattern)) continue;
    std::string target = c.rule.sink_table;
    if (!c.rule.replace_symbol.empty()) {
      for (size_t at = target.find(c.rule.replace_symbol); at != std::string::npos;
           at = target.find(c.rule.replace_symbol, at + table.table.size())) {
        target.replace(at, c.rule.replace_symbol.size(), table.table);
      }
    }
    const auto dot = target.find('.');
    return TableId{target.substr(0, dot), target.substr(dot + 1)};
  }
  return std::nullopt;
}

Status RouteStage::process(Batch& batch) {
  for (ChangeEvent& e : batch.events) {
    if (!e.schema) continue;
    auto it = cache_.find(e.schema.get());
    if (it == cache_.end()) {
      TableSchemaPtr routed;
      if (auto id = route(e.schema->id)) {
        auto copy = std::make_shared<TableSchema>(*e.schema);
        copy->id = std::move(*id);
        routed = std::move(copy);
      }
      it = cache_.emplace(e.schema.get(), std::make_pair(e.schema, std::move(routed))).first;
    }
    if (it->second.second) e.schema = it->second.second;
  }
  return {};
}

}  // namespace cdc::pipeline
