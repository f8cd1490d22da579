#include "cdc/postgres/snapshot/pg_ctid_ranges.h"

#include <algorithm>
#include <cmath>

namespace cdc::postgres {

uint64_t ctid_blocks_per_range(const CtidStats& stats, uint64_t chunk_rows) {
  double rows_per_block = kUnanalysedRowsPerBlock;
  if (stats.relpages > 0 && stats.reltuples >= 0) {
    rows_per_block = stats.reltuples / static_cast<double>(stats.relpages);
  }
  // An analysed table of empty blocks (all rows deleted since) counts as one row per block.
  rows_per_block = std::max(rows_per_block, 1.0);
  const double blocks =
      std::ceil(static_cast<double>(std::max<uint64_t>(chunk_rows, 1)) / rows_per_block);
  return std::max<uint64_t>(static_cast<uint64_t>(blocks), 1);
}

std::vector<CtidRange> ctid_ranges(uint64_t first, std::optional<uint64_t> end, uint64_t pages,
                                   uint64_t blocks_per_range) {
  const uint64_t step = std::max<uint64_t>(blocks_per_range, 1);
  std::vector<CtidRange> out;
  uint64_t at = first;
  if (end) {
    while (at < *end) {
      const uint64_t next = *end - at > step ? at + step : *end;
      out.push_back({at, next});
      at = next;
    }
    if (out.empty()) out.push_back({first, end});  // an empty part: one query finds no row
    return out;
  }
  while (pages > at && pages - at > step) {
    out.push_back({at, at + step});
    at += step;
  }
  out.push_back({at, std::nullopt});
  return out;
}

std::vector<uint64_t> ctid_split_points(uint64_t pages, uint64_t parts, uint64_t blocks_per_range) {
  const uint64_t step = std::max<uint64_t>(blocks_per_range, 1);
  const uint64_t ranges = (pages + step - 1) / step;
  const uint64_t n = std::min(parts, ranges);
  std::vector<uint64_t> out;
  if (n < 2) return out;
  for (uint64_t i = 1; i < n; ++i) {
    const uint64_t point = static_cast<uint64_t>(static_cast<unsigned __int128>(pages) * i / n);
    if (point != 0 && (out.empty() || point > out.back())) out.push_back(point);
  }
  return out;
}

}  // namespace cdc::postgres
