// MysqlSource against the real MariaDB 10.11 from tools/services.sh: a table of many column
// types through INSERT/UPDATE/DELETE, read from latest-offset and checked value by value;
// resume from a position inside a multi-row transaction; refusal of a non-ROW binlog.
#include <doctest/doctest.h>
#include <mysql.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cdc/mysql/mysql_source.h"
#include "tests/support/collect_events.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"
#include "tests/support/services_env.h"

namespace cdc::mysql {
namespace {

using cdc::testing::collect;
using cdc::testing::Collected;
using cdc::testing::service_port;
using cdc::testing::service_value;

MysqlSourceOptions base_options() {
  return cdc::testing::services_mysql_source_options(54001, "it");
}

// A plain client session for the test's own SQL.
class Sql {
 public:
  Sql() {
    m_ = mysql_init(nullptr);
    const auto o = base_options();
    if (!mysql_real_connect(m_, o.host.c_str(), o.user.c_str(), o.password.c_str(), nullptr, o.port,
                            nullptr, 0)) {
      throw std::runtime_error(std::string("connect: ") + mysql_error(m_));
    }
    run("SET NAMES utf8mb4");
    run("SET time_zone = '+00:00'");
  }
  ~Sql() { mysql_close(m_); }
  void run(const std::string& q) {
    INFO(q);
    REQUIRE_MESSAGE(mysql_query(m_, q.c_str()) == 0, mysql_error(m_));
    if (MYSQL_RES* r = mysql_store_result(m_)) mysql_free_result(r);
  }

