// debezium-json: the Debezium change-event envelope as Kafka Connect's JsonConverter prints it
// with schemas.enable=false. Field order follows Debezium's Envelope schema (before, after,
// source, op, ts_ms, transaction) and its source structs:
//   MySQL (MySqlSourceInfoStructMaker): version, connector, name, ts_ms, snapshot, db, table,
//     server_id, gtid, file, pos, row, thread, query   (the optional "sequence" is omitted)
//   PostgreSQL (PostgresSourceInfoStructMaker): version, connector, name, ts_ms, snapshot, db,
//     sequence, schema, table, txId, lsn, xmin
// The ts_us/ts_ns fields that Debezium 2.6+ adds are not emitted.
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

class DebeziumEncoder final : public Encoder {
 public:
  explicit DebeziumEncoder(EncoderOptions options) : options_(std::move(options)) {}

  bool encode_key(const ChangeEvent& e, std::string& out) const override {
    return append_key(e, out, options_.invalid_utf8);
  }

  bool encode_value(const ChangeEvent& e, std::string& out) const override {
    CDC_CHECK(e.schema != nullptr, "every event carries the schema it was decoded with");
    const TableSchema& schema = *e.schema;
    JsonWriter w(out, options_.invalid_utf8);
    const RowImage none;
    const bool truncate = e.op == Op::truncate;
    w.begin_object();
    w.key_ascii("before");
    if (!truncate && e.before.present) {
      write_row(w, schema, e.before, {}, UnchangedStyle::placeholder, none, ValueStyle::typed);
    } else {
      w.null();
    }
    w.key_ascii("after");
    if (!truncate && e.after.present) {
      write_row(w, schema, e.after, e.unchanged_columns, UnchangedStyle::placeholder, none,
                ValueStyle::typed);
    } else {
      w.null();
    }
    w.key_ascii("source");
    write_source(w, e);
    w.key_ascii("op");
    const char op[2] = {op_code(e.op), '\0'};
    w.string_ascii(std::string_view(op, 1));
    w.key_ascii("ts_ms");
    w.int64(e.ts_ms);
    w.key_ascii("transaction");
    if (e.transaction.id.empty()) {
      w.null();
    } else {
      w.begin_object();
      w.key_ascii("id");
      w.string(e.transaction.id);
      w.key_ascii("total_order");
      w.uint64(e.transaction.total_order);
      w.key_ascii("data_collection_order");
      w.uint64(e.transaction.data_collection_order);
      w.end_object();
    }
    w.end_object();
    return true;
  }

  Format format() const override { return Format::debezium_json; }

 private:
  void write_source(JsonWriter& w, const ChangeEvent& e) const {
    const SourceInfo& s = e.source;
    const TableId& id = e.schema->id;
    w.begin_object();
    w.key_ascii("version");
    w.string(options_.connector_version);
    w.key_ascii("connector");
    w.string(s.connector);
    w.key_ascii("name");
    w.string(s.name);
    w.key_ascii("ts_ms");
    w.int64(s.commit_ts_ms);
    w.key_ascii("snapshot");
    w.string_ascii(snapshot_text(s.snapshot));
    if (s.connector == "postgresql") {
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
      if (s.tx_id) w.uint64(*s.tx_id); else w.null();
      w.key_ascii("lsn");
      if (s.lsn) w.uint64(*s.lsn); else w.null();
      w.key_ascii("xmin");
      w.null();
    } else {
      w.key_ascii("db");
      w.string(id.db);
      w.key_ascii("table");
      w.string(id.table);
      w.key_ascii("server_id");
      w.uint64(s.server_id);
      w.key_ascii("gtid");
      if (s.gtid.empty()) w.null(); else w.string(s.gtid);
      w.key_ascii("file");
      w.string(s.file);
      w.key_ascii("pos");
      w.uint64(s.pos);
      w.key_ascii("row");
      w.uint64(s.row);
      w.key_ascii("thread");
      if (s.thread) w.uint64(*s.thread); else w.null();
      w.key_ascii("query");
      if (s.query.empty()) w.null(); else w.string(s.query);
    }
    w.end_object();
  }

  EncoderOptions options_;
};

}  // namespace

std::unique_ptr<Encoder> make_debezium_encoder(EncoderOptions options) {
  return std::make_unique<DebeziumEncoder>(std::move(options));
}

}  // namespace cdc::json
