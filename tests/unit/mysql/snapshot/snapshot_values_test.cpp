#include "cdc/mysql/snapshot/snapshot_values.h"

#include <doctest/doctest.h>

#include "cdc/mysql/snapshot/mysql_chunk_reader.h"

using namespace cdc;
using namespace cdc::mysql;

namespace {

Column col(std::string name, std::string type, ValueKind kind) {
  Column c;
  c.name = std::move(name);
  c.source_type = std::move(type);
  c.kind = kind;
  return c;
}

Value from(const Column& c, std::optional<std::string_view> text, Arena& arena) {
  auto v = value_from_text(c, text, false, InvalidText::fail, arena);
  REQUIRE_MESSAGE(v, (v ? "" : v.error().to_string()));
  return *v;
}

}  // namespace

TEST_CASE("select_expression asks for the exact form where the default text is not") {
  CHECK(select_expression(col("f", "float", ValueKind::float32)) == "CAST(`f` AS DOUBLE)");
  CHECK(select_expression(col("e", "enum('a','b')", ValueKind::enum_label)) ==
        "CONCAT(`e`+0, ',', CAST(`e` AS BINARY))");
  CHECK(select_expression(col("s", "set('a')", ValueKind::set_labels)) ==
        "CONCAT(`s`+0, ',', CAST(`s` AS BINARY))");
  CHECK(select_expression(col("v", "varchar(10)", ValueKind::string)) == "CAST(`v` AS BINARY)");
  CHECK(select_expression(col("u", "uuid", ValueKind::string)) == "CAST(`u` AS BINARY(16))");
  CHECK(select_expression(col("i4", "inet4", ValueKind::string)) == "CAST(`i4` AS BINARY(4))");
  CHECK(select_expression(col("p", "point", ValueKind::bytes)) == "`p`");
  CHECK(select_expression(col("x`y", "int(11)", ValueKind::int64)) == "`x``y`");
}

TEST_CASE("value_from_text gives the binlog decoder's Value for each kind") {
  Arena arena;
  CHECK(from(col("i", "int", ValueKind::int64), "-2147483648", arena) == Value::int64(-2147483648));
  CHECK(from(col("u", "bigint unsigned", ValueKind::uint64), "18446744073709551615", arena) ==
        Value::uint64(~0ULL));
  CHECK(from(col("f", "float", ValueKind::float32), "3.4028234663852886e38", arena) ==
        Value::float32(3.402823466e38f));
  CHECK(from(col("d", "double", ValueKind::float64), "4.9e-324", arena) ==
        Value::float64(4.9e-324));
  Column dec = col("d", "decimal(10,2)", ValueKind::decimal);
  dec.scale = 2;
  CHECK(from(dec, "-0.01", arena) == Value::decimal("-0.01", 2));
  CHECK(from(col("y", "year(4)", ValueKind::year), "0000", arena) == Value::year_value(0));
  CHECK(from(col("dt", "date", ValueKind::date), "0000-00-00", arena) == Value::date(0, 0, 0));
  Column t = col("t", "time(6)", ValueKind::time);
  t.fsp = 6;
  CHECK(from(t, "-838:59:59.999999", arena) ==
        Value::time_micros(-((838LL * 3600 + 59 * 60 + 59) * 1000000 + 999999), 6));
  Column dtm = col("dtm", "datetime(3)", ValueKind::datetime);
  dtm.fsp = 3;
  CHECK(from(dtm, "9999-12-31 23:59:59.999", arena) ==
        Value::datetime(9999, 12, 31, 23, 59, 59, 999000, 3));
  Column ts = col("ts", "timestamp(1)", ValueKind::timestamp);
  ts.fsp = 1;
  CHECK(from(ts, "1970-01-01 00:00:01.5", arena) == Value::timestamp_micros(1500000, 1));
  CHECK(from(ts, "2038-01-19 03:14:07.9", arena) ==
        Value::timestamp_micros(2147483647LL * 1000000 + 900000, 1));
  CHECK(from(ts, "0000-00-00 00:00:00.0", arena) == Value::datetime(0, 0, 0, 0, 0, 0, 0, 1));
  Column bit = col("b", "bit(13)", ValueKind::bit);
  bit.length = 13;
  CHECK(from(bit, std::string_view("\x10\x01", 2), arena) == Value::bit(0x1001, 13));
  Column e = col("e", "enum('red','\xF0\x9F\x98\x80')", ValueKind::enum_label);
  e.charset = "utf8mb4";
  CHECK(from(e, "2,\xF0\x9F\x98\x80", arena) == Value::enum_label("\xF0\x9F\x98\x80", 2));
  CHECK(from(e, "0,", arena) == Value::enum_label("", 0));
  Column s = col("s", "set('a','b','\xE9')", ValueKind::set_labels);
  s.charset = "latin1";
  CHECK(from(s, "5,a,\xE9", arena) == Value::set_labels("a,\xC3\xA9", 5));
  CHECK(from(s, "-9223372036854775808,x", arena) == Value::set_labels("x", 1ULL << 63));
  Column l1 = col("l", "varchar(5)", ValueKind::string);
  l1.charset = "latin1";
  CHECK(from(l1, "caf\xE9", arena) == Value::string("caf\xC3\xA9"));
  Column u8 = col("u", "varchar(5)", ValueKind::string);
  u8.charset = "utf8mb4";
  CHECK(from(u8, "h\xC3\xA9", arena) == Value::string("h\xC3\xA9"));
  Column other = col("o", "varchar(5)", ValueKind::string);
  other.charset = "ucs2";
  CHECK(from(other, std::string_view("\0a", 2), arena) == Value::string("a"));
  Column unknown = col("o", "varchar(5)", ValueKind::string);
  unknown.charset = "no-such-charset";
  CHECK(from(unknown, "ab", arena) == Value::bytes("ab"));
  CHECK(from(col("g", "point", ValueKind::bytes),
             std::string_view("\xE6\x10\x00\x00\x01\x01\x00\x00\x00", 9),
             arena) == Value::geometry(std::string_view("\x01\x01\x00\x00\x00", 5), 4326));
  CHECK(from(col("i", "int", ValueKind::int64), std::nullopt, arena).is_null());
}

