// The key layout of the state store's RocksDB (one default column family, bytewise order).
// Internal to cdc_state; public only so that tests can build keys. Pure functions, thread-safe.
//
//   0x00 "layout"                                  -> u8 layout version (kLayoutVersion)
//   0x01 P 'C' u64be(id)                           -> encode_checkpoint()
//   0x01 P 'S' T u8(kind) <position sort key>      -> encode_schema_entry()
//   0x01 P 'P' T                                   -> opaque snapshot progress bytes
//   0x01 P 'V' <key bytes>                         -> opaque sink value
//   0x01 P 'A' N                                   -> encode_checkpoint() of a savepoint
// where P (pipeline name), T (= db, then table) and N (savepoint name) are *components*: the bytes
// with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01. A component is prefix-free and sorts
// like the raw string, so "a" never matches a scan of "ab" or "a/b", everything of one pipeline (or
// one table) is one prefix scan, and pipelines() is a skip-scan over the distinct P.
//
// Checkpoint ids are fixed-width big-endian, so bytewise order is numeric order and the newest
// checkpoint is the last key of the pipeline's 'C' range.
//
// Schema keys must sort in Position order so that schema_at() is one SeekForPrev rather than a
// scan. The position sort key mirrors cdc::compare() field by field, all u64 big-endian:
//   datagen  (kind 1): next_row
//   mysql    (kind 2): binlog_file_index(file), offset, events_to_skip, rows_to_skip
//   postgres (kind 3): commit_lsn, lsn
// A binlog file is ordered by its numeric suffix, exactly as cdc::compare() does; the file name
// and GTID set are not in the key but in the value (the exact Position is stored there). Two
// positions that compare() finds equivalent share a key: a second put_schema there replaces the
// first, which is right because one position cannot hold two DDLs of a table. Positions of
// different kinds are unordered, so the kind byte keeps them apart and schema_at() only looks at
// versions of the same kind. We considered a per-table sequence number instead: it would need a
// scan plus a decode per version for every lookup, and a counter to keep consistent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::state::keys {

inline constexpr uint8_t kLayoutVersion = 1;
inline constexpr char kMetaSpace = '\x00';
inline constexpr char kPipelineSpace = '\x01';
inline constexpr char kCheckpointTag = 'C';
inline constexpr char kSchemaTag = 'S';
inline constexpr char kSnapshotTag = 'P';
inline constexpr char kValueTag = 'V';
inline constexpr char kSavepointTag = 'A';

std::string layout_key();

// Appends s as an escaped, terminated component.
void append_component(std::string& out, std::string_view s);

// The component at the start of `key`, unescaped; nullopt if it is not terminated there.
std::optional<std::string> leading_component(std::string_view key);

// 0x01 P: everything a pipeline owns.
std::string pipeline_prefix(std::string_view pipeline);
// The pipeline name at the start of a pipeline-space key; nullopt if the key is not one.
std::optional<std::string> pipeline_of(std::string_view key);

std::string checkpoint_prefix(std::string_view pipeline);
std::string checkpoint_key(std::string_view pipeline, uint64_t id);
// The id of a checkpoint key under `prefix`; nullopt if the key is not prefix + 8 bytes.
std::optional<uint64_t> checkpoint_id(std::string_view key, std::string_view prefix);

// 0x01 P 'S' T: all schema versions of a table.
std::string schema_table_prefix(std::string_view pipeline, const TableId& table);
// u8 kind + sort key, as above. Errc::internal for a Position with no source (std::monostate).
Result<std::string> position_sort_key(const Position& at);
// schema_table_prefix + position_sort_key.
Result<std::string> schema_key(std::string_view pipeline, const TableId& table, const Position& at);

std::string snapshot_prefix(std::string_view pipeline);
std::string snapshot_key(std::string_view pipeline, const TableId& table);

std::string value_key(std::string_view pipeline, std::string_view key);

// 0x01 P 'A': the pipeline's savepoints; + N: one savepoint.
std::string savepoint_prefix(std::string_view pipeline);
std::string savepoint_key(std::string_view pipeline, std::string_view name);

// The smallest key greater than every key that starts with prefix (for upper bounds);
// "" when none exists (prefix all 0xFF).
std::string prefix_successor(std::string_view prefix);

// A key for error messages: printable ASCII as is, other bytes as \xNN.
std::string printable(std::string_view key);

}  // namespace cdc::state::keys
