#include "sinks/kafka/topic_creator.h"

#include "sinks/kafka/rdkafka_errors.h"
#include "sinks/kafka/rdkafka_handle.h"

namespace cdc::sinks::kafka {

namespace {

// The error of a CreateTopics answer, if any: the request's own or the topic's.
Status answer_error(rd_kafka_event_t& ev, const KafkaOptions& options, const std::string& topic,
                    int32_t partitions) {
  if (const rd_kafka_resp_err_t err = rd_kafka_event_error(&ev);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(err == RD_KAFKA_RESP_ERR__TIMED_OUT ? Errc::timeout : Errc::unavailable,
                      "kafka CreateTopics of '" + topic + "': " + rd_kafka_event_error_string(&ev));
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(&ev), &n);
  const rd_kafka_resp_err_t err =
      n == 1 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR__FAIL;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) return {};
  const char* message = n == 1 ? rd_kafka_topic_result_error_string(results[0]) : nullptr;
  const Errc code = err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ? Errc::timeout
                    : is_authorization(err)                    ? Errc::auth
                                                               : Errc::invalid_config;
  return make_error(
      code, "kafka refused to create topic '" + topic + "' (" + std::to_string(partitions) +
                " partitions, replication " + std::to_string(options.topic_replication) +
                "): " + rd_kafka_err2str(err) + (message ? std::string(": ") + message : "") +
                "; create it yourself or set sink.topic.create: false");
}

}  // namespace

Status ensure_topic(rd_kafka_t& client, const KafkaOptions& options, const std::string& topic,
                    int32_t partitions, bool compacted) {
  if (!options.create_topics) return {};
  char errstr[512];
  RdKafkaNewTopicPtr new_topic(rd_kafka_NewTopic_new(
      topic.c_str(), partitions, options.topic_replication, errstr, sizeof(errstr)));
  if (!new_topic) return make_error(Errc::invalid_config, "kafka topic '" + topic + "': " + errstr);
  if (compacted && rd_kafka_NewTopic_set_config(new_topic.get(), "cleanup.policy", "compact") !=
                       RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::internal, "kafka topic '" + topic + "': cannot set cleanup.policy");
  }
  RdKafkaQueuePtr queue(rd_kafka_queue_new(&client));
  RdKafkaAdminOptionsPtr admin(rd_kafka_AdminOptions_new(&client, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  (void)rd_kafka_AdminOptions_set_request_timeout(
      admin.get(), timeout_ms(options.operation_timeout), errstr,
      sizeof(errstr));  // ignored: in range by validation
  rd_kafka_NewTopic_t* topics[] = {
      new_topic.get()};  // still owned by new_topic: CreateTopics copies it
  rd_kafka_CreateTopics(&client, topics, 1, admin.get(), queue.get());
  const RdKafkaEventPtr answer(
      rd_kafka_queue_poll(queue.get(), timeout_ms(options.operation_timeout) + 1000));
  if (!answer) {
    return make_error(Errc::timeout, "kafka CreateTopics of '" + topic + "' got no answer in " +
                                         std::to_string(options.operation_timeout.count()) + " ms");
  }
  return answer_error(*answer, options, topic, partitions);
}

}  // namespace cdc::sinks::kafka
