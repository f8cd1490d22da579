// The `sink: {type: kafka}` section: defaults, every key in its field, `properties.*` passed
// through with ${ENV} expanded and secrets redacted from problems, and each problem as the exact
// text an operator reads.
#include <doctest/doctest.h>

#include "config/loader.h"
#include "tests/unit/config/problem_lines.h"

using namespace cdc::config;
using cdc::sinks::kafka::KafkaOptions;
namespace json = cdc::json;
using std::chrono::milliseconds;

namespace {

using Lines = std::vector<std::string>;

constexpr std::string_view kHead =
    R"(source: {type: mysql, hostname: h, username: u, tables: db.t, server-id: 7}
pipeline: {name: p}
sink:
  type: kafka
)";

LoadOutcome load_sink(std::string_view sink_keys) {
  return load_string(std::string(kHead) + std::string(sink_keys), "k.yaml",
                     map_environment({{"KAFKA_PASSWORD", "s3cret"}}));
}

Lines problems_of(std::string_view sink_keys) {
  Lines s;
  for (const Problem& p : load_sink(sink_keys).problems) s.push_back(p.to_string());
  return s;
}

const KafkaOptions& kafka_of(const LoadOutcome& out) {
  REQUIRE(out.ok());
  return std::get<KafkaOptions>(out.config->pipelines.at(0).sink);
}

}  // namespace

TEST_CASE("kafka sink: defaults of a minimal section") {
  const LoadOutcome out = load_sink("  properties.bootstrap.servers: 127.0.0.1:9092\n");
  const KafkaOptions& k = kafka_of(out);
  CHECK(k.properties ==
        std::map<std::string, std::string>{{"bootstrap.servers", "127.0.0.1:9092"}});
  CHECK(k.topic.empty());
  CHECK(k.topic_template == "{prefix}.{db}.{table}");
  CHECK(k.topic_prefix == "p");  // normalize(): the pipeline name
  CHECK(k.create_topics);
  CHECK(k.topic_partitions == 1);
  CHECK(k.topic_replication == 1);
  CHECK(k.offsets_topic == "p.offsets");
  CHECK(k.transactional_id == "p");
  CHECK(k.format == json::Format::debezium_json);
  CHECK(k.tombstones_on_delete);
  CHECK(k.key_columns.empty());
  CHECK_FALSE(k.fixed_partition.has_value());
  CHECK(k.headers);
  CHECK(k.schema_change_topic.empty());
  CHECK(k.operation_timeout == milliseconds(30000));
  CHECK(out.config->pipelines.at(0).pipeline.delivery == Delivery::exactly_once);
}

TEST_CASE("kafka sink: every key and the pass-through properties") {
  const LoadOutcome out = load_sink(R"(  properties.bootstrap.servers: b1:9092,b2:9092
  properties.security.protocol: SASL_SSL
  properties.sasl.password: ${KAFKA_PASSWORD}
  properties.linger.ms: 5
  topic.template: 'cdc.{db}.{table}'
  topic.prefix: x
  topic.create: false
  topic.partitions: 6
  topic.replication-factor: 3
  offsets.topic: my-offsets
  transactional.id: tx-1
  value.format: upsert
  tombstones.on.delete: false
  key.columns: tenant, id
  partition: 2
  headers: false
  schema-change.topic: p.ddl
  operation.timeout: 10s
)");
  const KafkaOptions& k = kafka_of(out);
  CHECK(k.properties == std::map<std::string, std::string>{{"bootstrap.servers", "b1:9092,b2:9092"},
                                                           {"linger.ms", "5"},
                                                           {"sasl.password", "s3cret"},
                                                           {"security.protocol", "SASL_SSL"}});
  CHECK(k.topic_template == "cdc.{db}.{table}");
  CHECK(k.topic_prefix == "x");
  CHECK_FALSE(k.create_topics);
  CHECK(k.topic_partitions == 6);
  CHECK(k.topic_replication == 3);
  CHECK(k.offsets_topic == "my-offsets");
  CHECK(k.transactional_id == "tx-1");
  CHECK(k.format == json::Format::upsert);
  CHECK_FALSE(k.tombstones_on_delete);
  CHECK(k.key_columns == std::vector<std::string>{"tenant", "id"});
  CHECK(k.fixed_partition == 2);
  CHECK_FALSE(k.headers);
  CHECK(k.schema_change_topic == "p.ddl");
  CHECK(k.operation_timeout == milliseconds(10000));
}

TEST_CASE("kafka sink: problems name the key, and secrets stay redacted") {
  CHECK(problems_of("  topic.partitions: 0\n") ==
        Lines{"k.yaml:4:3: sink.properties.bootstrap.servers: expected the Kafka brokers "
              "(host:port[,host:port...]), found none",
              "k.yaml:5:21: sink.topic.partitions: expected an integer 1..100000, found '0'"});
  CHECK(problems_of("  properties.bootstrap.servers: b:1\n  properties.sasl.password: [a]\n") ==
        Lines{"k.yaml:6:29: sink.properties.sasl.password: expected a string, found a list"});
  CHECK(
      problems_of("  properties.bootstrap.servers: b:1\n  properties.enable.idempotence: false\n"
                  "  topic.template: '{prefix}/{schema}'\n  offsets.topic: 'a b'\n  topick: t\n") ==
      Lines{"k.yaml:6:34: sink.properties.enable.idempotence: enable.idempotence is set by the "
            "sink (pipeline.delivery and sink.transactional.id decide it)",
            "k.yaml:7:19: sink.topic.template: unknown or unclosed placeholder in "
            "'{prefix}/{schema}'; expected {prefix}, {db} or {table}",
            "k.yaml:8:18: sink.offsets.topic: expected a topic name of 1..249 of [a-zA-Z0-9._-], "
            "found 'a b'",
            "k.yaml:9:3: sink.topick: unknown key 'topick'; did you mean 'topic'?"});
}
