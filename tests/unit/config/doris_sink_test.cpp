// The `sink: {type: doris}` section: defaults, every key in its field, the prefixed
// pass-through keys, and each problem as the exact text an operator reads.
#include <doctest/doctest.h>

#include "config/loader.h"
#include "tests/unit/config/problem_lines.h"

using namespace cdc::config;
using cdc::sinks::doris::DorisOptions;
using cdc::sinks::doris::flexible_updates;
using std::chrono::milliseconds;

namespace {

using Lines = std::vector<std::string>;

LoadOutcome load_sink(std::string_view sink_keys, std::string_view pipeline = "{name: p}") {
  return load_string(
      "source: {type: mysql, hostname: h, username: u, tables: db.t, server-id: 7}\npipeline: " +
          std::string(pipeline) + "\nsink:\n  type: doris\n" + std::string(sink_keys),
      "d.yaml", map_environment({{"DORIS_PASSWORD", "s3cret"}}));
}

Lines problems_of(std::string_view sink_keys, std::string_view pipeline = "{name: p}") {
  Lines s;
  for (const Problem& p : load_sink(sink_keys, pipeline).problems) s.push_back(p.to_string());
  return s;
}

const DorisOptions& doris_of(const LoadOutcome& out) {
  REQUIRE(out.ok());
  return std::get<DorisOptions>(out.config->pipelines.at(0).sink);
}

}  // namespace

TEST_CASE("doris sink: defaults of a minimal section") {
  const LoadOutcome out = load_sink("  fenodes: 127.0.0.1:8030\n");
  const DorisOptions& d = doris_of(out);
  CHECK(d.fenodes == "127.0.0.1:8030");
  CHECK(d.username == "root");
  CHECK(d.password.empty());
  CHECK(d.table_identifier == "{db}.{table}");
  CHECK(d.label_prefix == "p");  // normalize(): the pipeline name
  CHECK(d.enable_2pc);
  CHECK(d.enable_delete);
  CHECK(d.max_rows == 500000);
  CHECK(d.max_bytes == 100ull * 1024 * 1024);
  CHECK(d.flush_interval == milliseconds(10000));
  CHECK(d.max_retries == 3);
  CHECK(d.http_timeout == milliseconds(60000));
  CHECK(d.stream_load_properties.empty());
  CHECK(d.create_tables);
  CHECK(d.table_properties.empty());
  CHECK(d.pipeline == "p");
  CHECK_FALSE(d.sequence_from_position);
  CHECK(d.partial_rows == cdc::json::PartialRowPolicy::fail);
}

TEST_CASE("doris sink: row-image.partial") {
  CHECK(doris_of(load_sink("  fenodes: fe:1\n  row-image.partial: skip\n")).partial_rows ==
        cdc::json::PartialRowPolicy::skip);
  CHECK(problems_of("  fenodes: fe:1\n  row-image.partial: merge\n") ==
        Lines{"d.yaml:6:22: sink.row-image.partial: expected one of fail, skip, found 'merge'"});
}

TEST_CASE("doris sink: sink.sequence-column") {
  CHECK(doris_of(load_sink("  fenodes: fe:1\n  sink.sequence-column: source-position\n"))
            .sequence_from_position);
  CHECK_FALSE(doris_of(load_sink("  fenodes: fe:1\n  sink.sequence-column: none\n"))
                  .sequence_from_position);
  CHECK(problems_of("  fenodes: fe:1\n  sink.sequence-column: modified_at\n") ==
        Lines{"d.yaml:6:25: sink.sink.sequence-column: expected one of none, source-position, "
              "found 'modified_at'"});
  CHECK(problems_of("  fenodes: fe:1\n  sink.sequence-column: source-position\n"
                    "  sink.properties.function_column.sequence_col: v\n"
                    "  table.create.properties.function_column.sequence_type: int\n") ==
        Lines{"d.yaml:7:49: sink.sink.properties.function_column.sequence_col: "
              "function_column.sequence_col is set by the sink with sink.sequence-column: "
              "source-position and cannot be overridden",
              "d.yaml:8:58: sink.table.create.properties.function_column.sequence_type: with "
              "sink.sequence-column: source-position the sink creates tables with "
              "function_column.sequence_type = largeint; remove function_column.sequence_type"});
}

