// Options of the datagen source: a table of deterministic rows for trying pipelines out and
// for tests and benchmarks. Plain data; the daemon fills it from the pipeline YAML.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cdc::datagen {

struct ColumnSpec {
  std::string name;
  // SQL type text: tinyint, smallint, int, bigint (each optionally "unsigned"), boolean,
  // float, double, decimal(p,s), char(n), varchar(n), text, date, datetime(fsp),
  // timestamp(fsp), json.
  std::string type;
  enum class Kind { sequence, random } kind = Kind::random;
  // Range of numbers (sequence: the first value; default 1). Default: the type's range,
  // capped to ±1e9 for readability.
  std::optional<double> min;
  std::optional<double> max;
  std::optional<uint32_t> length;   // string length; default: the declared length, max 16
  std::vector<std::string> values;  // when set, each value is picked from this list
  double null_rate = 0;             // 0..1; never applied to primary-key columns
  bool primary_key = false;
};

struct DatagenOptions {
  std::string pipeline_name;         // SourceInfo.name
  std::string database = "datagen";
  std::string table;
  std::vector<ColumnSpec> columns;
  uint64_t number_of_rows = 0;       // 0 = unbounded
  double rows_per_second = 0;        // 0 = as fast as possible
  uint64_t seed = 0;                 // rows are a pure function of (seed, row number)
  uint32_t batch_size = 1024;        // rows per batch
};

}  // namespace cdc::datagen
