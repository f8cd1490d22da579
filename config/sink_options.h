// Options of the sinks available in this build
// (`sink: {type: stdout|file|null|redis|kafka|doris, ...}`). The Redis, Kafka and Doris sinks
// define theirs with the sink (sinks/*/…_options.h).
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "cdc/core/json/format.h"
#include "sinks/doris/doris_options.h"
#include "sinks/kafka/kafka_options.h"
#include "sinks/redis/redis_options.h"

namespace cdc::config {

struct StdoutSinkOptions {
  // `value.format`: debezium-json | upsert | canal-json, one record per line. Default:
  // debezium-json.
  json::Format format = json::Format::debezium_json;
  // `row-image.partial` (upsert only): fail | skip. Default: fail.
  json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail;
  // `toast.placeholder`: json::EncoderOptions::toast_placeholder. Default: unset.
  std::optional<std::string> toast_placeholder;
};

struct FileSinkOptions {
  // `path`: file the records are appended to, one per line. On restart it is truncated to the
  // length recorded by the last checkpoint (exactly-once). Required, non-empty.
  std::string path;
  // `value.format`: as for stdout. Default: debezium-json.
  json::Format format = json::Format::debezium_json;
  // `row-image.partial`: as for stdout. Default: fail.
  json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail;
  // `toast.placeholder`: as for stdout. Default: unset.
  std::optional<std::string> toast_placeholder;
};

// Discards everything; for benchmarks of the source and stages. No options.
struct NullSinkOptions {};

using SinkOptions =
    std::variant<StdoutSinkOptions, FileSinkOptions, NullSinkOptions, sinks::redis::RedisOptions,
                 sinks::kafka::KafkaOptions, sinks::doris::DorisOptions>;

}  // namespace cdc::config
