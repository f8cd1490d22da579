// The transaction coordinator's request handlers of Broker (KIP-98 "Transactional
// producer"): InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit.
#include <algorithm>
#include <map>

#include "tests/fakes/kafka/api.h"
#include "tests/fakes/kafka/broker.h"
#include "tests/fakes/kafka/wire_helpers.h"

namespace cdc::testing::kafka {

namespace {
// transactional_id, producer_id, producer_epoch: the start of AddPartitionsToTxn,
// AddOffsetsToTxn and EndTxn.
struct TxnIdentity {
  std::string transactional_id;
  int64_t producer_id;
  int16_t epoch;
};
TxnIdentity read_txn_identity(ByteReader& r, std::string_view api) {
  TxnIdentity id{.transactional_id = read_string(r, std::string(api) + " transactional_id"),
                 .producer_id = 0,
                 .epoch = 0};
  id.producer_id = read_i64(r);
  id.epoch = read_i16(r);
  return id;
}
}  // namespace

Result<std::string> Broker::init_producer_id(const RequestHeader& h, ByteReader& r,
                                             Clock::time_point now) {
  const std::optional<std::string> transactional_id = read_nullable_string(r);
  const int32_t timeout_ms = read_i32(r);
  CDC_TRY(r.finish());
  auto result = coordinator_->init_producer_id(transactional_id, timeout_ms, now);
  if (result.abort) {
    log_line("InitProducerId of '" + *transactional_id + "' aborts its open transaction");
    CDC_TRY(apply(*result.abort));
  }
  CDC_TRY(coordinator_->save());
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  w.i16(result.error);
  w.i64(result.producer_id);
  w.i16(result.producer_epoch);
  return std::move(w).take();
}

Result<std::string> Broker::add_partitions_to_txn(const RequestHeader& h, ByteReader& r,
                                                  Clock::time_point now) {
  const auto [transactional_id, producer_id, epoch] = read_txn_identity(r, "AddPartitionsToTxn");
  std::vector<TopicPartition> tps;
  const int32_t n_topics = read_array_length(r, 6, "AddPartitionsToTxn topics");
  for (int32_t t = 0; t < n_topics && r.ok(); ++t) {
    const std::string topic = read_string(r, "AddPartitionsToTxn topic");
    const int32_t n_parts = read_array_length(r, 4, "AddPartitionsToTxn partitions");
    for (int32_t p = 0; p < n_parts && r.ok(); ++p) {
      tps.emplace_back(topic, read_i32(r));
    }
  }
  CDC_TRY(r.finish());
  // All or nothing: an unknown partition fails the request and the others are reported
  // OPERATION_NOT_ATTEMPTED (AddPartitionsToTxn response semantics).
  const bool all_known = std::all_of(tps.begin(), tps.end(), [&](const TopicPartition& tp) {
    return partition(tp.first, tp.second) != nullptr;
  });
  int16_t error = err::kNone;
  if (all_known) {
    error = coordinator_->add_partitions(transactional_id, producer_id, epoch, tps, now);
    CDC_TRY(coordinator_->save());
  }
  std::map<std::string, std::vector<std::pair<int32_t, int16_t>>> results;
  for (const auto& [topic, index] : tps) {
    const int16_t e = all_known                 ? error
                      : partition(topic, index) ? err::kOperationNotAttempted
                                                : err::kUnknownTopicOrPartition;
    results[topic].emplace_back(index, e);
  }
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  w.i32(static_cast<int32_t>(results.size()));
  for (const auto& [topic, parts] : results) {
    w.string(topic);
    w.i32(static_cast<int32_t>(parts.size()));
    for (const auto& [index, e] : parts) {
      w.i32(index);
      w.i16(e);
    }
  }
  return std::move(w).take();
}

Result<std::string> Broker::add_offsets_to_txn(const RequestHeader& h, ByteReader& r,
                                               Clock::time_point now) {
  const auto [transactional_id, producer_id, epoch] = read_txn_identity(r, "AddOffsetsToTxn");
  const std::string group = read_string(r, "AddOffsetsToTxn group_id");
  CDC_TRY(r.finish());
  const int16_t error = coordinator_->add_offsets(transactional_id, producer_id, epoch, group, now);
  CDC_TRY(coordinator_->save());
  return throttle_and_error(h, error);
}

Result<std::string> Broker::end_txn(const RequestHeader& h, ByteReader& r) {
  const auto [transactional_id, producer_id, epoch] = read_txn_identity(r, "EndTxn");
  const bool commit = read_bool(r);
  CDC_TRY(r.finish());
  crash_if_armed(CrashPoint::before_end_txn, commit);
  std::optional<TxnCompletion> completion;
  const int16_t error =
      coordinator_->end_txn(transactional_id, producer_id, epoch, commit, completion);
  if (completion) {
    CDC_TRY(apply(*completion));
  }
  return throttle_and_error(h, error);
}

Result<std::string> Broker::txn_offset_commit(const RequestHeader& h, ByteReader& r) {
  const std::string transactional_id = read_string(r, "TxnOffsetCommit transactional_id");
  const std::string group = read_string(r, "TxnOffsetCommit group_id");
  const int64_t producer_id = read_i64(r);
  const int16_t epoch = read_i16(r);
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  map_topic_partitions(r, w, "TxnOffsetCommit", 14,
                       [&](const std::string& topic, ByteReader& r, Writer& w) {
                         const int32_t index = read_i32(r);
                         const int64_t offset = read_i64(r);
                         (void)read_nullable_string(r);  // committed_metadata: not kept
                         w.i32(index);
                         w.i16(coordinator_->txn_offset_commit(transactional_id, producer_id, epoch,
                                                               group, {topic, index}, offset));
                       });
  CDC_TRY(r.finish());
  return std::move(w).take();
}

Result<std::string> Broker::offset_fetch(const RequestHeader& h, ByteReader& r) {
  // OffsetFetch v1 answers from the offsets that committed transactions wrote (TxnOffsetCommit
  // is the only way to commit here); a partition without one gets offset -1 and no error.
  const std::string group = read_string(r, "OffsetFetch group_id");
  const auto& committed = coordinator_->committed_offsets();
  const auto offsets = committed.find(group);
  Writer w = response_for(h);
  map_topic_partitions(
      r, w, "OffsetFetch", 4, [&](const std::string& topic, ByteReader& r, Writer& w) {
        const int32_t index = read_i32(r);
        int64_t offset = -1;
        if (offsets != committed.end()) {
          if (const auto it = offsets->second.find({topic, index}); it != offsets->second.end()) {
            offset = it->second;
          }
        }
        w.i32(index);
        w.i64(offset);
        w.nullable_string(std::string());  // metadata
        w.i16(err::kNone);
      });
  CDC_TRY(r.finish());
  return std::move(w).take();
}

}  // namespace cdc::testing::kafka
