#include "state/checkpoint_format.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "cdc/core/text.h"

namespace cdc::state {

namespace {

struct Row {
  std::string pipeline;
  CheckpointRecord record;  // only its id when `damage` is set
  std::string savepoint;    // empty for a checkpoint
  std::string damage;       // why the record does not decode; empty when it does
};

std::string json_string(std::string_view s) {
  std::string out;
  append_json_quoted(out, s);
  return out;
}

std::string json_position(const Position& p) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "\"kind\":\"none\""; }
    std::string operator()(const DatagenPosition& d) const {
      return "\"kind\":\"datagen\",\"next_row\":" + std::to_string(d.next_row);
    }
    std::string operator()(const MysqlPosition& m) const {
      return "\"kind\":\"mysql\",\"file\":" + json_string(m.binlog.file) +
             ",\"offset\":" + std::to_string(m.binlog.offset) +
             ",\"gtid_set\":" + json_string(m.gtid_set) +
             ",\"events_to_skip\":" + std::to_string(m.events_to_skip) +
             ",\"rows_to_skip\":" + std::to_string(m.rows_to_skip);
    }
    std::string operator()(const PostgresPosition& pg) const {
      return "\"kind\":\"postgres\",\"commit_lsn\":" + json_string(to_string(pg.commit_lsn)) +
             ",\"lsn\":" + json_string(to_string(pg.lsn)) +
             ",\"events_to_skip\":" + std::to_string(pg.events_to_skip);
    }
    // The finished part of a snapshot: each segment's table and snapshot point, the table
    // being read (or, after reading, where the stream continues), and a re-snapshot's tables.
    std::string operator()(const SnapshotPosition& sp) const {
      std::string out = "\"kind\":\"snapshot\",\"segments\":[";
      for (size_t seg_idx = 0; seg_idx < sp.segments.size(); ++seg_idx) {
        const auto& seg = sp.segments[seg_idx];
        out += (seg_idx == 0 ? "{" : ",{");
        out += "\"table\":" + json_string(seg.db + "." + seg.table) +
               ",\"from_start\":" + (seg.from_key.empty() ? "true" : "false") +
               ",\"at\":" + json_string(to_string(to_position(seg.at))) + "}";
      }
      out += "],\"reading\":";
      out += sp.reading ? json_string(sp.db + "." + sp.table) : "null";
      if (!sp.reading) out += ",\"stream\":" + json_string(to_string(to_position(sp.stream)));
      // A re-snapshot going on: the tables it has left, and whether the first is started.
      if (!sp.resnapshot_tables.empty()) {
        out += ",\"resnapshot\":{\"tables\":[";
        for (size_t i = 0; i < sp.resnapshot_tables.size(); ++i) {
          const auto& t = sp.resnapshot_tables[i];
          out += (i == 0 ? "" : ",") + json_string(t.db + "." + t.table);
        }
        out += "],\"first_from_start\":";
        out += sp.resnapshot_after_key.empty() ? "true}" : "false}";
      }
      return out;
    }
  };
  return "{" + std::visit(Visitor{}, p) + ",\"text\":" + json_string(to_string(p)) + "}";
}

std::string render_json(const std::vector<Row>& rows) {
  if (rows.empty()) return "[]\n";
  std::string out = "[\n";
  for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
    const auto& [pipeline, r, savepoint, damage] = rows[row_idx];
    out += "  {\"pipeline\":" + json_string(pipeline) +
           (savepoint.empty() ? "" : ",\"savepoint\":" + json_string(savepoint)) +
           ",\"id\":" + std::to_string(r.id);
    if (!damage.empty()) {
      out += ",\"damaged\":" + json_string(damage) + "}";
    } else {
      out += ",\"wall_time_ms\":" + std::to_string(r.wall_time_ms) +
             ",\"wall_time\":" + json_string(format_wall_time(r.wall_time_ms)) +
             ",\"position\":" + json_position(r.position) +
             ",\"sink_state_bytes\":" + std::to_string(r.sink_state.size()) + "}";
    }
    out += row_idx + 1 < rows.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

// The checkpoints' columns, and a SAVEPOINT column (its name, or "-") when any row is one.
std::string render_table(const std::vector<Row>& rows) {
  if (rows.empty()) return "no checkpoints\n";
  const bool savepoints =
      std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.savepoint.empty(); });
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"PIPELINE", "ID", "WALL_TIME", "POSITION", "SINK_STATE_BYTES"});
  if (savepoints) cells.back().insert(cells.back().begin() + 1, "SAVEPOINT");
  for (const auto& [pipeline, r, savepoint, damage] : rows) {
    if (!damage.empty()) {
      cells.push_back({pipeline, std::to_string(r.id), "-", "DAMAGED (does not decode)", "-"});
    } else {
      cells.push_back({pipeline, std::to_string(r.id), format_wall_time(r.wall_time_ms),
                       to_string(r.position), std::to_string(r.sink_state.size())});
    }
    if (savepoints)
      cells.back().insert(cells.back().begin() + 1, savepoint.empty() ? "-" : savepoint);
  }
  std::vector<size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (size_t col_idx = 0; col_idx < line.size(); ++col_idx) {
      widths[col_idx] = std::max(widths[col_idx], line[col_idx].size());
    }
  }
  std::string out;
  for (const auto& line : cells) {
    for (size_t col_idx = 0; col_idx < line.size(); ++col_idx) {
      out += line[col_idx];
      if (col_idx + 1 < line.size()) out.append(widths[col_idx] - line[col_idx].size() + 2, ' ');
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

std::string format_wall_time(int64_t wall_time_ms) { return format_utc_millis(wall_time_ms); }

Result<std::string> format_checkpoints(const StateStore& store, OutputFormat format) {
  CDC_TRY_ASSIGN(const auto names, store.pipelines());
  std::vector<Row> rows;
  for (const auto& name : names) {
    // One record at a time, so that a damaged one is listed as such between the others (the
    // ids `sluice run --from-checkpoint` can choose from) instead of hiding them all.
    CDC_TRY_ASSIGN(const auto ids, store.checkpoint_ids(name));
    for (uint64_t id : ids) {
      auto r = store.checkpoint(name, id);
      if (r && *r) rows.push_back(Row{name, std::move(**r), {}, {}});
      if (!r) rows.push_back(Row{name, CheckpointRecord{.id = id}, {}, r.error().message});
    }
    CDC_TRY_ASSIGN(auto savepoints, store.savepoints(name));
    for (auto& sp : savepoints) {
      rows.push_back(Row{name, std::move(sp.record), std::move(sp.name), {}});
    }
  }
  return format == OutputFormat::json ? render_json(rows) : render_table(rows);
}

}  // namespace cdc::state
