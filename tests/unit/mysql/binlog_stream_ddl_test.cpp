// BinlogStream with a schema history, on QUERY events built here (v4, no checksum): DDL of
// captured tables becomes schema-change and truncate events at the statement's place, in order,
// each ending its implicit transaction; DDL of other tables is ignored; an unparseable DDL of a
// captured table stops with the statement, file and position, or resyncs from the catalog.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/mysql/binlog_stream.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using testing::Bytes;
using testing::put_int;
const std::string kFile = "mysql-bin.000007";

// A v4 event at `offset` (no checksum) around `body`.
Bytes event(uint8_t type, uint64_t offset, const Bytes& body, uint16_t flags = 0) {
  return testing::v4_event(type, body,
                           {.log_pos = static_cast<uint32_t>(offset + 19 + body.size()),
                            .flags = flags,
                            .server_id = 9});
}

// A QUERY event at `offset`: 19-byte header, 13-byte post-header, no status variables.
Bytes query_event(uint64_t offset, const std::string& db, const std::string& sql) {
  Bytes body;
  put_int(body, 77, 4);  // thread id
  put_int(body, 0, 4);   // exec time
  body.push_back(static_cast<std::byte>(db.size()));
  put_int(body, 0, 2);  // error code
  put_int(body, 0, 2);  // status vars length
  for (char c : db) body.push_back(static_cast<std::byte>(c));
  body.push_back(std::byte{0});
  for (char c : sql) body.push_back(static_cast<std::byte>(c));
  return event(2, offset, body);  // QUERY_EVENT
}

// TABLE_MAP demo.t (INT, INT), table id 42; with `names` the column-name metadata (as
// binlog_row_metadata=FULL writes it), else none (MySQL 5.7 style).
Bytes table_map_body(const std::vector<std::string>& names) {
  Bytes b;
  put_int(b, 42, 6);
  put_int(b, 1, 2);
  for (const std::string s : {"demo", "t"}) {
    b.push_back(static_cast<std::byte>(s.size()));
    for (char ch : s) b.push_back(static_cast<std::byte>(ch));
    b.push_back(std::byte{0});
  }
  b.push_back(std::byte{2});  // columns
  b.push_back(std::byte{3});  // INT
  b.push_back(std::byte{3});
  b.push_back(std::byte{0});     // no type metadata
  b.push_back(std::byte{0x02});  // nullability: v
  if (!names.empty()) {
    Bytes field;
    for (const auto& n : names) {
      field.push_back(static_cast<std::byte>(n.size()));
      for (char ch : n) field.push_back(static_cast<std::byte>(ch));
    }
    b.push_back(std::byte{4});  // COLUMN_NAME
    b.push_back(static_cast<std::byte>(field.size()));
    b.insert(b.end(), field.begin(), field.end());
  }
  return b;
}

// WRITE_ROWS_V2 of table id 42: one row (id, v).
Bytes write_rows_body(uint32_t id, int32_t v) {
  Bytes b = testing::two_column_rows_header(42, 30);
  b.push_back(std::byte{0});  // no nulls
  put_int(b, id, 4);
  put_int(b, static_cast<uint32_t>(v), 4);
  return b;
}

struct Fixture {
  TableMapCache tables;
  SchemaHistory history;
  BinlogStreamConfig config;
  uint64_t offset = 4;
  std::vector<std::string> warnings;

  Fixture() {
    config.pipeline_name = "p";
    config.included = [](const TableId& t) { return t.db == "demo"; };
    config.history = &history;
    config.warn = [this](const std::string& w) { warnings.push_back(w); };
  }
  BinlogStream stream() {
    MysqlPosition start;
    start.binlog = BinlogPosition{kFile, offset};
    return BinlogStream(config, tables, DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql),
                        start, GtidSet{});
  }
  Status feed_raw(BinlogStream& s, Batch& batch, uint8_t type, const Bytes& body,
                  uint16_t flags = 0) {
    const Bytes ev = event(type, offset, body, flags);
    offset += ev.size();
    bool heartbeat = false;
    return s.handle(ev, batch, heartbeat);
  }
  // Hands one QUERY event to the stream; returns its offset.
  Status feed(BinlogStream& s, Batch& batch, const std::string& db, const std::string& sql,
              uint64_t& at) {
    const Bytes ev = query_event(offset, db, sql);
    at = offset;
    offset += ev.size();
    bool heartbeat = false;
    return s.handle(ev, batch, heartbeat);
  }
};

