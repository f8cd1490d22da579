// Options of the sinks available in this build (`sink: {type: stdout|file|null|redis|kafka, ...}`).
// doris is a recognised name whose options come with its sink.
#pragma once

#include <string>
#include <variant>

#include "config/config_enums.h"
#include "config/kafka_sink_options.h"
#include "config/redis_sink_options.h"

namespace cdc::config {

struct StdoutSinkOptions {
  // `value.format`: debezium-json | upsert | canal-json, one record per line. Default: debezium-json.
  ValueFormat format = ValueFormat::debezium_json;
};

struct FileSinkOptions {
  // `path`: file the records are appended to, one per line. On restart it is truncated to the
  // length recorded by the last checkpoint (exactly-once). Required, non-empty.
  std::string path;
  // `value.format`: as for stdout. Default: debezium-json.
  ValueFormat format = ValueFormat::debezium_json;
};

// Discards everything; for benchmarks of the source and stages. No options.
struct NullSinkOptions {};

using SinkOptions =
    std::variant<StdoutSinkOptions, FileSinkOptions, NullSinkOptions, RedisSinkOptions, KafkaSinkOptions>;

}  // namespace cdc::config
