#include "tests/fakes/kafka/api.h"

#include <array>

namespace cdc::testing::kafka {

namespace {
constexpr std::array<ApiRange, 13> kApis{{
    {ApiKey::produce, 3, 3},                // v3: transactional_id, RecordBatch v2 only
    {ApiKey::fetch, 4, 4},                  // v4: isolation_level, aborted_transactions (KIP-98)
    {ApiKey::list_offsets, 1, 2},           // v2: isolation_level (read_committed -> LSO)
    {ApiKey::metadata, 4, 4},               // v4: allow_auto_topic_creation
    {ApiKey::offset_fetch, 1, 1},           // the offsets committed by transactions
    {ApiKey::find_coordinator, 0, 2},       // v1+: key_type (0 group, 1 transaction)
    {ApiKey::api_versions, 0, 2},           // v3 is flexible: answered per KIP-511
    {ApiKey::create_topics, 2, 2},          // v2: throttle_time_ms first in the response
    {ApiKey::init_producer_id, 0, 1},       // v2 is flexible
    {ApiKey::add_partitions_to_txn, 0, 1},  // v0 and v1 share one layout
    {ApiKey::add_offsets_to_txn, 0, 1},
    {ApiKey::end_txn, 0, 1},
    {ApiKey::txn_offset_commit, 0, 1},  // v2 adds committed_leader_epoch
}};
}  // namespace

std::span<const ApiRange> supported_apis() { return kApis; }

std::optional<ApiRange> find_api(int16_t key) {
  for (const ApiRange& a : kApis) {
    if (static_cast<int16_t>(a.key) == key) {
      return a;
    }
  }
  return std::nullopt;
}

std::string_view api_name(int16_t key) {
  switch (key) {
    case 0: return "Produce";
    case 1: return "Fetch";
    case 2: return "ListOffsets";
    case 3: return "Metadata";
    case 8: return "OffsetCommit";
    case 9: return "OffsetFetch";
    case 10: return "FindCoordinator";
    case 11: return "JoinGroup";
    case 12: return "Heartbeat";
    case 13: return "LeaveGroup";
    case 14: return "SyncGroup";
    case 17: return "SaslHandshake";
    case 18: return "ApiVersions";
    case 19: return "CreateTopics";
    case 22: return "InitProducerId";
    case 24: return "AddPartitionsToTxn";
    case 25: return "AddOffsetsToTxn";
    case 26: return "EndTxn";
    case 28: return "TxnOffsetCommit";
    case 32: return "DescribeConfigs";
    case 36: return "SaslAuthenticate";
    default: return "unknown";
  }
}

}  // namespace cdc::testing::kafka
