// Creation of the Kafka sink's topics through the Admin API (CreateTopics), on the sink's own
// producer connection: the data topics as their tables first appear, the compacted offsets
// topic at open(). Called from the sink thread only; blocks up to the operation timeout.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>

#include "cdc/core/result.h"
#include "sinks/kafka/kafka_options.h"

namespace cdc::sinks::kafka {

// Creates `topic` with `partitions` and options.topic_replication (cleanup.policy=compact when
// `compacted`); a topic that already exists is fine, and nothing is done when
// options.create_topics is false (the broker decides then; a missing topic fails its
// deliveries). Errc::timeout, Errc::auth, Errc::invalid_config or Errc::unavailable naming the
// topic. `client` is borrowed for the call.
Status ensure_topic(rd_kafka_t& client, const KafkaOptions& options, const std::string& topic,
                    int32_t partitions, bool compacted);

}  // namespace cdc::sinks::kafka