std::string columns(const TableSchema& s) {
  std::string out;
  for (const auto& c : s.columns) out += (out.empty() ? "" : ",") + c.name;
  return out;
}

TEST_CASE(
    "BinlogStream: DDL of captured tables becomes schema-change and truncate events, in order") {
  Fixture f;
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t create_at = 0, alter_at = 0, other_at = 0, other_alter_at = 0, truncate_at = 0,
           drop_at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT PRIMARY KEY, doc JSON)", create_at));
  REQUIRE(f.feed(s, batch, "demo", "ALTER TABLE t ADD COLUMN x INT FIRST", alter_at));
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE other.skip (a INT)", other_at));
  REQUIRE(f.feed(s, batch, "other", "ALTER TABLE skip ADD COLUMN (b INT, c INT)",
                 other_alter_at));  // ignored
  REQUIRE(f.feed(s, batch, "", "TRUNCATE demo.t", truncate_at));
  REQUIRE(f.feed(s, batch, "other", "DROP TABLE IF EXISTS demo.t, skip", drop_at));
  REQUIRE(batch.events.size() == 4);
  const auto& e = batch.events;
  CHECK(e[0].op == Op::schema_change);
  CHECK(columns(*e[0].schema) == "id,doc");
  CHECK(e[0].schema->version == 1);
  CHECK(value(std::get<BinlogEventPosition>(e[0].source.at).offset) == create_at);
  CHECK(std::get<BinlogEventPosition>(e[0].source.at).file == kFile);
  CHECK(e[0].source.server_id == 9);
  CHECK(e[0].source.query == "CREATE TABLE t (id INT PRIMARY KEY, doc JSON)");
  CHECK(e[0].source.commit_ts_ms == int64_t{1700000000} * 1000);
  CHECK_FALSE(e[0].before.present);
  CHECK_FALSE(e[0].after.present);
  CHECK(e[1].op == Op::schema_change);
  CHECK(columns(*e[1].schema) == "x,id,doc");
  CHECK(e[1].schema->version == 2);
  CHECK(value(std::get<BinlogEventPosition>(e[1].source.at).offset) == alter_at);
  CHECK(e[2].op == Op::truncate);
  CHECK(e[2].schema == e[1].schema);
  CHECK(value(std::get<BinlogEventPosition>(e[2].source.at).offset) == truncate_at);
  CHECK(e[3].op == Op::schema_change);  // the drop: the table's last version
  CHECK(e[3].schema == e[1].schema);
  CHECK(value(std::get<BinlogEventPosition>(e[3].source.at).offset) == drop_at);
  CHECK(f.history.current({"demo", "t"}) == nullptr);
  // Each DDL ended its transaction: the position is after the last one.
  CHECK(s.position().binlog == BinlogPosition{kFile, f.offset});
  // The version of the ALTER is in force from the end of its statement on.
  const auto versions = f.history.versions({"demo", "t"});
  REQUIRE(versions.size() == 3);
  CHECK(versions[0].first.binlog.offset == alter_at);  // the CREATE ends where the ALTER starts
  CHECK(versions[1].first.binlog.offset == other_at);  // the ALTER ends where the next starts
  CHECK(other_alter_at > other_at);
  CHECK(versions[2].first.binlog.offset == f.offset);  // the drop, after the last statement
}