 private:
  MYSQL* m_;
};

std::string text(const Value& v) { return std::string(v.text); }

TEST_CASE("MysqlSource streams inserts, updates and deletes of every column type exactly") {
  Sql sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.types");
  sql.run(
      "CREATE TABLE sluice_it.types ("
      " id INT NOT NULL PRIMARY KEY,"
      " ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,"
      " mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT,"
      " biu BIGINT UNSIGNED, y YEAR, dec65 DECIMAL(65,30), dec2 DECIMAL(10,2), f FLOAT,"
      " d DOUBLE, b1 BIT(1), b64 BIT(64), dt DATE, t0 TIME, t6 TIME(6), dtm DATETIME(3),"
      " ts TIMESTAMP(6) NULL DEFAULT NULL, vc VARCHAR(64) CHARACTER SET utf8mb4,"
      " ch CHAR(10) CHARACTER SET latin1, txt TEXT CHARACTER SET utf8mb4, vb VARBINARY(16),"
      " bn BINARY(4), bl BLOB, e ENUM('red','green','blue'), s SET('a','b','c','d'), j JSON,"
      " g GEOMETRY, du DECIMAL(5,0) UNSIGNED) ENGINE=InnoDB");

  auto opts = base_options();
  opts.table_include = {"sluice_it\\.types"};
  opts.include_query = true;
  MysqlSource src(opts);
  REQUIRE_MESSAGE(src.open(Position{}), "open");
  auto start = std::get<MysqlPosition>(src.current_position());
  CHECK_FALSE(start.binlog.file.empty());

  sql.run(
      "INSERT INTO sluice_it.types VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215,"
      " -2147483648, 4294967295, -9223372036854775808, 18446744073709551615, 2155,"
      " '-12345678901234567890123456789012345.123456789012345678901234567890', '-0.01', 1.5,"
      " 2.25, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',"
      " '2024-02-29', '-838:59:59', '123:45:06.000001', '9999-12-31 23:59:59.999',"
      " '2024-01-02 03:04:05.123456', 'h\xC3\xA9llo \xF0\x9F\x98\x80', 'caf\xC3\xA9',"
      " 'text', x'00FF10', x'6162', x'DEADBEEF', 'green', 'a,d', '{\"k\": [1, 2]}',"
      " ST_GeomFromText('POINT(1 2)'), 99999)");
  sql.run(
      "INSERT INTO sluice_it.types (id, dt, y, dtm) VALUES (2, '2020-00-00', 0, '0000-00-00 "
      "00:00:00')");
  sql.run("UPDATE sluice_it.types SET vc = 'changed', e = 'blue' WHERE id = 1");
  sql.run("DELETE FROM sluice_it.types WHERE id = 2");

  Collected c;
  collect(src, c, 4, "types");
  const auto& ins = *c.events[0];
  CHECK(ins.op == Op::insert);
  CHECK_FALSE(ins.before.present);
  REQUIRE(ins.after.present);
  const auto& schema = *ins.schema;
  auto col = [&](const char* name) -> const Value& {
    auto idx = schema.column_index(name);
    REQUIRE_MESSAGE(idx, name);
    return ins.after[*idx];
  };
  CHECK(schema.id.to_string() == "sluice_it.types");
  CHECK(schema.primary_key == std::vector<uint32_t>{0});
  CHECK(schema.columns[*schema.column_index("iu")].source_type == "int(10) unsigned");
  CHECK(schema.columns[*schema.column_index("vc")].source_type == "varchar(64)");
  CHECK(schema.columns[*schema.column_index("dec2")].source_type == "decimal(10,2)");
  CHECK(schema.columns[*schema.column_index("e")].source_type == "enum('red','green','blue')");
  CHECK(schema.columns[*schema.column_index("ch")].charset == "latin1");
  CHECK(schema.columns[*schema.column_index("j")].kind == ValueKind::json);
  CHECK(col("id") == Value::int64(1));
  CHECK(col("ti") == Value::int64(-128));
  CHECK(col("tiu") == Value::uint64(255));
  CHECK(col("si") == Value::int64(-32768));
  CHECK(col("siu") == Value::uint64(65535));
  CHECK(col("mi") == Value::int64(-8388608));
  CHECK(col("miu") == Value::uint64(16777215));
  CHECK(col("i") == Value::int64(-2147483648LL));
  CHECK(col("iu") == Value::uint64(4294967295ULL));
  CHECK(col("bi") == Value::int64(INT64_MIN));
  CHECK(col("biu") == Value::uint64(UINT64_MAX));
  CHECK(col("y") == Value::year_value(2155));
  CHECK(text(col("dec65")) ==
        "-12345678901234567890123456789012345.123456789012345678901234567890");
  CHECK(text(col("dec2")) == "-0.01");
  CHECK(col("du").kind == ValueKind::decimal);
  CHECK(text(col("du")) == "99999");
  CHECK(col("f") == Value::float32(1.5f));
  CHECK(col("d") == Value::float64(2.25));
  CHECK(col("b1") == Value::bit(1, 1));
  CHECK(col("b64") == Value::bit(UINT64_MAX, 64));
  CHECK(col("dt") == Value::date(2024, 2, 29));
  CHECK(col("t0") == Value::time_micros(-(838LL * 3600 + 59 * 60 + 59) * 1000000, 0));
  CHECK(col("t6") == Value::time_micros((123LL * 3600 + 45 * 60 + 6) * 1000000 + 1, 6));
  CHECK(col("dtm") == Value::datetime(9999, 12, 31, 23, 59, 59, 999000, 3));
  CHECK(col("ts") == Value::timestamp_micros(1704164645123456LL, 6));
  CHECK(col("vc") == Value::string("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  CHECK(col("ch") == Value::string("caf\xC3\xA9"));
  CHECK(col("txt") == Value::string("text"));
  CHECK(col("vb") == Value::bytes(std::string("\x00\xFF\x10", 3)));
  CHECK(col("bn") == Value::bytes(std::string("ab\0\0", 4)));
  CHECK(col("bl") == Value::bytes("\xDE\xAD\xBE\xEF"));
  CHECK(col("e") == Value::enum_label("green", 2));
  CHECK(col("s") == Value::set_labels("a,d", 0b1001));
  CHECK(col("j") == Value::json("{\"k\": [1, 2]}"));
  const std::string wkb(
      "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xF0\x3F"
      "\x00\x00\x00\x00\x00\x00\x00\x40",
      21);
  CHECK(col("g") == Value::geometry(wkb, 0));
  CHECK(ins.source.connector == "mysql");
  CHECK(ins.source.name == "it");
  CHECK(std::get<BinlogEventPosition>(ins.source.at).file == start.binlog.file);
  CHECK(value(std::get<BinlogEventPosition>(ins.source.at).offset) > start.binlog.offset);
  CHECK(ins.source.row == 0);
  CHECK(ins.source.server_id == 1u);
  CHECK(ins.source.gtid.find("0-") == 0);
  CHECK(ins.source.query.find("INSERT INTO sluice_it.types VALUES (1,") == 0);
  CHECK(ins.source.commit_ts_ms > 0);

  const auto& ins2 = *c.events[1];
  CHECK(ins2.op == Op::insert);
  const auto& s2 = *ins2.schema;
  CHECK(ins2.after[*s2.column_index("dt")] == Value::date(2020, 0, 0));
  CHECK(ins2.after[*s2.column_index("y")] == Value::year_value(0));
  CHECK(ins2.after[*s2.column_index("dtm")] == Value::datetime(0, 0, 0, 0, 0, 0, 0, 3));
  CHECK(ins2.after[*s2.column_index("vc")].is_null());
  CHECK(ins2.after[*s2.column_index("g")].is_null());

  const auto& upd = *c.events[2];
  CHECK(upd.op == Op::update);
  REQUIRE(upd.before.present);
  REQUIRE(upd.after.present);
  CHECK(upd.before[*s2.column_index("vc")] == Value::string("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  CHECK(upd.after[*s2.column_index("vc")] == Value::string("changed"));
  CHECK(upd.after[*s2.column_index("e")] == Value::enum_label("blue", 3));
  CHECK(upd.after[*s2.column_index("biu")] == Value::uint64(UINT64_MAX));

  const auto& del = *c.events[3];
  CHECK(del.op == Op::erase);
  CHECK_FALSE(del.after.present);
  CHECK(del.before[0] == Value::int64(2));

  // After the commit of the delete, the batch end is past it with no skips.
  const auto& last_end = std::get<MysqlPosition>(c.batches.back()->end);
  CHECK(last_end.events_to_skip == 0);
  CHECK(last_end.rows_to_skip == 0);
  CHECK_FALSE(last_end.gtid_set.empty());
  src.close();
}

TEST_CASE(
    "include.query: rows carry no statement by default (no ANNOTATE_ROWS asked for), "
    "the statement when on; DDL keeps its statement either way") {
  Sql sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  const std::string insert = "INSERT INTO sluice_it.annotated VALUES (1), (2)";
  for (const bool include_query : {MysqlSourceOptions{}.include_query, true}) {
    INFO("include_query=" << include_query);
    sql.run("DROP TABLE IF EXISTS sluice_it.annotated");
    auto opts = base_options();
    opts.table_include = {"sluice_it\\.annotated"};
    opts.include_query = include_query;
    MysqlSource src(opts);
    REQUIRE(src.open(Position{}));
    sql.run("CREATE TABLE sluice_it.annotated (id INT PRIMARY KEY)");
    sql.run(insert);
    Collected c;
    collect(src, c, 3, "annotated");
    CHECK(c.events[0]->op == Op::schema_change);
    CHECK(c.events[0]->source.query == "CREATE TABLE sluice_it.annotated (id INT PRIMARY KEY)");
    for (size_t row = 1; row < 3; ++row) {
      CHECK(c.events[row]->op == Op::insert);
      CHECK(c.events[row]->source.query == (include_query ? insert : std::string()));
    }
    src.close();
  }
}

std::vector<int64_t> ids(const Collected& c) {
  std::vector<int64_t> out;
  for (const auto* e : c.events) out.push_back(e->after[0].i);
  return out;
}

TEST_CASE("resume inside a multi-row transaction yields exactly the remaining rows") {
  Sql sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.multi");
  sql.run("CREATE TABLE sluice_it.multi (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB");
  sql.run("DROP TABLE IF EXISTS sluice_it.other");
  sql.run("CREATE TABLE sluice_it.other (id INT PRIMARY KEY) ENGINE=InnoDB");

  auto opts = base_options();
  opts.table_include = {"sluice_it\\.multi"};
  opts.max_batch_events = 3;
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));
  const Position start = src.current_position();

  sql.run("BEGIN");
  sql.run("INSERT INTO sluice_it.multi VALUES (1, 'a')");
  sql.run("INSERT INTO sluice_it.other VALUES (1)");  // excluded table inside the transaction
  sql.run("INSERT INTO sluice_it.multi VALUES (2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f')");
  sql.run("INSERT INTO sluice_it.multi VALUES (7, 'g')");
  sql.run("COMMIT");
  sql.run("INSERT INTO sluice_it.multi VALUES (8, 'h')");

  // Reference: everything, in order.
  Collected all;
  collect(src, all, 8, "multi");
  CHECK(ids(all) == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8});
  // Debezium's transaction block: rows 1-7 are one transaction, row 8 another.
  std::vector<uint64_t> total, per_table;
  std::vector<std::string> txn_ids;
  for (const auto& batch : all.batches) {
    for (const auto& e : batch->events) {
      total.push_back(e.transaction.total_order);
      per_table.push_back(e.transaction.data_collection_order);
      txn_ids.emplace_back(e.transaction.id);
    }
  }
  CHECK(total == std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 1});
  CHECK(per_table == std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 1});
  REQUIRE(txn_ids.size() == 8);
  CHECK(txn_ids[0] == txn_ids[6]);
  CHECK(txn_ids[6] != txn_ids[7]);
  // The first batch is cut after 3 events: row 1 and rows 2-3 of the 5-row event.
  const auto& first_end = std::get<MysqlPosition>(all.batches.front()->end);
  REQUIRE(all.batches.front()->events.size() == 3);
  CHECK(first_end.events_to_skip == 2);  // multi row 1, other row 1
  CHECK(first_end.rows_to_skip == 2);
  CHECK(first_end.binlog.offset > std::get<MysqlPosition>(start).binlog.offset - 1);
  src.close();

