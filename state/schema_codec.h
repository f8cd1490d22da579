// Versioned binary encoding of cdc::TableSchema (schema history values, ARCHITECTURE.md,
// "Checkpoints and resume"), and of a schema history entry = the Position of the DDL plus the
// schema in force from there on. Pure functions: no I/O, thread-safe. Layout (version 1, integers
// little-endian, str = u32 n + n bytes):
//   schema: u8 version=1 | str db | str table | u64 version | u32 ncols | column* | u32 npk | u32
//   pk* column: str name | str source_type | u8 ValueKind | u8 flags (1 nullable, 2 unsigned, 4 has
//   default)
//           | str charset | u32 length | u32 precision | u32 scale | u8 fsp | u32 nlabels | str
//           label* | [str default_value]
//   entry:  u8 version=1 | str encode_position() | rest = encode_schema()
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::state {

inline constexpr uint8_t kSchemaEncodingVersion = 1;
inline constexpr uint8_t kSchemaEntryEncodingVersion = 1;

std::string encode_schema(const TableSchema& schema);
// Errc::truncated / Errc::malformed for bad bytes (incl. an unknown ValueKind, unknown flag bits,
// a primary-key index outside the columns), Errc::unsupported for an unknown version.
Result<TableSchema> decode_schema(std::span<const std::byte> bytes);

std::string encode_schema_entry(const Position& at, const TableSchema& schema);
Result<std::pair<Position, TableSchema>> decode_schema_entry(std::span<const std::byte> bytes);

}  // namespace cdc::state
