// DatagenOptions: every option of the datagen source (`source: {type: datagen, ...}`, the key
// named on each field), defined once: a table of deterministic rows for trying pipelines out
// and for tests and benchmarks, reproducible from `seed`. config/ fills and checks it; the
// source reads it. Header-only target cdc_datagen_options. A plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cdc::datagen {

struct ColumnSpec {
  enum class Kind { sequence, random };
  // `name`: column name. Required, unique within the table.
  std::string name;
  // `type`: SQL type text: tinyint, smallint, int, bigint (each optionally "unsigned"),
  // boolean, float, double, decimal(p,s), char(n), varchar(n), text, date, datetime(fsp),
  // timestamp(fsp), json (config/datagen_type.h checks it). Required.
  std::string type;
  // `kind`: sequence (min, min+1, ... per row; integer types only) | random. Default: random.
  Kind kind = Kind::random;
  // `min`, `max`: numeric bounds (inclusive); for a sequence, its start (default 1) and
  // wrap-around point. Default: the type's range, capped to ±1e9 for readability.
  std::optional<double> min;
  std::optional<double> max;
  // `length`: length of generated strings. Default: the declared length (at most 16), or 16
  // for text.
  std::optional<uint32_t> length;
  // `values`: pick each value from this list instead of generating one. Default: empty.
  std::vector<std::string> values;
  // `null-rate`: fraction of NULLs, 0..1. Default: 0. Must be 0 for a primary-key column.
  double null_rate = 0;
  // `primary-key`: part of the primary key. Default: false.
  bool primary_key = false;
  bool operator==(const ColumnSpec&) const = default;
};

struct DatagenOptions {
  // `database`: database name reported in the events' source metadata. Default: "datagen".
  std::string database = "datagen";
  // `table`: table name. Required.
  std::string table;
  // `columns`: list of column mappings. Required, at least one. A primary key is optional
  // (without one, upsert sinks key on the whole row).
  std::vector<ColumnSpec> columns;
  // `number-of-rows`: rows to generate, then the source ends. Default: 0 = unbounded.
  uint64_t number_of_rows = 0;
  // `rows-per-second`: rate limit. Default: 0 = as fast as possible.
  double rows_per_second = 0;
  // `seed`: random seed; rows are a pure function of (seed, row number). Default: 0.
  uint64_t seed = 0;
  // `batch-size`: rows per batch handed to the pipeline, >= 1. Default: 1024.
  uint32_t batch_size = 1024;

  // Set by the daemon, not a source key: SourceInfo.name, the `pipeline.name`.
  std::string pipeline_name;
};

}  // namespace cdc::datagen
