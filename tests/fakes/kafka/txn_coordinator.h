// TxnCoordinator: the transaction coordinator of the test broker (KIP-98 "Transaction
// Coordinator"): transactional.id -> producer id, epoch and transaction state. It decides;
// the Broker writes the markers a completion asks for. Optionally persisted to a file that
// is rewritten (write + rename) on every change, in place of Kafka's __transaction_state and
// __consumer_offsets: producer ids and epochs, each transaction's state, partitions, groups and
// pending offsets, and the committed offsets. A completion goes through PrepareCommit or
// PrepareAbort, saved before any marker is written, so that a coordinator killed between the
// markers finishes them after its restart (KIP-98 "Transaction coordinator failover").
// Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::testing::kafka {

using Clock = std::chrono::steady_clock;
using TopicPartition = std::pair<std::string, int32_t>;

// Markers to write: one per partition, with this producer id and (possibly bumped) epoch.
struct TxnCompletion {
  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  bool commit = false;
  std::set<TopicPartition> partitions;
};

class TxnCoordinator {
 public:
  // `state_path` empty: in memory. `max_timeout_ms` is transaction.max.timeout.ms.
  static Result<TxnCoordinator> open(std::string state_path, int32_t max_timeout_ms,
                                     Clock::time_point now);

  struct InitResult {
    int16_t error = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    std::optional<TxnCompletion> abort;  // the open transaction this init aborts
  };
  InitResult init_producer_id(const std::optional<std::string>& transactional_id,
                              int32_t timeout_ms, Clock::time_point now);
  // The error for a request of (id, producer id, epoch): INVALID_PRODUCER_ID_MAPPING for an
  // unknown id or another producer id, INVALID_PRODUCER_EPOCH for an older or newer epoch.
  int16_t check(const std::string& transactional_id, int64_t producer_id, int16_t epoch) const;
  bool in_transaction(const std::string& transactional_id, const TopicPartition& tp) const;
  int16_t add_partitions(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                         const std::vector<TopicPartition>& tps, Clock::time_point now);
  int16_t add_offsets(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                      const std::string& group, Clock::time_point now);
  int16_t txn_offset_commit(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                            const std::string& group, const TopicPartition& tp, int64_t offset);
  // EndTxn: on success the caller saves, writes `completion`'s markers and calls finish()
  // (`completion` is absent for a retried commit).
  int16_t end_txn(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                  bool commit, std::optional<TxnCompletion>& completion);
  // Transactions open longer than their timeout: aborted with a bumped epoch, which fences the
  // producer (KIP-98: the coordinator "proactively aborts" expired transactions).
  std::vector<TxnCompletion> expire(Clock::time_point now);
  std::optional<Clock::time_point> next_deadline() const;
  // After the markers of `c` are written: CompleteCommit or CompleteAbort, and a commit's
  // offsets become the group's committed offsets.
  void finish(const TxnCompletion& c);
  // Transactions a restart found prepared but not complete: their markers are written again
  // (a partition that already has one gets another, as Kafka's WriteTxnMarkers retries do).
  std::vector<TxnCompletion> prepared() const;

  // Offsets committed by committed transactions: group -> partition -> offset.
  const std::map<std::string, std::map<TopicPartition, int64_t>>& committed_offsets() const {
    return committed_offsets_;
  }
  Status save() const;

 private:
  // Kafka's TransactionState names; PrepareEpochFence and Dead have no use here.
  enum class State {
    empty,
    ongoing,
    complete_commit,
    complete_abort,
    prepare_commit,
    prepare_abort
  };
  struct Txn {
    int64_t producer_id = 0;
    int16_t epoch = 0;
    int32_t timeout_ms = 0;
    State state = State::empty;
    std::set<TopicPartition> partitions;
    std::set<std::string> groups;
    std::map<std::pair<std::string, TopicPartition>, int64_t> pending_offsets;
    Clock::time_point deadline;
  };
  TxnCompletion prepare(const std::string& id, Txn& txn, bool commit);
  static TxnCompletion completion_of(const std::string& id, const Txn& txn);
  Status load_line(const std::string& line, Clock::time_point now);
  void begin_if_needed(Txn& txn, Clock::time_point now);

  std::string state_path_;
  int32_t max_timeout_ms_ = 0;
  int64_t next_producer_id_ = 1000;
  std::map<std::string, Txn> txns_;
  std::map<std::string, std::map<TopicPartition, int64_t>> committed_offsets_;
};

}  // namespace cdc::testing::kafka