TEST_CASE("doris sink: every key, the prefixed keys, at-least-once without 2PC") {
  const LoadOutcome out = load_sink(
      "  fenodes: fe:8030\n  username: u\n  password: ${DORIS_PASSWORD}\n"
      "  table.identifier: 'dw.{db}_{table}'\n  sink.label-prefix: lp\n  sink.enable-delete: "
      "false\n"
      "  sink.buffer-flush.max-rows: 10\n  sink.buffer-flush.max-bytes: 2048\n"
      "  sink.buffer-flush.interval: 2s\n  sink.max-retries: 5\n  sink.http.timeout: 3s\n"
      "  sink.properties.max_filter_ratio: '0.1'\n  table.create.enabled: false\n"
      "  table.create.properties.replication_num: '3'\n",
      "{name: p, delivery: at-least-once}");
  const DorisOptions& d = doris_of(out);
  CHECK(d.fenodes == "fe:8030");
  CHECK(d.username == "u");
  CHECK(d.password == "s3cret");
  CHECK(d.table_identifier == "dw.{db}_{table}");
  CHECK(d.label_prefix == "lp");
  CHECK_FALSE(d.enable_2pc);  // follows pipeline.delivery
  CHECK_FALSE(d.enable_delete);
  CHECK(d.max_rows == 10);
  CHECK(d.max_bytes == 2048);
  CHECK(d.flush_interval == milliseconds(2000));
  CHECK(d.max_retries == 5);
  CHECK(d.http_timeout == milliseconds(3000));
  CHECK(d.stream_load_properties ==
        std::map<std::string, std::string>{{"max_filter_ratio", "0.1"}});
  CHECK_FALSE(d.create_tables);
  CHECK(d.table_properties == std::map<std::string, std::string>{{"replication_num", "3"}});
}

TEST_CASE("doris sink: problems name the key") {
  CHECK(problems_of("  username: u\n") ==
        Lines{"d.yaml:4:3: sink.fenodes: missing required key 'fenodes'"});
  CHECK(
      problems_of("  fenodes: fe\n  sink.enable-2pc: false\n  sink.label-prefix: 'a b'\n"
                  "  table.identifier: '{table}'\n  sink.properties.label: x\n") ==
      Lines{
          "d.yaml:5:12: sink.fenodes: expected the FE's HTTP address as host:port, found 'fe'",
          "d.yaml:6:20: sink.sink.enable-2pc: exactly-once delivery needs two-phase commit; set "
          "pipeline.delivery: at-least-once to load without it",
          "d.yaml:7:22: sink.sink.label-prefix: expected 1..64 of [-_A-Za-z0-9:] (Doris labels), "
          "found 'a b' (the default is the pipeline's id, from its name)",
          "d.yaml:8:21: sink.table.identifier: expected <database>.<table> with {db} and {table}, "
          "found '{table}'",
          "d.yaml:9:26: sink.sink.properties.label: label is set by the sink and cannot be "
          "overridden"});
  CHECK(
      problems_of("  fenodes: fe:1\n", "{name: p, checkpoint.interval: 45min}") ==
      Lines{"d.yaml:2:42: pipeline.checkpoint.interval: with the Doris sink, a checkpoint interval "
            "of 30 minutes or more comes too close to Doris's precommit timeout "
            "(stream_load_default_precommit_timeout_second, 3600 s)"});
  // A placeholder the sink does not fill would reach Doris in the table's name.
  CHECK(problems_of("  fenodes: fe:1\n  table.identifier: 'ods.{schema}_{table}'\n") ==
        Lines{"d.yaml:6:21: sink.table.identifier: unknown or unclosed placeholder in "
              "'ods.{schema}_{table}'; expected {db} (a PostgreSQL source's schema) or {table}"});
  CHECK(problems_of("  fenodes: fe:1\n  table.identifier: 'ods.{db}_{table'\n").size() == 1);
}