  // Resume from the middle of the 5-row event.
  MysqlSource again(opts);
  REQUIRE(again.open(Position{first_end}));
  Collected rest;
  collect(again, rest, 5, "multi");
  CHECK(ids(rest) == std::vector<int64_t>{4, 5, 6, 7, 8});
  // Nothing more: no repeats.
  auto more = again.poll(std::chrono::milliseconds(300));
  REQUIRE(more);
  if (*more) CHECK((*more)->events.empty());

  // Resume from every batch end of the reference run: the concatenation is always exact.
  for (size_t b = 0; b + 1 < all.batches.size(); ++b) {
    CAPTURE(b);
    size_t delivered = 0;
    for (size_t k = 0; k <= b; ++k) delivered += all.batches[k]->events.size();
    MysqlSource r(opts);
    REQUIRE(r.open(all.batches[b]->end));
    Collected tail;
    collect(r, tail, 8 - delivered, "multi");
    std::vector<int64_t> expect;
    for (size_t k = delivered; k < 8; ++k) expect.push_back(static_cast<int64_t>(k + 1));
    CHECK(ids(tail) == expect);
  }
}

TEST_CASE("specific-offset by MariaDB GTID set: exactly the later transactions, then by file") {
  cdc::testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.bygtid");
  sql.run("CREATE TABLE sluice_it.bygtid (id INT PRIMARY KEY)");
  sql.run("INSERT INTO sluice_it.bygtid VALUES (1)");
  const std::string after_first = *sql.query("SELECT @@gtid_binlog_pos")[0][0];
  sql.run("INSERT INTO sluice_it.bygtid VALUES (2)");
  sql.run("INSERT INTO sluice_it.bygtid VALUES (3),(4)");

  auto opts = base_options();
  opts.table_include = {"sluice_it\\.bygtid"};
  opts.startup_mode = StartupMode::specific_offset;
  opts.specific_gtid_set = after_first;
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));
  // Before any transaction arrived the position is the GTID set alone: a checkpoint taken
  // now resumes by GTID again.
  const auto at_open = std::get<MysqlPosition>(src.current_position());
  CHECK(at_open.binlog.file.empty());
  CHECK(at_open.gtid_set == after_first);
  Collected got;
  collect(src, got, 3, "bygtid");
  CHECK(ids(got) == std::vector<int64_t>{2, 3, 4});
  // After the first transaction the position has a file and offset again.
  const auto end = std::get<MysqlPosition>(got.batches.back()->end);
  CHECK_FALSE(end.binlog.file.empty());
  CHECK(end.binlog.offset > 4);
  src.close();

  sql.run("INSERT INTO sluice_it.bygtid VALUES (5)");
  for (const Position& from : {Position{at_open}, Position{end}}) {
    CAPTURE(to_string(from));
    MysqlSource again(opts);
    REQUIRE(again.open(from));
    Collected rest;
    const size_t n = std::get<MysqlPosition>(from).binlog.file.empty() ? 4 : 1;
    collect(again, rest, n, "bygtid");
    CHECK(ids(rest) == (n == 4 ? std::vector<int64_t>{2, 3, 4, 5} : std::vector<int64_t>{5}));
    auto more = again.poll(std::chrono::milliseconds(300));
    REQUIRE(more);
    if (*more) CHECK((*more)->events.empty());
  }
}

