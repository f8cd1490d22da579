#include "cdc/core/json/debezium_source.h"

#include "cdc/core/json/row_json.h"

namespace cdc::json {

namespace {

std::string_view snapshot_text(SnapshotMarker m) {
  switch (m) {
    case SnapshotMarker::no: return "false";
    case SnapshotMarker::yes: return "true";
    case SnapshotMarker::last: return "last";
    case SnapshotMarker::incremental: return "incremental";
  }
  return "false";
}

void write_postgres_fields(JsonWriter& w, const SourceInfo& s, const TableId& id) {
  w.key_ascii("db");
  w.string(s.database);
  // Debezium puts "[lastCommitLsn, lsn]" here; the last commit LSN is not in SourceInfo.
  w.key_ascii("sequence");
  w.null();
  w.key_ascii("schema");
  w.string(id.db);
  w.key_ascii("table");
  w.string(id.table);
  w.key_ascii("txId");
  if (s.tx_id)
    w.uint64(*s.tx_id);
  else
    w.null();
  w.key_ascii("lsn");
  if (const auto* lsn = std::get_if<Lsn>(&s.at))
    w.uint64(static_cast<uint64_t>(*lsn));
  else
    w.null();
  w.key_ascii("xmin");
  w.null();
}

void write_left_out(JsonWriter& w, const LeftOutColumns& left_out) {
  if (left_out.schema == nullptr) return;
  if (!left_out.unchanged.empty()) {
    w.key_ascii("unchanged");
    write_column_names(w, *left_out.schema, left_out.unchanged);
  }
  write_absent_columns(w, *left_out.schema, left_out.absent_before, left_out.absent_after);
}

}  // namespace

void write_debezium_source(JsonWriter& w, const SourceInfo& s, const TableId& id,
                           std::string_view connector_version, SourceFields fields,
                           const LeftOutColumns& left_out) {
  const bool change_event = fields == SourceFields::change_event;
  w.begin_object();
  if (change_event) {
    w.key_ascii("version");
    w.string(connector_version);
  }
  w.key_ascii("connector");
  w.string(s.connector);
  w.key_ascii("name");
  w.string(s.name);
  w.key_ascii("ts_ms");
  w.int64(s.commit_ts_ms);
  if (change_event) {
    w.key_ascii("snapshot");
    w.string_ascii(snapshot_text(s.snapshot));
  }
  if (change_event && s.connector == "postgresql") {
    write_postgres_fields(w, s, id);
    write_left_out(w, left_out);
    w.end_object();
    return;
  }
  w.key_ascii("db");
  w.string(id.db);
  w.key_ascii("table");
  w.string(id.table);
  w.key_ascii("server_id");
  w.uint64(s.server_id);
  w.key_ascii("gtid");
  if (s.gtid.empty())
    w.null();
  else
    w.string(s.gtid);
  // Debezium's MySQL fields; datagen fills pos with its row number.
  const auto* binlog = std::get_if<BinlogEventPosition>(&s.at);
  const auto* row = std::get_if<RowSequence>(&s.at);
  w.key_ascii("file");
  w.string(binlog != nullptr ? binlog->file : std::string_view());
  w.key_ascii("pos");
  w.uint64(binlog != nullptr ? value(binlog->offset)
           : row != nullptr  ? static_cast<uint64_t>(*row)
                             : 0);
  if (change_event) {
    w.key_ascii("row");
    w.uint64(s.row);
    w.key_ascii("thread");
    if (s.thread)
      w.uint64(*s.thread);
    else
      w.null();
    w.key_ascii("query");
    if (s.query.empty())
      w.null();
    else
      w.string(s.query);
    write_left_out(w, left_out);
  }
  w.end_object();
}

}  // namespace cdc::json
