// Owners of librdkafka's C objects: one unique_ptr alias per object type, each destroying with
// librdkafka's own function, so that no path (an early return, a failed REQUIRE in a test)
// leaks or double-frees. Where librdkafka takes ownership (rd_kafka_new takes the conf, a
// successful produce takes the headers), the caller release()s at that call. Header-only and
// free of sluice types: the integration tests' Kafka clients use it too.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace cdc::sinks::kafka {

template <auto Destroy>
struct RdKafkaDeleter {
  template <class T>
  void operator()(T* handle) const noexcept {
    Destroy(handle);
  }
};

template <class T, auto Destroy>
using RdKafkaOwned = std::unique_ptr<T, RdKafkaDeleter<Destroy>>;

using RdKafkaPtr = RdKafkaOwned<rd_kafka_t, rd_kafka_destroy>;
using RdKafkaConfPtr = RdKafkaOwned<rd_kafka_conf_t, rd_kafka_conf_destroy>;
using RdKafkaTopicConfPtr = RdKafkaOwned<rd_kafka_topic_conf_t, rd_kafka_topic_conf_destroy>;
using RdKafkaErrorPtr = RdKafkaOwned<rd_kafka_error_t, rd_kafka_error_destroy>;
// A topic handle must be destroyed before the rd_kafka_t it was made from.
using RdKafkaTopicPtr = RdKafkaOwned<rd_kafka_topic_t, rd_kafka_topic_destroy>;
using RdKafkaHeadersPtr = RdKafkaOwned<rd_kafka_headers_t, rd_kafka_headers_destroy>;
using RdKafkaMessagePtr = RdKafkaOwned<rd_kafka_message_t, rd_kafka_message_destroy>;
using RdKafkaPartitionsPtr =
    RdKafkaOwned<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>;
using RdKafkaQueuePtr = RdKafkaOwned<rd_kafka_queue_t, rd_kafka_queue_destroy>;
using RdKafkaEventPtr = RdKafkaOwned<rd_kafka_event_t, rd_kafka_event_destroy>;
using RdKafkaNewTopicPtr = RdKafkaOwned<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>;
using RdKafkaAdminOptionsPtr = RdKafkaOwned<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>;
using RdKafkaMetadataPtr = RdKafkaOwned<const rd_kafka_metadata_t, rd_kafka_metadata_destroy>;

}  // namespace cdc::sinks::kafka