TEST_CASE("a GTID set the server never wrote, or of the other flavor, is refused clearly") {
  auto opts = base_options();
  opts.startup_mode = StartupMode::specific_offset;
  opts.specific_gtid_set = "0-1-999999999";  // ahead of the server (gtid_strict_mode)
  MysqlSource ahead(opts);
  auto st = ahead.open(Position{});
  if (st) {  // the server may accept the request and fail the stream on the first read
    auto b = ahead.poll(std::chrono::milliseconds(2000));
    REQUIRE_FALSE(b);
    st = Status(std::move(b).error());
  }
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  // Checked before the dump starts (README "Failover to another server"), naming the GTIDs.
  CHECK(st.error().to_string().find("does not hold the transactions after the checkpoint's "
                                    "GTID set 0-1-999999999") != std::string::npos);
  CHECK(st.error().to_string().find("the checkpoint holds up to 0-1-999999999, the server's "
                                    "binlogs end at 0-") != std::string::npos);

  opts.specific_gtid_set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
  MysqlSource mysql_set(opts);
  auto wrong = mysql_set.open(Position{});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == Errc::invalid_config);
  CHECK(wrong.error().to_string().find("has MySQL uuid GTIDs") != std::string::npos);
}

TEST_CASE("a server without binlog_format=ROW is refused with the setting to change") {
  // SET GLOBAL affects only new sessions and is restored at once; the source checks the
  // global value, so this is the one way to show the refusal on a live server.
  Sql sql;
  sql.run("SET GLOBAL binlog_format = 'MIXED'");
  MysqlSource src(base_options());
  auto st = src.open(Position{});
  sql.run("SET GLOBAL binlog_format = 'ROW'");
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  CHECK(st.error().message.find("binlog_format=MIXED: set binlog_format=ROW") != std::string::npos);
}

