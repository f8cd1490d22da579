// ChangeEvent: one row change (before, after, op) with its source metadata. Row values and
// source strings are views into the Arena of the Batch that holds the event: an event is
// valid only inside its batch. Movable; stages take batches by reference and edit in place.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"

namespace cdc {

enum class Op : char {
  insert = 'c',
  update = 'u',
  erase = 'd',
  read = 'r',  // a row read by a snapshot
  truncate = 't',
  // A DDL applied to a captured table: `schema` is the table's new version (its last version
  // for DROP TABLE), `source.query` the statement, before/after absent. Only sinks that report
  // schema changes see these: the runner drops them before the stages unless
  // Sink::wants_schema_changes().
  schema_change = 's',
};

inline char op_code(Op op) { return static_cast<char>(op); }

// Debezium's source.snapshot: "false", "true", "last", "incremental".
enum class SnapshotMarker : uint8_t { no, yes, last, incremental };

struct SourceInfo {
  std::string_view connector;  // "mysql", "postgresql", "datagen"
  std::string_view name;       // logical name: the pipeline name
  SnapshotMarker snapshot = SnapshotMarker::no;
  int64_t commit_ts_ms = 0;  // source commit time, ms since epoch (0 when unknown)
  // MySQL
  uint32_t server_id = 0;
  std::string_view gtid;  // GTID of the transaction, "" when none
  uint32_t row = 0;       // index of the row within its row event
  std::optional<uint64_t> thread;
  std::string_view query;  // the statement (ROWS_QUERY/ANNOTATE_ROWS), when captured
  // PostgreSQL
  std::string_view database;  // the database name; TableId.db holds the schema
  std::optional<uint64_t> tx_id;
  // Where the event was read: binlog file and offset of the row event (MySQL), the change's
  // LSN (PostgreSQL), the row's sequence number (datagen).
  EventPosition at;
};

struct TransactionInfo {
  std::string_view id;                 // "" when the event is not part of a tracked transaction
  uint64_t total_order = 0;            // 1-based index of the event in its transaction
  uint64_t data_collection_order = 0;  // 1-based index among the transaction's events of this table
};

// A row image: the values in schema column order, or absent.
struct RowImage {
  const Value* data = nullptr;
  uint32_t size = 0;
  bool present = false;
  // Indices (ascending) of columns this image does not carry: a MySQL row event written with
  // binlog_row_image=MINIMAL or NOBLOB logs only some columns. Their slot holds null, which is
  // not their value: a sink leaves them out or refuses the event (README "Partial row images").
  // Empty for a full image. PostgreSQL's unchanged TOAST values are
  // ChangeEvent::unchanged_columns instead: their value is known to be the stored one.
  std::span<const uint32_t> absent;

  RowImage() = default;
  explicit RowImage(std::span<const Value> values)
      : data(values.data()), size(static_cast<uint32_t>(values.size())), present(true) {}
  std::span<const Value> values() const { return {data, size}; }
  const Value& operator[](size_t i) const { return data[i]; }
  // A non-null value for the column (an absent column's slot holds null): what a sink may take
  // from a before image for a value the after image lacks.
  bool holds_value(uint32_t col_idx) const {
    return present && col_idx < size && !data[col_idx].is_null();
  }
  bool is_absent(uint32_t col_idx) const {
    // Usually empty and short: a linear scan beats a set.
    for (uint32_t a : absent) {
      if (a == col_idx) return true;
    }
    return false;
  }
};

struct ChangeEvent {
  Op op = Op::insert;
  // The schema version this row was decoded with, kept alive by the batch (Batch::hold): one
  // reference per schema per batch, not per event, whose count's cache line would otherwise
  // move between the reader's and the sink's cores for every event.
  const TableSchema* schema = nullptr;
  RowImage before;  // update/delete (and Postgres replica identity)
  RowImage after;   // insert/update/read
  // Indices of columns whose value was not sent and is unchanged (Postgres unchanged TOAST):
  // their slot in `after` holds null and must not be written as null.
  std::span<const uint32_t> unchanged_columns;
  SourceInfo source;
  TransactionInfo transaction;
  int64_t ts_ms = 0;  // when sluice processed the event, ms since epoch

  // Some column of the row that the sink would write is absent from its image (RowImage::absent).
  bool partial_after() const { return after.present && !after.absent.empty(); }
  bool partial() const { return partial_after() || (before.present && !before.absent.empty()); }
};

// A reference of one's own to an event's schema, for a stage's or sink's per-schema cache (on a
// miss only: events point at schemas without a reference count of their own).
inline Result<TableSchemaPtr> held_schema(const ChangeEvent& e) {
  if (TableSchemaPtr s = schema_of(e.schema)) return s;
  return make_error(Errc::internal, "the schema of an event of " + e.schema->id.to_string() +
                                        " was not made shared");
}

}  // namespace cdc
