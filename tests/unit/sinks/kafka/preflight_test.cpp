// sinks::kafka::preflight against librdkafka's mock cluster (in-process; its Metadata answer is
// what the check reads) and against a port where nothing listens.
#include "sinks/kafka/preflight.h"

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "sinks/kafka/rdkafka_ptr.h"

using namespace cdc;
using namespace cdc::sinks::kafka;

namespace {

std::vector<std::string> messages(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  for (const Error& e : errors) out.push_back(e.message);
  return out;
}

KafkaOptions options_for(const std::string& bootstrap) {
  KafkaOptions o;
  o.properties["bootstrap.servers"] = bootstrap;
  o.bootstrap_servers = bootstrap;
  o.offsets_topic = "p.offsets";
  o.topic = "orders";
  o.operation_timeout = std::chrono::milliseconds(2000);
  return o;
}

}  // namespace

TEST_CASE("kafka preflight: with topic.create false the topics the sink needs must exist") {
  char errstr[256];
  RdKafkaPtr owner(rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), errstr, sizeof(errstr)));
  REQUIRE(owner);
  RdKafkaOwned<rd_kafka_mock_cluster_t, rd_kafka_mock_cluster_destroy> cluster(
      rd_kafka_mock_cluster_new(owner.get(), 1));
  REQUIRE(cluster);
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster.get());
  KafkaOptions o = options_for(bootstrap);
  o.schema_change_topic = "p.ddl";

  CHECK(preflight(o).empty());  // topic.create (the default): the sink makes what is missing

  o.create_topics = false;
  const std::string cluster_name = "kafka cluster " + bootstrap;
  CHECK(messages(preflight(o)) ==
        std::vector<std::string>{
            cluster_name + " has no topic 'p.offsets' (offsets.topic), and topic.create is false: "
                           "create it first",
            cluster_name + " has no topic 'orders' (topic), and topic.create is false: create it "
                           "first",
            cluster_name + " has no topic 'p.ddl' (schema-change.topic), and topic.create is "
                           "false: create it first"});
  for (const char* topic : {"p.offsets", "orders", "p.ddl"}) {
    REQUIRE(rd_kafka_mock_topic_create(cluster.get(), topic, 1, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  CHECK(preflight(o).empty());
}

TEST_CASE("kafka preflight: a cluster that does not answer is named, within the timeout") {
  const auto errors = preflight(options_for("127.0.0.1:1"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == Errc::unavailable);
  CHECK(errors[0].message.starts_with(
      "kafka cluster 127.0.0.1:1 does not answer a metadata request: "));
}
