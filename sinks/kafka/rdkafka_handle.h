// The one place a librdkafka configuration is built from sluice's options (so that a bad
// `properties.*` key is refused before anything connects) and librdkafka's logs are routed.
// Values of properties are never put into error messages: they may be secrets.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <string>

#include "cdc/core/result.h"
#include "sinks/kafka/rdkafka_ptr.h"

namespace cdc::sinks::kafka {

// A configuration with `properties` then `fixed` set (fixed wins: what the sink relies on).
// Errc::invalid_config naming "sink.properties.<key>" and librdkafka's reason.
Result<RdKafkaConfPtr> make_conf(const std::map<std::string, std::string>& properties,
                                 const std::map<std::string, std::string>& fixed);

enum class LogRole {
  producer,
  // The consumer of the offsets topic gets the producer's properties.*: its warnings about
  // producer-only properties (CONFWARN) are expected and dropped.
  offsets_reader,
};
// Routes librdkafka's log lines to spdlog's "sink.kafka" logger instead of stderr.
void route_logs(rd_kafka_conf_t* conf, LogRole role);

// librdkafka's timeout argument (int milliseconds) for an operation bounded by `d`.
inline int timeout_ms(std::chrono::milliseconds d) { return static_cast<int>(d.count()); }

}  // namespace cdc::sinks::kafka