TEST_CASE(
    "BinlogStream: an unparseable DDL of a captured table stops with statement, file and "
    "position") {
  Fixture f;
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT PRIMARY KEY)", at));
  auto st = f.feed(s, batch, "demo", "ALTER TABLE t ADD SYSTEM VERSIONING", at);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(
      st.error().message ==
      "QUERY (2) at " + kFile + ":" + std::to_string(at) +
          ": DDL 'ALTER TABLE t ADD SYSTEM VERSIONING' touches a captured table and cannot parse "
          "it: ALTER TABLE demo.t: ADD SYSTEM VERSIONING adds hidden row_start/row_end columns to "
          "the row image (set schema.unparseable-ddl: resync to re-read the schema from "
          "information_schema instead)");
  // A DDL that parses but does not fit the history stops the same way.
  Fixture g;
  auto s2 = g.stream();
  Batch b2;
  s2.start_batch();
  REQUIRE(g.feed(s2, b2, "demo", "CREATE TABLE t (id INT PRIMARY KEY)", at));
  st = g.feed(s2, b2, "demo", "ALTER TABLE t DROP COLUMN nope", at);
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find(
            "touches a captured table and cannot apply the DDL to demo.t: DROP COLUMN "
            "'nope': no such column") != std::string::npos);
}

TEST_CASE("BinlogStream: resync re-reads the touched tables from the catalog and warns") {
  Fixture f;
  f.config.unparseable_ddl = UnparseableDdl::resync;
  std::vector<std::vector<TableId>> asked;
  f.config.read_catalog =
      [&](const std::vector<TableId>& tables) -> Result<std::vector<TableSchema>> {
    asked.push_back(tables);
    TableSchema s;
    s.id = TableId{"demo", "t"};
    s.columns.resize(3);
    s.columns[0].name = "id";
    s.columns[1].name = "a";
    s.columns[2].name = "b";
    return std::vector<TableSchema>{s};
  };
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT PRIMARY KEY)", at));
  REQUIRE(f.feed(s, batch, "demo", "ALTER TABLE t ADD SYSTEM VERSIONING", at));
  REQUIRE(asked.size() == 1);
  CHECK(asked[0] == std::vector<TableId>{{"demo", "t"}});
  REQUIRE(batch.events.size() == 2);
  CHECK(columns(*batch.events[1].schema) == "id,a,b");
  CHECK(batch.events[1].source.query == "ALTER TABLE t ADD SYSTEM VERSIONING");
  CHECK(columns(*f.history.current({"demo", "t"})) == "id,a,b");
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0].find("re-reading the schema of the touched tables from information_schema") !=
        std::string::npos);
}

TEST_CASE(
    "BinlogStream: without column metadata the history names the columns; a TABLE_MAP that "
    "disagrees stops") {
  Fixture f;
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT UNSIGNED PRIMARY KEY, v INT)", at));
  REQUIRE(f.feed(s, batch, "demo", "BEGIN", at));
  auto st = f.feed_raw(s, batch, 19, table_map_body({}));
  REQUIRE_MESSAGE(st, st.error().to_string());
  st = f.feed_raw(s, batch, 30, write_rows_body(4000000000u, -5));
  REQUIRE_MESSAGE(st, st.error().to_string());
  REQUIRE(batch.events.size() == 2);
  const ChangeEvent& row = batch.events[1];
  CHECK(row.op == Op::insert);
  CHECK(columns(*row.schema) == "id,v");
  CHECK(row.schema->primary_key == std::vector<uint32_t>{0});
  CHECK(row.schema->version == batch.events[0].schema->version);  // the history's number
  CHECK(row.after[0].kind == ValueKind::uint64);                  // UNSIGNED from the history
  CHECK(row.after[0].u == 4000000000u);
  CHECK(row.after[1].i == -5);

  // binlog_row_metadata=FULL names that are not the history's: a precise error.
  st = f.feed_raw(s, batch, 19, table_map_body({"id", "w"}));
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(st.error().message.find(
            "TABLE_MAP of demo.t names the columns (id, w), the schema history's version 1 "
            "has (id, v) (a DDL the history missed?") != std::string::npos);
  CHECK(st.error().message.rfind("TABLE_MAP (19) at " + kFile + ":", 0) == 0);
}

