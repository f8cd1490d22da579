#include "sinks/kafka/preflight.h"

#include <set>
#include <string>

#include "sinks/kafka/rdkafka_errors.h"
#include "sinks/kafka/rdkafka_handle.h"
#include "sinks/kafka/rdkafka_ptr.h"

namespace cdc::sinks::kafka {

std::vector<Error> preflight(const KafkaOptions& options) {
  const std::string cluster = "kafka cluster " + options.bootstrap_servers;
  auto conf = make_conf(options.properties, {});
  if (!conf) return {std::move(conf).error()};
  route_logs(conf->get(), LogRole::producer);
  char errstr[512];
  RdKafkaPtr client(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof(errstr)));
  if (!client) return {make_error(Errc::invalid_config, cluster + ": " + errstr)};
  (void)conf->release();  // owned by the client now
  const rd_kafka_metadata_t* answer = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(client.get(), 1, nullptr, &answer, timeout_ms(options.operation_timeout));
  const RdKafkaMetadataPtr metadata(answer);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const Errc code = is_authorization(err) ? Errc::auth : Errc::unavailable;
    return {make_error(code,
                       cluster + " does not answer a metadata request: " + rd_kafka_err2str(err))};
  }
  std::set<std::string, std::less<>> topics;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      topics.insert(metadata->topics[i].topic);
  }
  std::vector<Error> problems;
  if (options.create_topics) return problems;  // the sink creates what is missing
  const auto require = [&](const std::string& topic, const char* option) {
    if (topic.empty() || topics.count(topic) != 0) return;
    problems.push_back(
        make_error(Errc::invalid_config, cluster + " has no topic '" + topic + "' (" + option +
                                             "), and topic.create is false: create it first"));
  };
  require(options.offsets_topic, "offsets.topic");
  require(options.topic, "topic");
  require(options.schema_change_topic, "schema-change.topic");
  return problems;
}

}  // namespace cdc::sinks::kafka
