// DorisOptions: every option of the Doris sink, defined once, with the names of the Flink CDC
// Doris pipeline sink. config/ fills it from the pipeline YAML (`sink: {type: doris, ...}`),
// derives what depends on the pipeline (normalize) and checks it; the sink reads it.
// Header-only target cdc_sink_doris_options, so that config/ need not link the sink (libcurl).
// Plain value types. Not reloadable: a change needs a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/json/format.h"
#include "cdc/core/text.h"

namespace cdc::sinks::doris {

// Flink CDC's `schema.change.behavior` (docs, "Schema Evolution"), as the Doris sink applies it.
enum class SchemaChangeBehavior : uint8_t { evolve, try_evolve, lenient, ignore, exception };

struct DorisOptions {
  // `fenodes`: the FE's HTTP address, host:port (Stream Loads are redirected by it to a BE;
  // the sink resends its credentials after the redirect). Required.
  std::string fenodes;
  // `benodes`: BE HTTP addresses, "host:port[,host:port...]" (Flink CDC's option): Stream Loads
  // go straight to them in turn instead of through the FE's redirect; 2PC commit/abort,
  // get_load_state and the SQL API still go to the FE. Default: empty (loads through the FE).
  std::string benodes;
  // `username`, `password`: HTTP basic auth for the FE and BE. Values take ${ENV}; the
  // password is never logged. Defaults: "root", "".
  std::string username = "root";
  std::string password;
  // `table.identifier`: the Doris "database.table" each change goes to, with {db} and {table}
  // of the event's table (after a route stage, the route's sink-table). Default: "{db}.{table}".
  std::string table_identifier = "{db}.{table}";
  // `sink.label-prefix`: the start of every Stream Load label; labels are
  // <prefix>_<db>_<table>_<checkpoint id>_<n> (README, "Doris sink"). Default: the pipeline
  // name.
  std::string label_prefix;
  // `sink.enable-2pc`: each checkpoint's loads are precommitted (two_phase_commit) before the
  // checkpoint record and committed after it: exactly-once. Follows `pipeline.delivery`
  // (exactly-once: true); setting it false with exactly-once delivery is refused.
  bool enable_2pc = true;
  // `sink.enable-delete`: deletes become rows with __DORIS_DELETE_SIGN__ = 1 (Unique Key
  // tables). false: deletes are skipped. Default: true.
  bool enable_delete = true;
  // `sink.buffer-flush.max-rows`, `.max-bytes`: a table's buffered rows are sent as one load
  // when either is reached (and at every checkpoint). Defaults (Flink Doris connector):
  // 500000 rows, 100 MiB.
  uint64_t max_rows = 500000;
  uint64_t max_bytes = 100ull * 1024 * 1024;
  // `sink.buffer-flush.interval`: at-least-once only, buffered rows older than this are sent
  // when the source is idle. Unit: duration. Default: 10s.
  std::chrono::milliseconds flush_interval{10000};
  // `sink.max-retries`: attempts after the first for a load, a commit or a SQL statement that
  // failed for a reason that may pass (connection, timeout, a BE error). Default: 3.
  uint32_t max_retries = 3;
  // `sink.http.timeout`: bounds each HTTP request. Unit: duration. Default: 60s.
  std::chrono::milliseconds http_timeout{60000};
  // `sink.properties.<name>`: passed as Stream Load headers (e.g. max_filter_ratio,
  // strict_mode). The sink's own headers (label, format, read_json_by_line,
  // two_phase_commit, hidden_columns) are refused here. `group_commit` (off_mode, sync_mode,
  // async_mode; Doris "Group Commit") is taken with sink.enable-2pc false only, and then the
  // loads carry no label (README, "Doris sink": what group commit trades).
  // `unique_key_update_mode`: UPSERT (Doris's default) or UPDATE_FLEXIBLE_COLUMNS (Doris >= 3.1,
  // flexible_updates()).
  std::map<std::string, std::string> stream_load_properties;
  // `sink.sequence-column`: `source-position` gives every row the source position of its
  // change (position_sequence.h) in Doris's hidden sequence column, so that an older version
  // of a row that arrives after a newer one (a replay from an older position, a second
  // pipeline catching up) never replaces it. Created tables get
  // `function_column.sequence_type` = largeint; an existing table needs it too (Doris refuses
  // the load otherwise: "There is no sequence column in the table"). `none`: no sequence.
  // Default: none.
  bool sequence_from_position = false;
  // `table.create.enabled`: create a missing target table as a Unique Key merge-on-write table
  // with the mapped types and the source's primary key, and follow ADD/DROP COLUMN of the
  // source with ALTER TABLE. Default: true.
  bool create_tables = true;
  // `table.create.properties.<name>`: PROPERTIES of created tables. Default:
  // replication_num = 1 when not given.
  std::map<std::string, std::string> table_properties;
  // `row-image.partial` (as the whole-row sinks): an insert whose image leaves columns out (a
  // MySQL session with binlog_row_image=MINIMAL/NOBLOB) cannot be loaded, since a new row would
  // take Doris's defaults for them rather than the source's: `fail` stops the pipeline naming
  // the table and columns, `skip` leaves such inserts out with a warning. Updates and deletes
  // with absent columns are loaded as partial column updates. Default: fail.
  json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail;

  // Derived by config's normalize(), not sink keys:
  std::string pipeline;  // `pipeline.name`
  // `pipeline.schema.change.behavior` (README, "Doris sink"): what a source schema change does
  // to the Doris table. Default (no key): evolve; with table.create.enabled: false, ignore.
  SchemaChangeBehavior schema_change = SchemaChangeBehavior::evolve;
};

// `sink.properties.unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS` (Doris "Flexible Partial
// Column Updates"): each line of a load carries the columns it updates, so changes that leave
// different columns out share one load instead of one load per set of columns. Created tables
// get the skip-bitmap column it needs.
inline bool flexible_updates(const DorisOptions& o) {
  const auto it = o.stream_load_properties.find("unique_key_update_mode");
  if (it == o.stream_load_properties.end()) return false;
  return lower_ascii(it->second) == "update_flexible_columns";
}

// The entries of `benodes` ("host:port,host:port"), blanks around them and empty ones dropped.
inline std::vector<std::string> split_be_nodes(std::string_view benodes) {
  std::vector<std::string> out;
  while (!benodes.empty()) {
    const size_t comma = benodes.find(',');
    std::string_view node = benodes.substr(0, comma);
    while (!node.empty() && (node.front() == ' ' || node.front() == '\t')) node.remove_prefix(1);
    while (!node.empty() && (node.back() == ' ' || node.back() == '\t')) node.remove_suffix(1);
    if (!node.empty()) out.emplace_back(node);
    benodes = comma == std::string_view::npos ? std::string_view() : benodes.substr(comma + 1);
  }
  return out;
}

}  // namespace cdc::sinks::doris
