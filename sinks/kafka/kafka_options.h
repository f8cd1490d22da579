// What the Kafka sink needs to know, already validated (config/ checks it; cdc/daemon/wiring
// converts config::KafkaSinkOptions into this). Plain value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/json/encoder.h"

namespace cdc::sinks::kafka {

struct KafkaOptions {
  std::string pipeline;           // names the transactional.id, the offsets record key, logs
  std::string bootstrap_servers;  // from properties.bootstrap.servers
  // librdkafka properties passed through unchanged (bootstrap.servers included). Values may be
  // secrets: never logged.
  std::map<std::string, std::string> properties;
  bool exactly_once = true;
  std::string transactional_id;  // exactly-once: "sluice-<pipeline>" unless given
  // Topic of each record: `topic` when set, else `topic_template` with {prefix}, {db}, {table}.
  std::string topic;
  std::string topic_template = "{prefix}.{db}.{table}";
  std::string topic_prefix;  // default: the pipeline name
  bool create_topics = true;
  int32_t topic_partitions = 1;
  int16_t topic_replication = 1;
  std::string offsets_topic;  // default "<pipeline>.offsets"
  json::Format format = json::Format::debezium_json;
  bool tombstones_on_delete = true;
  std::vector<std::string> key_columns;  // empty: the primary key
  std::optional<int32_t> fixed_partition;  // nullopt: murmur2 of the key
  bool headers = true;                     // sluice.op, sluice.position on each record
  std::string schema_change_topic;         // "" = schema changes not recorded
  std::chrono::milliseconds operation_timeout{30000};  // init/commit/flush and admin calls
};

}  // namespace cdc::sinks::kafka
