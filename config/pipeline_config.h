// The typed, validated configuration of one sluice file: one or more pipelines, each one source,
// one sink, routes and transforms. Plain value types, produced by loader.h.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "cdc/datagen/datagen_options.h"
#include "cdc/mysql/mysql_source_options.h"
#include "cdc/postgres/postgres_source_options.h"
#include "config/config_enums.h"
#include "config/pipeline_options.h"
#include "config/problem.h"
#include "config/sink_options.h"

namespace cdc::config {

using SourceOptions = std::variant<mysql::MysqlSourceOptions, datagen::DatagenOptions,
                                   postgres::PostgresSourceOptions>;

// `route:` item: events of tables matching `source_table` go to `sink_table`.
struct RouteRule {
  // `source-table`: Flink CDC table pattern: regexes, '.' separates database and table, '\.'
  // is the regex "any character", ',' separates alternatives. Required.
  std::string source_table;
  // `sink-table`: "db.table" or "table" (keeps the source's database); `replace_symbol` in it
  // becomes the source table's name, $1..$9 the source-table's capture groups. Required.
  std::string sink_table;
  // `replace-symbol`: Default: "<>".
  std::string replace_symbol = "<>";
  // `source-table-column`: name of a string column added to the routed rows holding the
  // source "db.table" (for merged shards). Default: "" (none).
  std::string source_table_column;
  // `description`: free text. Default: "".
  std::string description;
};

// `transform:` item: projection and filter of the matching tables' rows. The expressions are
// kept as text here; cdc/pipeline parses them.
struct TransformRule {
  // `source-table`: a table pattern as route's. Required.
  std::string source_table;
  // `projection`: comma-separated expressions, e.g. `id, UPPER(status) AS status`. Default: "".
  std::string projection;
  // Where the projection's text starts in the file (inside the quotes of a quoted value).
  SourceLocation projection_at;
  // `filter`: boolean expression; rows for which it is not true are dropped. Default: "".
  std::string filter;
  SourceLocation filter_at;
  // `primary-keys`, `partition-keys`: column names, comma-separated in YAML. Default: none.
  std::vector<std::string> primary_keys;
  std::vector<std::string> partition_keys;
  // `columns.include`, `columns.exclude`: shorthands for a projection of exactly these columns,
  // or of all but these. Default: none.
  std::vector<std::string> include_columns;
  std::vector<std::string> exclude_columns;
  // `skip-ops`: insert | update | delete (insert also covers snapshot reads), normalized to
  // those words; events of these ops are dropped. Default: none.
  std::vector<std::string> skip_ops;
  // `converter-after-transform: SOFT_DELETE`: a delete becomes an insert of its before image.
  bool soft_delete = false;
  // `table-options`: "k=v,k2=v2" for sinks that create tables. Default: "".
  std::string table_options;
  // `description`: free text. Default: "".
  std::string description;
};

struct PipelineConfig {
  // The file the pipeline was read from (display name), for file:line:col in later errors.
  std::string file;
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
