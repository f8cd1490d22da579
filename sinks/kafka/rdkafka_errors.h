// How the Kafka sink classifies librdkafka's error codes, for the producer, the offsets-topic
// reader and topic creation alike. Pure functions.
#pragma once

#include <librdkafka/rdkafka.h>

namespace cdc::sinks::kafka {

// Another producer with this transactional.id has taken over: Errc::fenced.
inline bool is_fence(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

// The broker refused the credentials or the ACLs: Errc::auth (an operator must act).
inline bool is_authorization(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
         code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
}

}  // namespace cdc::sinks::kafka