TEST_CASE("value_from_text refuses text its column cannot hold, naming the column") {
  Arena arena;
  auto r = value_from_text(col("i", "int(11)", ValueKind::int64), "12x", false, InvalidText::fail,
                           arena);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::malformed);
  CHECK(r.error().message ==
        "column i (int(11)): the server's text '12x' is not a value of its type");
  CHECK_FALSE(value_from_text(col("d", "date", ValueKind::date), "2024-1-02", false,
                              InvalidText::fail, arena));
  CHECK_FALSE(value_from_text(col("t", "time", ValueKind::time), "12:3:00", false,
                              InvalidText::fail, arena));
  CHECK_FALSE(value_from_text(col("e", "enum('a')", ValueKind::enum_label), "2", false,
                              InvalidText::fail, arena));
  CHECK_FALSE(value_from_text(col("e", "enum('a')", ValueKind::enum_label), "x,a", false,
                              InvalidText::fail, arena));
}

TEST_CASE("chunk_query: keyset over a composite key, ordered and limited") {
  TableSchema t;
  t.id = {"d b", "t`1"};
  t.columns = {col("a", "int(11)", ValueKind::int64), col("b", "varchar(20)", ValueKind::string),
               col("v", "float", ValueKind::float32)};
  t.columns[1].charset = "utf8mb3";
  t.primary_key = {0, 1};
  auto first = MysqlChunkReader::chunk_query(t, {}, 100);
  REQUIRE(first);
  CHECK(*first ==
        "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1` ORDER BY `a`, "
        "`b` LIMIT 100");
  const std::vector<Value> after{Value::int64(7), Value::string("x'y")};
  auto next = MysqlChunkReader::chunk_query(t, after, 100);
  REQUIRE(next);
  CHECK(*next ==
        "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1` WHERE (`a` > 7) "
        "OR (`a` = 7 AND `b` > _utf8mb3 X'782779') ORDER BY `a`, `b` LIMIT 100");
  t.columns[1].charset = "latin1";
  auto latin1 = MysqlChunkReader::chunk_query(t, after, 100);
  REQUIRE_FALSE(latin1);
  CHECK(latin1.error().code == Errc::unsupported);
  CHECK(latin1.error().message ==
        "key column b (varchar(20), latin1): a snapshot chunks text keys of utf8mb4, utf8mb3 and "
        "ascii only");
  // A parallel split's chunk: after its last key and at most its last one.
  t.columns[1].charset = "utf8mb4";
  const std::vector<Value> through{Value::int64(9), Value::string("z")};
  auto bounded = MysqlChunkReader::chunk_query(t, after, 100, through);
  REQUIRE(bounded);
  CHECK(*bounded ==
        "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1` WHERE ((`a` > 7) "
        "OR (`a` = 7 AND `b` > _utf8mb4 X'782779')) AND ((`a` < 9) OR (`a` = 9 AND `b` <= "
        "_utf8mb4 X'7A')) ORDER BY `a`, `b` LIMIT 100");
  auto first_split = MysqlChunkReader::chunk_query(t, {}, 100, through);
  REQUIRE(first_split);
  CHECK(*first_split ==
        "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1` WHERE (`a` < 9) "
        "OR (`a` = 9 AND `b` <= _utf8mb4 X'7A') ORDER BY `a`, `b` LIMIT 100");
  // A non-unique chunk key: every row of the chunk's last value.
  t.primary_key = {0};
  const std::vector<Value> seven{Value::int64(7)};
  auto whole = MysqlChunkReader::whole_values_query(t, seven, 100);
  REQUIRE(whole);
  CHECK(*whole ==
        "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1` WHERE (`a` > 7) "
        "AND `a` <= (SELECT MAX(`a`) FROM (SELECT `a` FROM `d b`.`t``1` WHERE (`a` > 7) ORDER BY "
        "`a` LIMIT 100) AS chunk_keys) ORDER BY `a`");
  auto whole_first = MysqlChunkReader::whole_values_query(t, {}, 100);
  REQUIRE(whole_first);
  CHECK(*whole_first ==
        "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1` WHERE `a` <= "
        "(SELECT MAX(`a`) FROM (SELECT `a` FROM `d b`.`t``1` ORDER BY `a` LIMIT 100) AS "
        "chunk_keys) ORDER BY `a`");
  t.primary_key.clear();
  auto keyless = MysqlChunkReader::chunk_query(t, {}, 0);
  REQUIRE(keyless);
  CHECK(*keyless == "SELECT `a`, CAST(`b` AS BINARY), CAST(`v` AS DOUBLE) FROM `d b`.`t``1`");
}

