// The JSON record formats sluice writes. A separate header so that option structs (and config/)
// can name a format without the encoders.
#pragma once

#include <optional>
#include <string_view>

namespace cdc::json {

enum class Format {
  debezium_json,  // Debezium envelope, schemas disabled: before/after/source/op/ts_ms/transaction
  upsert,         // Flink upsert-kafka: key = primary key object, value = flat row or tombstone
  canal_json,     // Canal FlatMessage as Flink's canal-json format reads it
};

// "debezium-json", "upsert", "canal-json"; parse_format is case-insensitive and reads '_' as '-'.
std::string_view to_string(Format format);
std::optional<Format> parse_format(std::string_view name);

}  // namespace cdc::json
