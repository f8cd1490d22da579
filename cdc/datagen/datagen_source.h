// DatagenSource: generates deterministic insert events for a configured table. Row n is a
// pure function of (seed, n), so resuming at DatagenPosition{n} reproduces exactly the rows
// that a crashed run would have produced. Owned by the runner; reader-thread only.
#pragma once

#include <chrono>
#include <memory>

#include "cdc/core/source.h"
#include "cdc/core/table_schema.h"
#include "cdc/datagen/datagen_options.h"

namespace cdc::datagen {

// The table schema the options describe; Errc::invalid_config for an unknown type.
Result<TableSchemaPtr> make_schema(const DatagenOptions& options);

class DatagenSource final : public Source {
 public:
  static Result<std::unique_ptr<DatagenSource>> create(DatagenOptions options);

  Status open(const Position& resume) override;
  Position current_position() const override { return DatagenPosition{next_row_}; }
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds max_wait) override;

  // Fills `out` (schema.columns.size() values) with row n; strings go into `arena`.
  void generate_row(uint64_t n, Arena& arena, std::span<Value> out) const;

 private:
  DatagenSource(DatagenOptions options, TableSchemaPtr schema);

  DatagenOptions options_;
  TableSchemaPtr schema_;
  uint64_t next_row_ = 0;
  uint64_t first_row_of_run_ = 0;
  std::chrono::steady_clock::time_point run_start_;
};

}  // namespace cdc::datagen
