// BinlogCursor: where a BinlogStream is — the binlog file, the executed GTID set, and the
// transaction being read (where it began, its GTID, the row events and rows of it handled) —
// and the resume position that follows (Debezium semantics: the transaction's start plus the
// row events and rows of it already delivered). It also holds what a resume position asked to
// skip in the first transaction. Owned by one BinlogStream; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/core/table_schema.h"
#include "cdc/mysql/binlog/control_events.h"
#include "cdc/mysql/binlog_offset.h"
#include "cdc/mysql/gtid_set.h"

namespace cdc::mysql {

class BinlogCursor {
 public:
  // At `start`: its file, and the row events and rows of its first transaction to skip.
  BinlogCursor(const MysqlPosition& start, GtidSet gtids);

  // ROTATE to `file`. `first` is where reading continues in it; nullopt for the server's
  // artificial ROTATE at the start of a stream, which names the file but moves no position.
  void rotate(std::string_view file, std::optional<BinlogOffset> first);
  // The executed set announced at the start of a file (GTID_LIST, PREVIOUS_GTIDS), taken only
  // when none is known yet.
  void seed_mariadb_gtids(const std::vector<MariadbGtid>& gtids);
  void seed_mysql_gtids(std::string_view gtid_set);

  // A transaction starts with the event at `at` (GTID, BEGIN, or a row event outside one).
  void begin(BinlogOffset at);
  void begin_if_idle(BinlogOffset at) {
    if (!in_txn_) begin(at);
  }
  void set_mariadb_gtid(const MariadbGtid& gtid, bool standalone);
  void set_mysql_gtid(const MysqlGtidEvent& gtid);
  // BEGIN: the transaction now ends at its COMMIT or XID, not after the next statement.
  void set_begin(uint32_t thread_id);
  // The transaction ends before the event at `next`; its GTID joins the executed set.
  void end(BinlogOffset next);

  // The next row event: true when a resume position says it was delivered (it is counted).
  bool skip_delivered_event();
  // A row event is fully handled (emitted, or of a table not captured).
  void event_handled() { ++events_in_txn_; }
  // Rows of the next row event that a resume position says were delivered.
  uint32_t rows_to_skip() const {
    return events_in_txn_ == skip_events_ ? static_cast<uint32_t>(skip_rows_) : 0;
  }
  // 1-based order of the next change event in the transaction, overall and in `table`.
  uint64_t next_total_order() { return ++rows_in_txn_; }
  uint64_t& rows_of(const TableSchema* table) { return rows_in_txn_by_table_[table]; }

  // Where a restart resumes; `rows_done` are the rows of a row event part-way through.
  MysqlPosition position(uint32_t rows_done) const;
  // The executed set once the current transaction commits (a DDL's schema version is keyed so).
  std::string gtids_after_txn() const;

  const std::string& file() const { return file_; }
  bool in_txn() const { return in_txn_; }
  bool ends_after_statement() const { return txn_ends_after_query_; }
  const std::string& gtid() const { return txn_gtid_; }
  std::optional<uint64_t> thread() const { return txn_thread_; }
  int64_t commit_ms() const { return txn_commit_ms_; }
  // Bumped on each change of file / transaction: callers cache strings per generation.
  uint64_t file_gen() const { return file_gen_; }
  uint64_t txn_gen() const { return txn_gen_; }

 private:
  void add_txn_gtid(GtidSet& to) const;
  void clear_txn();

  std::string file_;
  GtidSet gtids_;             // executed set, committed transactions only
  BinlogPosition committed_;  // after the last finished event group
  bool in_txn_ = false;
  bool txn_ends_after_query_ = false;
  BinlogPosition txn_begin_;
  std::string gtids_before_txn_;
  std::string txn_gtid_;
  std::optional<MariadbGtid> txn_mariadb_gtid_;
  std::string txn_mysql_uuid_;
  uint64_t txn_mysql_gno_ = 0;
  std::optional<uint64_t> txn_thread_;
  int64_t txn_commit_ms_ = 0;
  uint64_t events_in_txn_ = 0;  // row events of the transaction fully handled
  uint64_t rows_in_txn_ = 0;    // change events emitted in the transaction
  // Change events emitted in the transaction per table (Debezium's data_collection_order).
  std::map<const TableSchema*, uint64_t> rows_in_txn_by_table_;
  uint64_t txn_gen_ = 0;
  uint64_t file_gen_ = 1;
  // Resume: what a checkpoint inside the first transaction already delivered.
  uint64_t skip_events_ = 0;
  uint64_t skip_rows_ = 0;
};

}  // namespace cdc::mysql