TEST_CASE(
    "BinlogStream: an unknown event with LOG_EVENT_IGNORABLE_F is passed over with one warning; "
    "without the flag, or an INCIDENT, it stops") {
  Fixture f;
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT PRIMARY KEY, v INT)", at));
  REQUIRE(f.feed(s, batch, "demo", "BEGIN", at));
  REQUIRE(f.feed_raw(s, batch, 19, table_map_body({})));
  const Bytes padding(37, std::byte{0xAB});  // an Aurora-style padding event of type 200
  const uint64_t first_at = f.offset;
  auto st = f.feed_raw(s, batch, 200, padding, 0x80);
  REQUIRE_MESSAGE(st, st.error().to_string());
  REQUIRE(f.feed_raw(s, batch, 200, padding, 0x80));
  st = f.feed_raw(s, batch, 30, write_rows_body(1, 2));
  REQUIRE_MESSAGE(st, st.error().to_string());
  REQUIRE(batch.events.size() == 2);  // the CREATE's schema change, the row
  CHECK(batch.events[1].op == Op::insert);
  CHECK(batch.events[1].after[1].i == 2);
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0] == "passing over UNKNOWN (200) at " + kFile + ":" + std::to_string(first_at) +
                             ": sluice does not decode it and its header carries "
                             "LOG_EVENT_IGNORABLE_F, which lets a replica ignore it (logged once "
                             "per event type)");

  st = f.feed_raw(s, batch, 201, padding);  // no flag: a stop, naming the type
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(st.error().message.find("binlog event type UNKNOWN (201) is not supported") !=
        std::string::npos);
  st = f.feed_raw(s, batch, 26, padding, 0x80);  // INCIDENT: replicas must stop, flag or not
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("INCIDENT (26) is not supported (the server logged an incident") !=
        std::string::npos);
}

TEST_CASE(
    "BinlogStream: binlog_row_metadata=MINIMAL, a TABLE_MAP whose column types or count are not "
    "the history's stops with both column lists") {
  for (const auto& [ddl, history] :
       {std::pair<std::string, std::string>{"CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))",
                                            "(id int(11), v varchar(10))"},
        {"CREATE TABLE t (id INT PRIMARY KEY)", "(id int(11))"},
        {"CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)", "(id bigint(20), v int(11))"}}) {
    CAPTURE(ddl);
    Fixture f;
    auto s = f.stream();
    Batch batch;
    s.start_batch();
    uint64_t at = 0;
    REQUIRE(f.feed(s, batch, "demo", ddl, at));
    REQUIRE(f.feed(s, batch, "demo", "BEGIN", at));
    const uint64_t table_map_at = f.offset;
    auto st = f.feed_raw(s, batch, 19, table_map_body({}));  // (INT, INT), no names
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::malformed);
    CHECK(st.error().message ==
          "TABLE_MAP (19) at " + kFile + ":" + std::to_string(table_map_at) +
              ": TABLE_MAP of demo.t has the columns (int(11), int(11)), the schema history's "
              "version 1 has " +
              history +
              " (a DDL the history missed? the binlog was written with "
              "binlog_row_metadata=MINIMAL, so only the history names its columns)");
  }
}

TEST_CASE(
    "BinlogStream: a DDL that does not fit a catalog version read at start warns and keeps it") {
  Fixture f;
  // At start the catalog already shows the column this older binlog's ALTER adds.
  TableSchema now;
  now.id = TableId{"demo", "t"};
  now.columns.resize(2);
  now.columns[0].name = "id";
  now.columns[1].name = "x";
  MysqlPosition start;
  start.binlog = BinlogPosition{kFile, 4};
  REQUIRE(f.history.install(start, now, SchemaOrigin::catalog));
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t at = 0;
  auto st = f.feed(s, batch, "demo", "ALTER TABLE t ADD COLUMN x INT", at);
  REQUIRE_MESSAGE(st, st.error().to_string());
  CHECK(batch.events.empty());
  REQUIRE(f.warnings.size() == 1);
  CHECK(
      f.warnings[0] ==
      "DDL 'ALTER TABLE t ADD COLUMN x INT' at " + kFile +
          ":4 does not apply to the schema "
          "read from information_schema at start (cannot apply the DDL to demo.t: ADD COLUMN 'x': "
          "the column exists): the catalog is newer than this binlog position; its schema stays "
          "until the next TABLE_MAP corrects it");
  CHECK(f.history.versions({"demo", "t"}).size() == 1);
}

}  // namespace
}  // namespace cdc::mysql
