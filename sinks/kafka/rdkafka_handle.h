// RAII owners of librdkafka handles and the one place a librdkafka configuration is built
// from sluice's options (so that a bad `properties.*` key is refused before anything
// connects). Values of properties are never put into error messages: they may be secrets.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "cdc/core/result.h"

namespace cdc::sinks::kafka {

struct RdKafkaDestroy {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDestroy>;

struct RdKafkaConfDestroy {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using RdKafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, RdKafkaConfDestroy>;

struct RdKafkaErrorDestroy {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
using RdKafkaErrorPtr = std::unique_ptr<rd_kafka_error_t, RdKafkaErrorDestroy>;

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

}  // namespace cdc::sinks::kafka
