// The Kafka APIs this test broker implements, the one version range of each that it
// advertises in ApiVersions (so librdkafka negotiates down to it), and the error codes it
// answers with. Numbers are from the Apache Kafka protocol guide ("Api Keys", "Error Codes").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cdc::testing::kafka {

enum class ApiKey : int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  offset_fetch = 9,
  find_coordinator = 10,
  api_versions = 18,
  create_topics = 19,
  init_producer_id = 22,
  add_partitions_to_txn = 24,
  add_offsets_to_txn = 25,
  end_txn = 26,
  txn_offset_commit = 28,
};

struct ApiRange {
  ApiKey key;
  int16_t min_version;
  int16_t max_version;
};

// Only non-flexible versions (KIP-482 tagged fields are not implemented), and of those the
// ones librdkafka 2.0.2 needs for its features: Produce v3 + Fetch v4 enable MsgVer2 and
// read_committed (rdkafka_feature.c), InitProducerId v0 the idempotent producer, and
// FindCoordinator v1 the key_type that transactions need.
std::span<const ApiRange> supported_apis();
std::optional<ApiRange> find_api(int16_t key);
std::string_view api_name(int16_t key);  // "Produce", ... or "unknown"

// Error codes (protocol guide, "Error Codes"): the ones this broker answers with.
namespace err {
constexpr int16_t kNone = 0;
constexpr int16_t kOffsetOutOfRange = 1;
constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kInvalidTopic = 17;
constexpr int16_t kInvalidRequiredAcks = 21;
constexpr int16_t kUnsupportedVersion = 35;
constexpr int16_t kTopicAlreadyExists = 36;
constexpr int16_t kInvalidPartitions = 37;
constexpr int16_t kInvalidReplicationFactor = 38;
constexpr int16_t kInvalidConfig = 40;
constexpr int16_t kInvalidRequest = 42;
constexpr int16_t kOutOfOrderSequenceNumber = 45;
constexpr int16_t kInvalidProducerEpoch = 47;
constexpr int16_t kInvalidTxnState = 48;
constexpr int16_t kInvalidProducerIdMapping = 49;
constexpr int16_t kInvalidTransactionTimeout = 50;
constexpr int16_t kOperationNotAttempted = 55;
constexpr int16_t kKafkaStorageError = 56;
constexpr int16_t kInvalidRecord = 87;
}  // namespace err

}  // namespace cdc::testing::kafka
