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

// `row-image.partial`: what a sink that writes whole rows (upsert records, Redis string values)
// does with an insert or update whose after image leaves columns out (binlog_row_image=MINIMAL
// or NOBLOB): stop with an error naming the table and the columns (fail), or leave the change
// out with a warning (skip). sinks/common/partial_rows.h applies it.
enum class PartialRowPolicy { fail, skip };

// "fail", "skip"; parsing as parse_format.
std::string_view to_string(PartialRowPolicy policy);
std::optional<PartialRowPolicy> parse_partial_row_policy(std::string_view name);

}  // namespace cdc::json
