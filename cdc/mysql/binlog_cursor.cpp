#include "cdc/mysql/binlog_cursor.h"

namespace cdc::mysql {

BinlogCursor::BinlogCursor(const MysqlPosition& start, GtidSet gtids)
    : file_(start.binlog.file),
      gtids_(std::move(gtids)),
      committed_(start.binlog),
      skip_events_(start.events_to_skip),
      skip_rows_(start.rows_to_skip) {}

void BinlogCursor::rotate(std::string_view file, std::optional<BinlogOffset> first) {
  file_ = std::string(file);
  ++file_gen_;
  if (!in_txn_ && first) committed_ = position_in(file_, *first);
}

void BinlogCursor::seed_mariadb_gtids(const std::vector<MariadbGtid>& gtids) {
  if (gtids_.empty()) gtids_.reset_mariadb(gtids);
}

void BinlogCursor::seed_mysql_gtids(std::string_view gtid_set) {
  if (gtids_.empty()) gtids_.reset_mysql(gtid_set);
}

void BinlogCursor::clear_txn() {
  events_in_txn_ = 0;
  rows_in_txn_ = 0;
  rows_in_txn_by_table_.clear();
  txn_gtid_.clear();
  txn_mariadb_gtid_.reset();
  txn_mysql_uuid_.clear();
  ++txn_gen_;
}

void BinlogCursor::begin(BinlogOffset at) {
  in_txn_ = true;
  txn_begin_ = position_in(file_, at);
  gtids_before_txn_ = gtids_.to_string();
  txn_ends_after_query_ = false;
  txn_thread_.reset();
  txn_commit_ms_ = 0;
  clear_txn();
}

void BinlogCursor::set_mariadb_gtid(const MariadbGtid& gtid, bool standalone) {
  txn_mariadb_gtid_ = gtid;
  txn_gtid_ = to_string(gtid);
  txn_ends_after_query_ = standalone;
}

void BinlogCursor::set_mysql_gtid(const MysqlGtidEvent& gtid) {
  txn_gtid_ = gtid.gtid();
  if (!gtid.anonymous) {
    txn_mysql_uuid_ = gtid.sid_key();
    txn_mysql_gno_ = gtid.gno;
  }
  if (gtid.immediate_commit_us)
    txn_commit_ms_ = static_cast<int64_t>(*gtid.immediate_commit_us / 1000);
  txn_ends_after_query_ = true;  // until a BEGIN says otherwise (DDL has none)
}

void BinlogCursor::set_begin(uint32_t thread_id) {
  txn_thread_ = thread_id;
  txn_ends_after_query_ = false;
}

void BinlogCursor::add_txn_gtid(GtidSet& to) const {
  if (txn_mariadb_gtid_) to.add(*txn_mariadb_gtid_);
  if (!txn_mysql_uuid_.empty()) to.add_mysql(txn_mysql_uuid_, txn_mysql_gno_);
}

void BinlogCursor::end(BinlogOffset next) {
  add_txn_gtid(gtids_);
  in_txn_ = false;
  committed_ = position_in(file_, next);
  skip_events_ = 0;
  skip_rows_ = 0;
  clear_txn();
}

bool BinlogCursor::skip_delivered_event() {
  if (events_in_txn_ >= skip_events_) return false;
  ++events_in_txn_;
  return true;
}

MysqlPosition BinlogCursor::position(uint32_t rows_done) const {
  MysqlPosition p;
  if (!in_txn_) {
    p.binlog = committed_;
    p.gtid_set = gtids_.to_string();
    return p;
  }
  p.binlog = txn_begin_;
  p.gtid_set = gtids_before_txn_;
  p.events_to_skip = events_in_txn_;
  p.rows_to_skip = rows_done;
  return p;
}

std::string BinlogCursor::gtids_after_txn() const {
  GtidSet after = gtids_;
  add_txn_gtid(after);
  return after.to_string();
}

}  // namespace cdc::mysql
