// debezium-json: the Debezium change-event envelope as Kafka Connect's JsonConverter prints it
// with schemas.enable=false. Field order follows Debezium's Envelope schema (before, after,
// source, op, ts_ms, transaction); the source block is debezium_source.h's. A column whose value
// the source did not send (PostgreSQL unchanged TOAST) is left out of `after` and named in
// `source.unchanged`, or written as EncoderOptions::toast_placeholder when that is set; a column
// a partial row image leaves out (MySQL) is left out and named in `source.absent`.
#include "cdc/core/json/debezium_source.h"
#include "cdc/core/json/row_json.h"

namespace cdc::json {

namespace {

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
      write_row(w, schema, e.before, {}, {}, none, ValueStyle::typed);
    } else {
      w.null();
    }
    w.key_ascii("after");
    if (!truncate && e.after.present) {
      write_row(w, schema, e.after, e.unchanged_columns, {false, placeholder_of(options_)}, none,
                ValueStyle::typed);
    } else {
      w.null();
    }
    w.key_ascii("source");
    // Columns left out of `before`/`after` are named: source.unchanged and source.absent.
    LeftOutColumns left_out{&schema, {}, {}, {}};
    if (!truncate) {
      if (!options_.toast_placeholder) left_out.unchanged = e.unchanged_columns;
      if (e.before.present) left_out.absent_before = e.before.absent;
      if (e.after.present) left_out.absent_after = e.after.absent;
    }
    write_debezium_source(w, e.source, schema.id, options_.connector_version,
                          SourceFields::change_event, left_out);
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
  EncoderOptions options_;
};

}  // namespace

std::unique_ptr<Encoder> make_debezium_encoder(EncoderOptions options) {
  return std::make_unique<DebeziumEncoder>(std::move(options));
}

}  // namespace cdc::json