// MySQL's consistent read (FLUSH TABLES WITH READ LOCK, the position, UNLOCK TABLES) is reviewed,
// not tested against a server (there is none here); its two pure parts are.
TEST_CASE("MySQL snapshot: the binlog status statement by server version, and its position") {
  CHECK(MysqlChunkReader::binlog_status_query("5.7.44-log") == "SHOW MASTER STATUS");
  CHECK(MysqlChunkReader::binlog_status_query("8.0.36") == "SHOW MASTER STATUS");
  CHECK(MysqlChunkReader::binlog_status_query("8.1.0") == "SHOW MASTER STATUS");
  CHECK(MysqlChunkReader::binlog_status_query("8.2.0") == "SHOW BINARY LOG STATUS");
  CHECK(MysqlChunkReader::binlog_status_query("8.4.3") == "SHOW BINARY LOG STATUS");
  CHECK(MysqlChunkReader::binlog_status_query("9.1.0") == "SHOW BINARY LOG STATUS");

  const std::vector<SqlRow> rows{
      {"binlog.000042", "157", "", "", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"}};
  auto at = MysqlChunkReader::binlog_status_position(rows);
  REQUIRE(at);
  CHECK(at->binlog.file == "binlog.000042");
  CHECK(at->binlog.offset == 157);
  // log_bin off (no row), a bad position: refused with what to check.
  auto none = MysqlChunkReader::binlog_status_position({});
  REQUIRE_FALSE(none);
  CHECK(none.error().to_string().find("is log_bin on") != std::string::npos);
  auto bad = MysqlChunkReader::binlog_status_position({{"binlog.000042", "15x"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::malformed);
}
