// The typed, validated configuration of one sluice file: one or more pipelines, each one source,
// one sink, routes and transforms. Plain value types, produced by loader.h.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "config/config_enums.h"
#include "config/datagen_source_options.h"
#include "config/mysql_source_options.h"
#include "config/pipeline_options.h"
#include "config/sink_options.h"

namespace cdc::config {

using SourceOptions = std::variant<MysqlSourceOptions, DatagenSourceOptions>;

// `route:` item: events of tables matching `source_table` go to `sink_table`.
struct RouteRule {
  // `source-table`: ECMAScript regex matched in full against "db.table". Required.
  std::string source_table;
  // `sink-table`: target name; `replace_symbol` in it is replaced by the source table's name
  // (Flink CDC's convention). Required.
  std::string sink_table;
  // `replace-symbol`: Default: "<>".
  std::string replace_symbol = "<>";
  // `description`: free text. Default: "".
  std::string description;
};

// `transform:` item: projection and filter of the matching tables' rows. The expressions are
// kept as text here; cdc/pipeline parses them.
struct TransformRule {
  // `source-table`: ECMAScript regex matched in full against "db.table". Required.
  std::string source_table;
  // `projection`: comma-separated expressions, e.g. `id, UPPER(status) AS status`. Default: "".
  std::string projection;
  // `filter`: boolean expression; rows for which it is not true are dropped. Default: "".
  std::string filter;
  // `primary-keys`, `partition-keys`: column names, comma-separated in YAML. Default: none.
  std::vector<std::string> primary_keys;
  std::vector<std::string> partition_keys;
  // `description`: free text. Default: "".
  std::string description;
};

struct PipelineConfig {
  PipelineOptions pipeline;
  SourceOptions source;
  SinkOptions sink;
  std::vector<RouteRule> routes;
  std::vector<TransformRule> transforms;
};

struct ConfigFile {
  // The path (or display name) the file was loaded from.
  std::string path;
  std::vector<PipelineConfig> pipelines;
  // True if the file used the `pipelines:` list form; key paths then read "pipelines[i].…".
  bool pipelines_list = false;
};

}  // namespace cdc::config
