// Encoder: turns a ChangeEvent into a Kafka-style record key and value in one JSON format
// (debezium-json, upsert, canal-json). Encoders are immutable after make_encoder and keep no
// per-event or per-schema state, so one instance may be used from many threads at once.
// Methods only append to `out`; they never clear it, so a caller can reuse one buffer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/change_event.h"
#include "cdc/core/json/format.h"
#include "cdc/core/json/json_writer.h"

namespace cdc::json {

struct EncoderOptions {
  // What string values with invalid UTF-8 become. Default: replace (U+FFFD).
  InvalidUtf8Policy invalid_utf8 = InvalidUtf8Policy::replace;
  // Reported as source.version by debezium-json. Default: sluice's version.
  std::string connector_version = "0.1.0";
  // What a column whose value the source did not send becomes (PostgreSQL's unchanged TOAST
  // values, ChangeEvent::unchanged_columns). Unset: debezium-json leaves it out of `after` and
  // names it in `source.unchanged`, canal-json leaves it out of `data`; upsert, which writes
  // whole rows, writes Debezium's placeholder. Set (the sinks' `toast.placeholder`, Debezium's
  // `unavailable.value.placeholder`): this string, in every format.
  std::optional<std::string> toast_placeholder;
};

class Encoder {
 public:
  virtual ~Encoder();

  // Appends the record key: the primary-key columns as a JSON object in PK column order, taken
  // from `after` (or `before` when there is no after image). Returns false (appends nothing)
  // when the table has no primary key, or the event has no row (truncate).
  virtual bool encode_key(const ChangeEvent& e, std::string& out) const = 0;

  // Appends the record value; returns false (appends nothing) when the value is a tombstone or
  // null (upsert delete and truncate). `e.schema` must not be null.
  virtual bool encode_value(const ChangeEvent& e, std::string& out) const = 0;

  virtual Format format() const = 0;
};

std::unique_ptr<Encoder> make_encoder(Format format, EncoderOptions options = {});

}  // namespace cdc::json