TEST_CASE("doris sink: benodes") {
  const LoadOutcome out = load_sink("  fenodes: fe:8030\n  benodes: 'be1:8040, be2:8040'\n");
  CHECK(doris_of(out).benodes == "be1:8040, be2:8040");
  CHECK(cdc::sinks::doris::split_be_nodes(doris_of(out).benodes) ==
        std::vector<std::string>{"be1:8040", "be2:8040"});
  CHECK(problems_of("  fenodes: fe:8030\n  benodes: 'be1:8040,be2'\n") ==
        Lines{"d.yaml:6:12: sink.benodes: expected BE HTTP addresses as host:port[,host:port...], "
              "found 'be2' in 'be1:8040,be2'"});
}

TEST_CASE("doris sink: sink.properties.group_commit only without 2PC, with the sequence column") {
  const std::string_view at_least_once = "{name: p, delivery: at-least-once}";
  const LoadOutcome out = load_sink(
      "  fenodes: fe:8030\n  sink.sequence-column: source-position\n"
      "  sink.properties.group_commit: async_mode\n",
      at_least_once);
  CHECK(doris_of(out).stream_load_properties.at("group_commit") == "async_mode");
  CHECK(problems_of("  fenodes: fe:8030\n  sink.properties.group_commit: off_mode\n").empty());
  CHECK(problems_of("  fenodes: fe:8030\n  sink.properties.group_commit: fast\n", at_least_once) ==
        Lines{"d.yaml:6:33: sink.sink.properties.group_commit: expected off_mode, sync_mode or "
              "async_mode, found 'fast'"});
  CHECK(problems_of("  fenodes: fe:8030\n  sink.sequence-column: source-position\n"
                    "  sink.properties.group_commit: sync_mode\n") ==
        Lines{"d.yaml:7:33: sink.sink.properties.group_commit: group commit cannot be used with "
              "two-phase commit (Doris does not group-commit a two_phase_commit load); set "
              "pipeline.delivery: at-least-once, or remove it"});
  CHECK(problems_of("  fenodes: fe:8030\n  sink.properties.group_commit: sync_mode\n",
                    at_least_once) ==
        Lines{"d.yaml:6:33: sink.sink.properties.group_commit: group commit does not keep the "
              "order of loads into a Unique Key table (Doris docs, \"Group Commit\"); set "
              "sink.sequence-column: source-position with it"});
}

TEST_CASE("doris sink: sink.properties.unique_key_update_mode: UPSERT or flexible, alone") {
  CHECK(flexible_updates(doris_of(load_sink(
      "  fenodes: fe:8030\n  sink.properties.unique_key_update_mode: update_flexible_columns\n"))));
  CHECK_FALSE(flexible_updates(doris_of(
      load_sink("  fenodes: fe:8030\n  sink.properties.unique_key_update_mode: UPSERT\n"))));
  CHECK_FALSE(flexible_updates(doris_of(load_sink("  fenodes: fe:8030\n"))));
  CHECK(problems_of("  fenodes: fe:8030\n"
                    "  sink.properties.unique_key_update_mode: UPDATE_FIXED_COLUMNS\n") ==
        Lines{"d.yaml:6:43: sink.sink.properties.unique_key_update_mode: expected UPSERT or "
              "UPDATE_FLEXIBLE_COLUMNS, found 'UPDATE_FIXED_COLUMNS' (the sink loads partial "
              "column updates itself, as each change needs)"});
  CHECK(problems_of("  fenodes: fe:8030\n  sink.sequence-column: source-position\n"
                    "  sink.properties.unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS\n") ==
        Lines{"d.yaml:7:43: sink.sink.properties.unique_key_update_mode: flexible partial "
              "updates cannot be used with sink.sequence-column (Doris refuses "
              "function_column.sequence_col with them)"});
}
