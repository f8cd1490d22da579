#include "sinks/kafka/rdkafka_handle.h"

#include <string_view>

#include "cdc/core/log.h"

namespace cdc::sinks::kafka {

namespace {
void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  static auto logger = log::get("sink.kafka");
  // syslog levels: 0..3 error, 4 warning, 5..6 info, 7 debug.
  const auto spd = level <= 3   ? spdlog::level::err
                   : level == 4 ? spdlog::level::warn
                   : level <= 6 ? spdlog::level::info
                                : spdlog::level::debug;
  logger->log(spd, "[{}] {}: {}", rd_kafka_name(rk), facility, message);
}

void on_reader_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (std::string_view(facility) == "CONFWARN") return;
  on_log(rk, level, facility, message);
}
}  // namespace

Result<RdKafkaConfPtr> make_conf(const std::map<std::string, std::string>& properties,
                                 const std::map<std::string, std::string>& fixed) {
  RdKafkaConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& key, const std::string& value, const char* where) -> Status {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return make_error(Errc::invalid_config, std::string(where) + key + ": " + errstr);
    }
    return {};
  };
  for (const auto& [key, value] : properties) CDC_TRY(set(key, value, "sink.properties."));
  for (const auto& [key, value] : fixed) CDC_TRY(set(key, value, "kafka sink setting "));
  return conf;
}

void route_logs(rd_kafka_conf_t* conf, LogRole role) {
  rd_kafka_conf_set_log_cb(conf, role == LogRole::producer ? on_log : on_reader_log);
}

}  // namespace cdc::sinks::kafka
