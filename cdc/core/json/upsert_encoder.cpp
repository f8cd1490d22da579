// upsert: the record shape Flink's upsert-kafka connector reads with the json format.
// Key = primary-key object; value = the after row as a flat object for c/u/r, and a tombstone
// (encode_value returns false) for d and t. A column whose value was not sent (Postgres
// unchanged TOAST) takes the before image's value when there is one, else the configured
// placeholder or Debezium's "__debezium_unavailable_value": the value is a whole row, and
// leaving the column out or writing null would destroy the stored value.
#include "cdc/core/json/row_json.h"

namespace cdc::json {

namespace {

class UpsertEncoder final : public Encoder {
 public:
  explicit UpsertEncoder(EncoderOptions options) : options_(std::move(options)) {}

  bool encode_key(const ChangeEvent& e, std::string& out) const override {
    return append_key(e, out, options_.invalid_utf8);
  }

  bool encode_value(const ChangeEvent& e, std::string& out) const override {
    CDC_CHECK(e.schema != nullptr, "every event carries the schema it was decoded with");
    if (e.op == Op::erase || e.op == Op::truncate || !e.after.present) return false;
    JsonWriter w(out, options_.invalid_utf8);
    const UnchangedStyle unchanged{true, placeholder_of(options_).value_or(kUnavailableValue)};
    write_row(w, *e.schema, e.after, e.unchanged_columns, unchanged, e.before, ValueStyle::typed);
    return true;
  }

  Format format() const override { return Format::upsert; }

 private:
  EncoderOptions options_;
};

}  // namespace

std::unique_ptr<Encoder> make_upsert_encoder(EncoderOptions options) {
  return std::make_unique<UpsertEncoder>(std::move(options));
}

}  // namespace cdc::json
