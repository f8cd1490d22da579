// Options of the datagen source (`source: {type: datagen, ...}`): synthetic rows for tests and
// benchmarks, reproducible from `seed`. A plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cdc::config {

struct DatagenColumn {
  enum class Kind { sequence, random };
  // `name`: column name. Required, unique within the table.
  std::string name;
  // `type`: SQL type text, e.g. "bigint", "varchar(32)", "decimal(10,2)", "datetime(3)"; see
  // datagen_type.h for what is supported. Required.
  std::string type;
  // `kind`: sequence (min, min+1, ... per row; numeric types only) | random. Default: random.
  Kind kind = Kind::random;
  // `min`, `max`: numeric bounds (inclusive); for a sequence, its start and wrap-around point.
  // Default: the type's own range.
  std::optional<double> min;
  std::optional<double> max;
  // `length`: length of generated strings. Default: the declared length, or 16 for text.
  std::optional<uint32_t> length;
  // `values`: pick each value from this list instead of generating one. Default: empty.
  std::vector<std::string> values;
  // `null-rate`: fraction of NULLs, 0..1. Default: 0. Must be 0 for a primary-key column.
  double null_rate = 0;
  // `primary-key`: part of the primary key. Default: false.
  bool primary_key = false;
  bool operator==(const DatagenColumn&) const = default;
};

std::string_view to_string(DatagenColumn::Kind k);

struct DatagenSourceOptions {
  // `database`: database name reported in the events' source metadata. Default: "datagen".
  std::string database = "datagen";
  // `table`: table name. Required.
  std::string table;
  // `columns`: list of column mappings. Required, at least one. A primary key is optional
  // (without one, upsert sinks key on the whole row).
  std::vector<DatagenColumn> columns;
  // `number-of-rows`: rows to generate, then the source ends. Default: 0 = unbounded.
  uint64_t number_of_rows = 0;
  // `rows-per-second`: rate limit. Default: 0 = as fast as possible.
  double rows_per_second = 0;
  // `seed`: random seed; equal seeds give equal rows. Default: 0.
  uint64_t seed = 0;
  // `batch-size`: rows per batch handed to the pipeline, >= 1. Default: 1024.
  uint32_t batch_size = 1024;
};

}  // namespace cdc::config
