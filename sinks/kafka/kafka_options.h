// KafkaOptions: every option of the Kafka sink, defined once. config/ fills it from the
// pipeline YAML (`sink: {type: kafka, ...}`, the key named on each field), derives the defaults
// that depend on the pipeline (normalize) and checks it; the sink reads it. Header-only target
// cdc_sink_kafka_options (depends on cdc_json for json::Format), so that config/ need not link
// the sink. Plain value types. Not reloadable: a change needs a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/json/format.h"

namespace cdc::sinks::kafka {

struct KafkaOptions {
  // `properties.<name>`: any librdkafka property, passed through unchanged (bootstrap.servers,
  // security.protocol, sasl.*, ssl.*, compression.type, linger.ms, batch.size, ...). Values take
  // ${ENV} and are secrets: never logged. `properties.bootstrap.servers` is required.
  // enable.idempotence and transactional.id are the sink's own (see `transactional_id`).
  std::map<std::string, std::string> properties;
  // `topic`: one fixed topic for every table. Default: "" (per table, from topic.template).
  std::string topic;
  // `topic.template`: topic name per table with {prefix}, {db} and {table}; after a route stage
  // {db}.{table} is the route's sink-table. Default: "{prefix}.{db}.{table}".
  std::string topic_template = "{prefix}.{db}.{table}";
  // `topic.prefix`: the {prefix} of the template. Default: the pipeline name.
  std::string topic_prefix;
  // `topic.create`: create missing topics through the Admin API (CreateTopics) before the first
  // record; a broker that refuses stops the pipeline with its reason. false: the topics must
  // exist (or the broker auto-creates them). Default: true.
  bool create_topics = true;
  // `topic.partitions`, `topic.replication-factor`: of topics sluice creates. Defaults: 1, 1.
  int32_t topic_partitions = 1;
  int16_t topic_replication = 1;
  // `offsets.topic`: the compacted topic holding the pipeline's resume position, one record
  // per checkpoint in the checkpoint's transaction. Default: "<pipeline>.offsets".
  std::string offsets_topic;
  // `transactional.id`: of the exactly-once producer; a second instance with the same id fences
  // the first. Default: the pipeline name.
  std::string transactional_id;
  // `value.format`: debezium-json | upsert | canal-json. Default: debezium-json.
  json::Format format = json::Format::debezium_json;
  // `row-image.partial` (upsert only): an insert or update whose after image leaves columns
  // out (binlog_row_image=MINIMAL/NOBLOB) stops the pipeline (fail) or is left out with a
  // warning (skip). Default: fail.
  json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail;
  // `toast.placeholder`: json::EncoderOptions::toast_placeholder. Default: unset.
  std::optional<std::string> toast_placeholder;
  // `tombstones.on.delete` (debezium-json): a null-value record with the key after each delete,
  // so that compaction removes the key. Default: true.
  bool tombstones_on_delete = true;
  // `key.columns`: the record key is a JSON object of these columns (every captured table must
  // have them). Default: empty = the primary key in PK order; a table without one: null key.
  std::vector<std::string> key_columns;
  // `partition`: every record to this partition. Default: unset = murmur2 of the key (the Java
  // client's partitioner), keyless records spread at random.
  std::optional<int32_t> fixed_partition;
  // `headers`: the headers sluice.op (c/u/d/r/t) and sluice.position (binlog file:pos or LSN)
  // on each record. Default: true.
  bool headers = true;
  // `schema-change.topic`: DDL as Debezium schema-change records on this topic. Default: "" (off).
  std::string schema_change_topic;
  // `operation.timeout`: bounds init/commit of transactions, flushes, topic creation and the
  // read of the offsets topic, > 0. Unit: duration. Default: 30s.
  std::chrono::milliseconds operation_timeout{30000};

  // Derived from the pipeline by config's normalize(), not sink keys:
  // `pipeline.name`: names the transactional.id, the offsets record key, logs.
  std::string pipeline;
  // `properties.bootstrap.servers`, for logs and errors.
  std::string bootstrap_servers;
  // `pipeline.delivery` is exactly-once (the default): transactions, fenced by transactional_id.
  bool exactly_once = true;
};

}  // namespace cdc::sinks::kafka
