// BinlogCursor: the resume position between, inside and after transactions (Debezium
// semantics: the transaction's start plus what of it was delivered), the executed GTID set,
// ROTATE, and the skipping a resume position inside a transaction asks for.
#include <doctest/doctest.h>

#include "cdc/mysql/binlog_cursor.h"

namespace cdc::mysql {
namespace {

MysqlPosition start_at(uint64_t offset, uint64_t events_to_skip = 0, uint64_t rows_to_skip = 0) {
  MysqlPosition p;
  p.binlog = BinlogPosition{"mysql-bin.000007", offset};
  p.gtid_set = "0-1-10";
  p.events_to_skip = events_to_skip;
  p.rows_to_skip = rows_to_skip;
  return p;
}

GtidSet gtids(std::string_view text) {
  auto g = GtidSet::parse(text);
  REQUIRE(g);
  return *g;
}

TEST_CASE("BinlogCursor: outside a transaction the position is after the last one") {
  BinlogCursor c(start_at(400), gtids("0-1-10"));
  CHECK(c.position(0) == start_at(400));
  CHECK_FALSE(c.in_txn());

  c.begin(BinlogOffset{400});
  c.set_mariadb_gtid(MariadbGtid{0, 1, 11}, /*standalone=*/false);
  CHECK(c.gtid() == "0-1-11");
  CHECK(c.gtids_after_txn() == "0-1-11");
  c.event_handled();
  // Inside: the transaction's start, the executed set before it, what was delivered.
  MysqlPosition inside = start_at(400, 1, 5);
  CHECK(c.position(5) == inside);

  c.end(BinlogOffset{900});
  MysqlPosition after = start_at(900);
  after.gtid_set = "0-1-11";
  CHECK(c.position(0) == after);
  CHECK(c.gtid().empty());
}

TEST_CASE("BinlogCursor: a resume inside a transaction skips the delivered row events and rows") {
  BinlogCursor c(start_at(400, 2, 3), gtids("0-1-10"));
  c.begin(BinlogOffset{400});
  CHECK(c.skip_delivered_event());
  CHECK(c.skip_delivered_event());
  CHECK(c.rows_to_skip() == 3);  // of the third row event, the first part-way through
  CHECK_FALSE(c.skip_delivered_event());
  c.event_handled();
  CHECK(c.rows_to_skip() == 0);
  c.end(BinlogOffset{900});
  // Only the first transaction was part-way through.
  c.begin(BinlogOffset{900});
  CHECK_FALSE(c.skip_delivered_event());
  CHECK(c.rows_to_skip() == 0);
}

TEST_CASE("BinlogCursor: MySQL GTIDs, commit time, BEGIN and the per-table order") {
  BinlogCursor c(start_at(4), GtidSet{});
  c.seed_mysql_gtids("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-22");
  c.seed_mysql_gtids("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");  // ignored: one is known
  MysqlGtidEvent g;
  g.sid = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1,
           0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};
  g.gno = 23;
  g.immediate_commit_us = 1704164645123456;
  c.begin(BinlogOffset{120});
  c.set_mysql_gtid(g);
  CHECK(c.ends_after_statement());  // a DDL has no BEGIN
  c.set_begin(7);
  CHECK_FALSE(c.ends_after_statement());
  CHECK(c.thread() == 7u);
  CHECK(c.commit_ms() == 1704164645123);
  const TableSchema t1, t2;
  CHECK(c.next_total_order() == 1);
  CHECK(++c.rows_of(&t1) == 1);
  CHECK(c.next_total_order() == 2);
  CHECK(++c.rows_of(&t2) == 1);
  CHECK(++c.rows_of(&t1) == 2);
  const uint64_t gen = c.txn_gen();
  c.end(BinlogOffset{800});
  CHECK(c.txn_gen() != gen);
  CHECK(c.position(0).gtid_set == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-23");
  c.begin(BinlogOffset{800});
  CHECK(c.next_total_order() == 1);
  CHECK(c.rows_of(&t1) == 0);
}

TEST_CASE("BinlogCursor: ROTATE moves the position; the artificial one only names the file") {
  BinlogCursor c(start_at(400), GtidSet{});
  const uint64_t gen = c.file_gen();
  c.rotate("mysql-bin.000008", std::nullopt);
  CHECK(c.file() == "mysql-bin.000008");
  CHECK(c.file_gen() != gen);
  CHECK(c.position(0).binlog == BinlogPosition{"mysql-bin.000007", 400});
  c.rotate("mysql-bin.000008", kFirstEventOffset);
  CHECK(c.position(0).binlog == BinlogPosition{"mysql-bin.000008", 4});
  // Inside a transaction the position stays at its start.
  c.begin(BinlogOffset{200});
  c.rotate("mysql-bin.000009", kFirstEventOffset);
  CHECK(c.position(0).binlog == BinlogPosition{"mysql-bin.000008", 200});
}

}  // namespace
}  // namespace cdc::mysql
