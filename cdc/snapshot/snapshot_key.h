// The primary key of a snapshot row as the snapshot position stores it (SnapshotSegment's
// from_key, SnapshotPosition's after_key): a versioned binary encoding of the key's Values, and
// their order where sluice knows it without asking the server. Pure functions; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"

namespace cdc::snapshot {

// The columns a table's snapshot is chunked, ordered and merged with the stream by
// (`scan.incremental.snapshot.chunk.key-column`), indices into its columns. `unique`: they hold
// a unique key (chunks end anywhere); otherwise a chunk ends after every row of its last value.
struct ChunkKey {
  std::vector<uint32_t> columns;
  bool unique = true;
};
// The chunk key of a table, or an error naming it (a column that is missing or nullable).
// Unset: every table is chunked by its primary key.
using ChunkKeyFn = std::function<Result<ChunkKey>(const TableSchema&)>;

// Encodes `key` (one Value per key column, in key order). Never empty: "" means "no key".
std::string encode_key(std::span<const Value> key);
// The encoded key of no columns: it orders equal to every row, so a segment starting after it
// holds no row (a table without a key read again: ARCHITECTURE.md, "Snapshots").
const std::string& after_every_row_key();
// The Values of an encoded key; their text views point into `bytes`, which must outlive them.
// Bytes that are not a key of ours: Errc::malformed / truncated / unsupported (version).
Result<std::vector<Value>> decode_key(std::string_view bytes);

// The key columns' values of a row image (schema.primary_key order), as views into the row.
std::vector<Value> key_of(const TableSchema& schema, std::span<const Value> row);
// The same for the key a snapshot chunks the table by (`columns`, indices into its columns).
std::vector<Value> key_of(std::span<const uint32_t> columns, std::span<const Value> row);

// The order of two keys of one table as the server orders them, for the key kinds whose order
// does not depend on a collation: integers, BIT, YEAR, DATE, TIME, DATETIME, TIMESTAMP,
// DECIMAL, binary strings (byte order) and ENUM (by index, as the server sorts it). Text keys
// are ordered by their collation, which sluice does not implement: Errc::unsupported naming
// the column, as for any other kind.
Result<std::strong_ordering> compare_keys(const TableSchema& schema, std::span<const Value> a,
                                          std::span<const Value> b);
// The same for keys of `columns` (a chunk key, scan.incremental.snapshot.chunk.key-column).
Result<std::strong_ordering> compare_keys(const TableSchema& schema,
                                          std::span<const uint32_t> columns,
                                          std::span<const Value> a, std::span<const Value> b);

}  // namespace cdc::snapshot
