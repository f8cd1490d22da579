// Debezium's `source` block, written once for the debezium-json encoder (every change event)
// and the Kafka sink's schema-change record, so that both name the same fields in the same
// order. Field order follows Debezium's source structs:
//   MySQL (MySqlSourceInfoStructMaker): version, connector, name, ts_ms, snapshot, db, table,
//     server_id, gtid, file, pos, row, thread, query   (the optional "sequence" is omitted)
//   PostgreSQL (PostgresSourceInfoStructMaker): version, connector, name, ts_ms, snapshot, db,
//     sequence, schema, table, txId, lsn, xmin
// The ts_us/ts_ns fields that Debezium 2.6+ adds are not emitted. Pure: appends through the
// caller's writer (whose invalid-UTF-8 policy applies).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cdc/core/change_event.h"
#include "cdc/core/json/json_writer.h"

namespace cdc::json {

enum class SourceFields : uint8_t {
  // A change event's: the whole struct of the event's connector.
  change_event,
  // A schema-change record's: connector, name, ts_ms, db, table, server_id, gtid, file, pos.
  // No version, snapshot, row, thread or query (the statement is the record's own `ddl`).
  schema_change,
};

// Columns of a change event that its `before`/`after` objects leave out, named after the
// connector's fields (each only when non-empty): `unchanged`, an array (PostgreSQL unchanged
// TOAST values), and `absent`, {"before": [...], "after": [...]} (a MySQL partial row image).
struct LeftOutColumns {
  const TableSchema* schema = nullptr;
  std::span<const uint32_t> unchanged;
  std::span<const uint32_t> absent_before;
  std::span<const uint32_t> absent_after;
};

// `table` is the event's table (db = its database, or its schema for PostgreSQL);
// `connector_version` is written for SourceFields::change_event only.
void write_debezium_source(JsonWriter& w, const SourceInfo& s, const TableId& table,
                           std::string_view connector_version, SourceFields fields,
                           const LeftOutColumns& left_out = {});

}  // namespace cdc::json
