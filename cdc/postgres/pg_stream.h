// PgStream: the pgoutput replication state machine without the network. Takes the messages of
// the XLogData stream in order, tracks transactions (and streamed ones, spooled to disk until
// their Stream Commit), applies Relation messages, and appends change events to batches. Knows
// the resume point after what it delivered (PostgresPosition: the last transaction delivered
// whole, plus the events of the next one delivered) and skips what a resume point says was
// delivered. Reader thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/postgres/pgoutput/pgoutput_decoder.h"
#include "cdc/postgres/schema/relation_cache.h"
#include "cdc/postgres/stream/transaction_spool.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

struct PgStreamConfig {
  std::string pipeline_name;  // SourceInfo.name
  std::string database;       // SourceInfo.database
  size_t max_batch_events = 1024;
  std::string spool_dir;  // where streamed transactions are spooled
  RelationCache::Hooks hooks;
  // Whether a change event is delivered, given its transaction's commit LSN (Begin.final_lsn):
  // the merge with a snapshot (StreamFilter) drops what the snapshot's rows hold. Unset:
  // every event. A dropped event still counts as handled for events_to_skip.
  std::function<Result<bool>(const ChangeEvent&, Lsn commit_lsn)> keep;
  // Called with each logical decoding message (pg_logical_emit_message) outside a streamed
  // segment, in stream order; a transactional one at its transaction's place. None is delivered
  // as an event. Unset: none is looked at.
  std::function<void(const LogicalMessage&)> on_message;
  // Records a captured table's new version (a Relation with other columns) at the resume point
  // after the first change that uses it (PgSchemaStore). Unset: not recorded.
  std::function<Status(const PostgresPosition&, const TableSchema&)> record_version;
};

class PgStream {
 public:
  PgStream(PgStreamConfig config, PgTypeRegistry& registry, PostgresPosition resume);
  ~PgStream();

  void seed(TableSchemaPtr schema) { relations_.seed(std::move(schema)); }
  // Call before filling a new batch: strings shared by its events are copied into its arena once.
  void new_batch() { interned_ = false; }
  // Handles one pgoutput message sent at `at`; appends events to `batch`.
  Status handle(std::span<const std::byte> message, Lsn at, Batch& batch);
  // Whether a committed streamed transaction is still being emitted (continue_replay).
  bool replaying() const { return replay_ != nullptr; }
  // Whether the stream stands inside a transaction (its Begin handled, its Commit not yet, or a
  // streamed one still being emitted).
  bool in_transaction() const { return txn_.has_value() || replay_ != nullptr; }
  // Emits more of the committed streamed transaction, up to the batch limit.
  Status continue_replay(Batch& batch);
  // Ends the snapshot merge (config.keep) once the stream is past the snapshot.
  void keep_all() { config_.keep = nullptr; }
  bool batch_full(const Batch& batch) const {
    return batch.events.size() >= config_.max_batch_events;
  }

  // The commit time (ms since the Unix epoch, the server's clock) of the last transaction begun:
  // how far behind the server the stream is.
  int64_t last_commit_ms() const { return last_commit_ms_; }
  // Resume point after everything handled so far.
  PostgresPosition position() const;
  std::vector<TableSchemaPtr> schemas() const { return relations_.current(); }
  // The table's version at this point of the stream (RelationCache::latest).
  TableSchemaPtr schema_of(const TableId& table, const RelationInfo** from_relation) const {
    return relations_.latest(table, from_relation);
  }
  // Spooled streamed transactions (open ones), for tests.
  size_t open_streams() const { return spools_.size(); }

 private:
  struct Txn {
    uint32_t xid = 0;
    Lsn commit_lsn{0};  // Begin.final_lsn / Stream Commit.commit_lsn
    int64_t commit_ms = 0;
    uint64_t delivered = 0;  // row events delivered (or skipped as delivered before a resume)
    uint64_t to_skip = 0;
    bool skip_all = false;  // finished before the resume point
    std::string id;
  };

  Status handle_or_spool(PgoutputMessage& msg, std::span<const std::byte> message, Lsn at,
                         Batch& batch);
  Status handle_decoded(PgoutputMessage& msg, Lsn at, Batch& batch);
  Status emit_row(Op op, const RelationInfo& rel, const TupleData* before, char before_kind,
                  const TupleData* after, Lsn at, Batch& batch);
  Status convert(const RelationInfo& rel, const TupleData& tuple, const TupleData* old_tuple,
                 bool key_only, Batch& batch, std::span<Value> out,
                 std::vector<uint32_t>* unchanged);
  bool take_row();  // counts a row event of the current transaction; false = skip it
  void begin_txn(uint32_t xid, Lsn commit_lsn, int64_t commit_ms);
  void fill_source(ChangeEvent& e, Lsn at, Batch& batch);
  Status spool_message(uint32_t xid, std::span<const std::byte> message, Lsn at);
  // The batch's last event, built in place, stays unless config_.keep drops it.
  Status keep_last(Batch& batch);

  PgStreamConfig config_;
  PgTypeRegistry& registry_;
  RelationCache relations_;
  PostgresPosition resume_;
  Lsn finished_{0};  // end LSN of the last transaction delivered whole
  std::optional<Txn> txn_;
  int64_t last_commit_ms_ = 0;
  // Streamed transactions by top-level xid, and the one whose segment is open.
  std::map<uint32_t, std::unique_ptr<TransactionSpool>> spools_;
  std::optional<uint32_t> stream_xid_;
  std::unique_ptr<TransactionSpool> replay_;
  Lsn replay_end_{0};
  std::string replay_buf_;
  // Views into the current batch's arena (valid while interned_).
  bool interned_ = false;
  std::string_view name_, database_;
  std::vector<uint32_t> unchanged_;
  TupleScratch scratch_;  // tuple storage reused from message to message
};

}  // namespace cdc::postgres
