// Collected / collect(): polls a Source until a number of change events of one table arrived,
// keeping the batches alive (events point into their arenas). Header-only: cdc_test_support does
// not link the sources. Fails the running doctest test on a poll error or a timeout.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cdc/core/source.h"

namespace cdc::testing {

struct Collected {
  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<const ChangeEvent*> events;  // of the table asked for; point into `batches`
};

// `rows_only`: schema-change events of the table are not counted (nor kept).
inline void collect(Source& src, Collected& out, size_t n, const std::string& table,
                    std::chrono::seconds timeout = std::chrono::seconds(15),
                    bool rows_only = false) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.events.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(std::chrono::milliseconds(200));
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      if (rows_only && e.op == Op::schema_change) continue;
      if (e.schema->id.table == table) out.events.push_back(&e);
    }
    out.batches.push_back(std::move(*b));
  }
  REQUIRE(out.events.size() == n);
}

}  // namespace cdc::testing
