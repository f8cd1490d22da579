#include "cdc/snapshot/snapshot_signal.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "cdc/core/log.h"

namespace cdc::snapshot {

namespace {

Error bad(std::string what) {
  return make_error(Errc::malformed, "snapshot signal data: " + std::move(what));
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Result<std::vector<TableId>> parse_snapshot_signal(std::string_view data) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(data.data(), data.size()).get(doc); err) {
    return bad(std::string("not JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::object obj;
  if (doc.get(obj)) return bad("expected a JSON object");
  std::string_view type = "incremental";  // Debezium's default
  if (auto t = obj["type"]; t.error() != simdjson::NO_SUCH_FIELD) {
    if (t.get(type)) return bad("\"type\" is not a string");
  }
  if (!equals_ignore_case(type, "incremental")) {
    return bad("type '" + std::string(type) +
               "' is not supported (only incremental: the stream goes on while the rows are read)");
  }
  simdjson::dom::array list;
  if (obj["data-collections"].get(list)) {
    return bad("expected \"data-collections\": an array of \"db.table\" names");
  }
  std::vector<TableId> out;
  for (simdjson::dom::element item : list) {
    std::string_view name;
    if (item.get(name)) return bad("a \"data-collections\" entry is not a string");
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) {
      return bad("'" + std::string(name) + "' is not a \"db.table\" name");
    }
    TableId id{std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))};
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
  }
  if (out.empty()) return bad("\"data-collections\" is empty");
  return out;
}

Result<TableId> parse_signal_table(std::string_view option, std::string_view form) {
  const size_t dot = option.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == option.size()) {
    return make_error(Errc::invalid_config, "signal.data-collection: expected \"" +
                                                std::string(form) + "\", found '" +
                                                std::string(option) + "'");
  }
  return TableId{std::string(option.substr(0, dot)), std::string(option.substr(dot + 1))};
}

void take_signals(Batch& batch, const TableId& signal_table, bool deliver,
                  std::string_view pipeline_name, const QueueSnapshot& queue) {
  size_t kept = 0;
  for (size_t i = 0; i < batch.events.size(); ++i) {
    const ChangeEvent& e = batch.events[i];
    const bool is_signal = e.schema != nullptr && e.schema->id == signal_table;
    if (is_signal && e.op == Op::insert) {
      const auto id_col = e.schema->column_index("id");
      const auto type_col = e.schema->column_index("type");
      const auto data_col = e.schema->column_index("data");
      auto text_of = [&](std::optional<uint32_t> c) -> std::string {
        if (!c || *c >= e.after.size) return {};
        const Value& v = e.after[*c];
        if (v.kind == ValueKind::string || v.kind == ValueKind::bytes) return std::string(v.text);
        if (v.kind == ValueKind::int64) return std::to_string(v.i);
        if (v.kind == ValueKind::uint64) return std::to_string(v.u);
        return {};
      };
      const std::string id = text_of(id_col), type = text_of(type_col);
      if (!type_col || !data_col) {
        log::get("snapshot")
            ->warn(
                "[source={}] signal table {} has no `type` and `data` columns: signal '{}' "
                "ignored",
                pipeline_name, signal_table.to_string(), id);
      } else if (type == kExecuteSnapshot) {
        auto tables = parse_snapshot_signal(text_of(data_col));
        Status queued =
            tables ? queue(*tables, "signal '" + id + "'") : Status(std::move(tables).error());
        if (!queued) {
          log::get("snapshot")
              ->warn("[source={}] signal '{}' in {} ignored: {}", pipeline_name, id,
                     signal_table.to_string(), queued.error().message);
        }
      } else {
        log::get("snapshot")
            ->warn(
                "[source={}] signal '{}' in {} ignored: type '{}' is not one sluice knows "
                "(execute-snapshot)",
                pipeline_name, id, signal_table.to_string(), type);
      }
    }
    if (is_signal && !deliver) continue;
    if (kept != i) batch.events[kept] = batch.events[i];
    ++kept;
  }
  batch.events.resize(kept);
}

}  // namespace cdc::snapshot
