// The Kafka sink's part of `sluice validate --connect`: what its start would need from the
// cluster, asked without producing, without a transactional.id (which would fence a running
// instance) and without creating anything. Blocks up to the sink's operation timeout.
#pragma once

#include <vector>

#include "cdc/core/result.h"
#include "sinks/kafka/kafka_options.h"

namespace cdc::sinks::kafka {

// The cluster answers a metadata request with the sink's properties (bootstrap servers,
// security settings), and, when the sink will not create topics (`topic.create: false`), the
// topics it writes whatever the tables are exist: the offsets topic, a fixed `topic`, the
// schema-change topic. Every problem found (Errc::unavailable, Errc::auth,
// Errc::invalid_config), each naming the cluster or the topic.
std::vector<Error> preflight(const KafkaOptions& options);

}  // namespace cdc::sinks::kafka
