// One batch of datagen rows for tests that drive a sink through the Sink interface: table
// datagen.t with `id` (INT, the primary key) = from+1 .. from+count, then `extra` columns.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "cdc/datagen/datagen_source.h"

namespace cdc::testing {

inline std::unique_ptr<Batch> datagen_rows(uint64_t from, uint64_t count,
                                           std::vector<datagen::ColumnSpec> extra = {}) {
  datagen::DatagenOptions o;
  o.table = "t";
  o.batch_size = static_cast<uint32_t>(count);
  o.columns = {{.name = "id",
                .type = "int",
                .kind = datagen::ColumnSpec::Kind::sequence,
                .primary_key = true}};
  o.columns.insert(o.columns.end(), extra.begin(), extra.end());
  auto src = datagen::DatagenSource::create(o);
  REQUIRE(src);
  REQUIRE((*src)->open(DatagenPosition{from}));
  auto batch = (*src)->poll(std::chrono::milliseconds(10));
  REQUIRE(batch);
  return std::move(*batch);
}

}  // namespace cdc::testing