TEST_CASE("MariaDB log_bin_compress: compressed query and row events stream exactly") {
  cdc::testing::MariaDbSession root(cdc::testing::MariaDbSession::As::root);
  root.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  root.run("DROP TABLE IF EXISTS sluice_it.compressed");
  auto opts = base_options();
  opts.table_include = {"sluice_it\\.compressed"};
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));
  const auto start = src.position();
  // Global, dynamic: affects every session at once. Restored even when a statement fails.
  root.run("SET GLOBAL log_bin_compress = ON");
  struct Restore {
    cdc::testing::MariaDbSession& s;
    ~Restore() { s.run("SET GLOBAL log_bin_compress = OFF"); }
  } restore{root};
  // Events of log_bin_compress_min_len (256) bytes or more are compressed: a long DDL (a
  // QUERY_COMPRESSED) and rows of 1000+ bytes.
  root.run("CREATE TABLE sluice_it.compressed (id INT PRIMARY KEY, v TEXT) COMMENT '" +
           std::string(300, 'c') + "'");
  root.run(
      "INSERT INTO sluice_it.compressed VALUES (1, REPEAT('x', 1000)), (2, REPEAT('\xC3\xA9', "
      "600))");
  root.run("UPDATE sluice_it.compressed SET v = REPEAT('y', 1200) WHERE id = 1");
  root.run("DELETE FROM sluice_it.compressed WHERE id = 2");

  // The CREATE TABLE arrives as a QUERY_COMPRESSED: decoded, it is applied to the schema history
  // and reported as the table's schema change, before its rows.
  Collected c;
  collect(src, c, 5, "compressed");
  REQUIRE(c.events[0]->op == Op::schema_change);
  CHECK(c.events[0]->source.query.starts_with("CREATE TABLE sluice_it.compressed"));
  CHECK(c.events[0]->schema->columns.size() == 2);
  c.events.erase(c.events.begin());
  std::string e_acute;
  for (int k = 0; k < 600; ++k) e_acute += "\xC3\xA9";
  CHECK(c.events[0]->op == Op::insert);
  CHECK(c.events[0]->after[0] == Value::int64(1));
  CHECK(c.events[0]->after[1] == Value::string(std::string(1000, 'x')));
  CHECK(c.events[1]->after[1] == Value::string(e_acute));
  CHECK(c.events[2]->op == Op::update);
  CHECK(c.events[2]->before[1] == Value::string(std::string(1000, 'x')));
  CHECK(c.events[2]->after[1] == Value::string(std::string(1200, 'y')));
  CHECK(c.events[3]->op == Op::erase);
  CHECK(c.events[3]->before[0] == Value::int64(2));
  CHECK(c.events[3]->before[1] == Value::string(e_acute));
  // The row event positions are the compressed events' own offsets on disk.
  std::map<std::string, int> types;
  std::set<uint64_t> offsets;
  for (const auto& row : root.query("SHOW BINLOG EVENTS IN '" + start.binlog.file + "' FROM " +
                                    std::to_string(start.binlog.offset))) {
    ++types[*row[2]];
    offsets.insert(std::stoull(*row[1]));
  }
  CHECK(types["Query_compressed"] >= 1);
  CHECK(types["Write_rows_compressed_v1"] == 1);
  CHECK(types["Update_rows_compressed_v1"] == 1);
  CHECK(types["Delete_rows_compressed_v1"] == 1);
  for (const auto* e : c.events)
    CHECK(offsets.count(value(std::get<BinlogEventPosition>(e->source.at).offset)) == 1);
  // Resume inside the compressed two-row insert: exactly the rest.
  src.close();
  auto one = opts;
  one.max_batch_events = 1;
  MysqlSource a(one);
  REQUIRE(a.open(Position{start}));
  // One event per batch: the schema change, then the first row of the two-row insert.
  Position mid;
  for (int polls = 0; polls < 50; ++polls) {
    auto b = a.poll(std::chrono::milliseconds(200));
    REQUIRE(b);
    if (!*b || (*b)->events.empty()) continue;
    REQUIRE((*b)->events.size() == 1);
    mid = (*b)->end;
    if ((*b)->events[0].op == Op::insert) break;
    REQUIRE((*b)->events[0].op == Op::schema_change);
  }
  CHECK(std::get<MysqlPosition>(mid).rows_to_skip == 1);
  a.close();
  MysqlSource again(opts);
  REQUIRE(again.open(mid));
  Collected rest;
  collect(again, rest, 3, "compressed");
  CHECK(rest.events[0]->after[0] == Value::int64(2));
  CHECK(rest.events[1]->op == Op::update);
  CHECK(rest.events[2]->op == Op::erase);
}

