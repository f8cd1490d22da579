#include "cdc/postgres/snapshot/pg_ctid_ranges.h"

#include <doctest/doctest.h>

using namespace cdc::postgres;

namespace {

// Every block of [0, pages + extra) lies in exactly one range, the last range is unbounded.
void check_covers(const std::vector<CtidRange>& ranges, uint64_t pages) {
  REQUIRE_FALSE(ranges.empty());
  CHECK(ranges.front().first == 0);
  CHECK_FALSE(ranges.back().end.has_value());
  for (size_t i = 0; i + 1 < ranges.size(); ++i) {
    REQUIRE(ranges[i].end.has_value());
    CHECK(*ranges[i].end > ranges[i].first);
    CHECK(*ranges[i].end == ranges[i + 1].first);
  }
  CHECK(ranges.back().first <= pages);
}

}  // namespace

TEST_CASE("ctid_blocks_per_range: rows per block from reltuples/relpages, a guess before ANALYZE") {
  CHECK(ctid_blocks_per_range({100, 100, 10'000}, 1000) == 10);  // 100 rows a block
  CHECK(ctid_blocks_per_range({100, 100, 10'000}, 1001) == 11);  // rounded up
  CHECK(ctid_blocks_per_range({100, 100, 10'000}, 50) == 1);     // at least one block
  // Never analysed (reltuples -1, relpages 0): kUnanalysedRowsPerBlock rows a block.
  CHECK(ctid_blocks_per_range({100, 0, -1}, 8096) == 64);
  CHECK(ctid_blocks_per_range({100, 5, -1}, 8096) == 64);
  // Analysed while empty: relpages 0 says nothing of the density either.
  CHECK(ctid_blocks_per_range({100, 0, 0}, 8096) == 64);
  // Every row deleted since (reltuples 0 over 10 blocks): one row a block, not a division by 0.
  CHECK(ctid_blocks_per_range({10, 10, 0}, 8096) == 8096);
  CHECK(ctid_blocks_per_range({10, 10, 0}, 0) == 1);
}

TEST_CASE("ctid_ranges: boundaries, the last range unbounded above") {
  const auto r = ctid_ranges(0, std::nullopt, 10, 3);
  REQUIRE(r.size() == 4);
  CHECK(r[0].first == 0);
  CHECK(r[0].end == 3);
  CHECK(r[1].first == 3);
  CHECK(r[1].end == 6);
  CHECK(r[2].first == 6);
  CHECK(r[2].end == 9);
  CHECK(r[3].first == 9);
  CHECK_FALSE(r[3].end);  // block 9 and any block added after the statistics
  check_covers(r, 10);
  // Exactly divisible: the last planned range is the unbounded one, no empty range after it.
  const auto even = ctid_ranges(0, std::nullopt, 9, 3);
  REQUIRE(even.size() == 3);
  CHECK(even[2].first == 6);
  CHECK_FALSE(even[2].end);
  check_covers(even, 9);
}

TEST_CASE("ctid_ranges: an empty table, one block, and stale statistics are one unbounded range") {
  for (uint64_t pages : {0, 1}) {
    const auto r = ctid_ranges(0, std::nullopt, pages, 64);
    REQUIRE(r.size() == 1);
    CHECK(r[0].first == 0);
    CHECK_FALSE(r[0].end);
  }
  // Statistics saying 1 row a block for a table that now holds 100 blocks of 100 rows: ranges of
  // 1000 blocks; the table is one unbounded range, so its 100 blocks are all read.
  const auto stale = ctid_ranges(0, std::nullopt, 100, ctid_blocks_per_range({100, 10, 10}, 1000));
  REQUIRE(stale.size() == 1);
  CHECK_FALSE(stale[0].end);
  // A block-per-range of 0 (never produced) still advances.
  check_covers(ctid_ranges(0, std::nullopt, 5, 0), 5);
}

TEST_CASE("ctid_ranges: a bounded part ends at its bound, an unbounded one goes on") {
  const auto part = ctid_ranges(4, 11, 100, 3);
  REQUIRE(part.size() == 3);
  CHECK(part[0].first == 4);
  CHECK(part[0].end == 7);
  CHECK(part[1].end == 10);
  CHECK(part[2].first == 10);
  CHECK(part[2].end == 11);
  const auto empty_part = ctid_ranges(4, 4, 100, 3);
  REQUIRE(empty_part.size() == 1);
  CHECK(empty_part[0].end == 4);
  // The last part of a table: from its point on, unbounded whatever `pages` says.
  const auto tail = ctid_ranges(50, std::nullopt, 40, 3);
  REQUIRE(tail.size() == 1);
  CHECK(tail[0].first == 50);
  CHECK_FALSE(tail[0].end);
}

TEST_CASE("ctid_split_points: up to `parts` parts of equal size, none smaller than a range") {
  CHECK(ctid_split_points(100, 2, 10) == std::vector<uint64_t>{50});
  CHECK(ctid_split_points(100, 3, 10) == std::vector<uint64_t>{33, 66});
  CHECK(ctid_split_points(100, 4, 40) == std::vector<uint64_t>{33, 66});  // 3 ranges
  CHECK(ctid_split_points(100, 1, 10).empty());
  CHECK(ctid_split_points(10, 4, 10).empty());  // one range: one part
  CHECK(ctid_split_points(0, 4, 10).empty());   // an empty table
  CHECK(ctid_split_points(1, 4, 1).empty());    // one block
  CHECK(ctid_split_points(3, 8, 1) == std::vector<uint64_t>{1, 2});
}
