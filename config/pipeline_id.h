// The pipeline's id: the one identifier derived from `pipeline.name` (free text, as in Flink CDC:
// "MySQL to Kafka Pipeline"). Everything that must be an identifier is derived from the id: the
// state dir and its keys, the Kafka transactional.id, topic prefix and offsets topic, the Doris
// label prefix, the Redis offset key, the `pipeline` label of the metrics, SourceInfo.name.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::config {

// True for 1..100 characters of [A-Za-z0-9_.-]: the names sluice accepted before names were
// free text. Such a name is its own id, so existing deployments keep their state and topics.
bool is_identifier_name(std::string_view name);

// The id of the pipeline named `name`: `name` itself when is_identifier_name(name); otherwise
// its runs of [A-Za-z0-9_-] joined by '_' (at most 40 characters; "pipeline" when there are
// none), '-', and 8 hex digits of the 64-bit FNV-1a hash of the whole name, so that names that
// differ only outside that alphabet ("a b", "a/b") get different ids. Stable across versions:
// changing it would orphan every deployment's state.
// "MySQL to Kafka Pipeline" -> "MySQL_to_Kafka_Pipeline-XXXXXXXX".
std::string pipeline_id(std::string_view name);

// The MySQL replica id of a pipeline whose file sets no `server-id` (Flink CDC's examples leave
// it out; Flink picks a random one in 5400..6400): 5400 + the FNV-1a hash of the id mod 1000,
// stable across restarts. Stable across versions, as pipeline_id.
uint32_t default_server_id(std::string_view pipeline_id);

}  // namespace cdc::config