TEST_CASE(
    "startup mode timestamp: the first transaction at or after the time, across binlog files") {
  Sql sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.by_time");
  sql.run("CREATE TABLE sluice_it.by_time (id INT PRIMARY KEY)");
  sql.run("INSERT INTO sluice_it.by_time VALUES (1)");
  sql.run("FLUSH BINARY LOGS");  // the start file is found by when each file was opened
  sql.run("INSERT INTO sluice_it.by_time VALUES (2)");
  // Binlog times have whole seconds: the start is the next second after row 2's, and rows
  // 3 and 4 are written after it.
  using namespace std::chrono;
  const int64_t now_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const int64_t at_ms = (now_ms / 1000 + 1) * 1000;
  std::this_thread::sleep_until(system_clock::time_point(milliseconds(at_ms + 50)));
  sql.run("INSERT INTO sluice_it.by_time VALUES (3)");
  sql.run("FLUSH BINARY LOGS");
  sql.run("INSERT INTO sluice_it.by_time VALUES (4)");

  auto opts = base_options();
  opts.table_include = {"sluice_it\\.by_time"};
  opts.startup_mode = StartupMode::timestamp;
  opts.startup_timestamp_ms = at_ms;
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));
  Collected got;
  collect(src, got, 2, "by_time");
  CHECK(ids(got) == std::vector<int64_t>{3, 4});
  auto more = src.poll(std::chrono::milliseconds(300));
  REQUIRE(more);
  if (*more) CHECK((*more)->events.empty());
  src.close();

  // A time after the last transaction: the server's end; the next transaction comes first.
  opts.startup_timestamp_ms = at_ms + 3600 * 1000;
  MysqlSource later(opts);
  REQUIRE(later.open(Position{}));
  sql.run("INSERT INTO sluice_it.by_time VALUES (5)");
  Collected next;
  collect(later, next, 1, "by_time");
  CHECK(ids(next) == std::vector<int64_t>{5});
}

TEST_CASE("options are validated before connecting") {
  auto o = base_options();
  o.server_id = {};
  MysqlSource a(o);
  CHECK(a.open(Position{}).error().code == Errc::invalid_config);
  o = base_options();
  o.table_include = {"(unclosed"};
  MysqlSource b(o);
  CHECK(b.open(Position{}).error().code == Errc::invalid_config);
}

}  // namespace
}  // namespace cdc::mysql
