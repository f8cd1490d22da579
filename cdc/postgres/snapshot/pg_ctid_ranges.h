// The ctid block ranges a table without a key is read in (ARCHITECTURE.md "Snapshots",
// PostgreSQL): pure arithmetic over the table's size and statistics, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace cdc::postgres {

// What the server says of a table's storage when its reading is planned.
struct CtidStats {
  uint64_t pages = 0;     // pg_relation_size / block_size: the heap's blocks now (not stale)
  int64_t relpages = 0;   // pg_class.relpages of the last VACUUM/ANALYZE (0: none yet)
  double reltuples = -1;  // pg_class.reltuples of the same (-1: never analysed)
};

// Blocks [first, end): `end` nullopt = every block from `first` on, so that rows in blocks the
// plan did not know of (stale statistics) are read too.
struct CtidRange {
  uint64_t first = 0;
  std::optional<uint64_t> end;
};

// Rows of a table never analysed are assumed this many per block when sizing its ranges: a
// block of 8 KB holds about that many rows of ~60 bytes. A wrong guess changes only how many
// range queries read the table, never which rows.
constexpr double kUnanalysedRowsPerBlock = 128;

// Blocks per range so that a range holds about `chunk_rows` rows: reltuples / relpages gives
// the rows per block, at least 1 block.
uint64_t ctid_blocks_per_range(const CtidStats& stats, uint64_t chunk_rows);

// The ranges covering blocks [first, end) (end nullopt: unbounded above, also the last range),
// `blocks_per_range` each (the last may be shorter); `pages` bounds the planned ranges of an
// unbounded part. Never empty: a table of no blocks is one unbounded range.
std::vector<CtidRange> ctid_ranges(uint64_t first, std::optional<uint64_t> end, uint64_t pages,
                                   uint64_t blocks_per_range);

// Blocks where a table of `pages` blocks is cut into up to `parts` parts of about equal size,
// ascending and above 0, at least `blocks_per_range` blocks apart (a part smaller than one range
// is not worth a connection); empty: one part.
std::vector<uint64_t> ctid_split_points(uint64_t pages, uint64_t parts, uint64_t blocks_per_range);

}  // namespace cdc::postgres
