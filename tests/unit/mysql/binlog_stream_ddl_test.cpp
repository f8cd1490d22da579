// BinlogStream with a schema history, on QUERY events built here (v4, no checksum): DDL of
// captured tables becomes schema-change and truncate events at the statement's place, in order,
// each ending its implicit transaction; DDL of other tables is ignored; an unparseable DDL of a
// captured table stops with the statement, file and position, or resyncs from the catalog.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/mysql/binlog_stream.h"

namespace cdc::mysql {
namespace {

using Bytes = std::vector<std::byte>;
const std::string kFile = "mysql-bin.000007";

void put_int(Bytes& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
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
  Bytes ev;
  put_int(ev, 1700000000, 4);
  ev.push_back(std::byte{2});  // QUERY_EVENT
  put_int(ev, 9, 4);           // server id
  put_int(ev, 19 + body.size(), 4);
  put_int(ev, offset + 19 + body.size(), 4);  // log_pos: the next event
  put_int(ev, 0, 2);
  ev.insert(ev.end(), body.begin(), body.end());
  return ev;
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
    return BinlogStream(config, tables, DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql), start, GtidSet{});
  }
  // Hands one QUERY event to the stream; returns its offset.
  Status feed(BinlogStream& s, Batch& batch, const std::string& db, const std::string& sql, uint64_t& at) {
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

TEST_CASE("BinlogStream: DDL of captured tables becomes schema-change and truncate events, in order") {
  Fixture f;
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t create_at = 0, alter_at = 0, other_at = 0, other_alter_at = 0, truncate_at = 0, drop_at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT PRIMARY KEY, doc JSON)", create_at));
  REQUIRE(f.feed(s, batch, "demo", "ALTER TABLE t ADD COLUMN x INT FIRST", alter_at));
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE other.skip (a INT)", other_at));
  REQUIRE(f.feed(s, batch, "other", "ALTER TABLE skip ADD COLUMN (b INT, c INT)", other_alter_at));  // ignored
  REQUIRE(f.feed(s, batch, "", "TRUNCATE demo.t", truncate_at));
  REQUIRE(f.feed(s, batch, "other", "DROP TABLE IF EXISTS demo.t, skip", drop_at));
  REQUIRE(batch.events.size() == 4);
  const auto& e = batch.events;
  CHECK(e[0].op == Op::schema_change);
  CHECK(columns(*e[0].schema) == "id,doc");
  CHECK(e[0].schema->version == 1);
  CHECK(e[0].source.pos == create_at);
  CHECK(e[0].source.file == kFile);
  CHECK(e[0].source.server_id == 9);
  CHECK(e[0].source.query == "CREATE TABLE t (id INT PRIMARY KEY, doc JSON)");
  CHECK(e[0].source.commit_ts_ms == int64_t{1700000000} * 1000);
  CHECK_FALSE(e[0].before.present);
  CHECK_FALSE(e[0].after.present);
  CHECK(e[1].op == Op::schema_change);
  CHECK(columns(*e[1].schema) == "x,id,doc");
  CHECK(e[1].schema->version == 2);
  CHECK(e[1].source.pos == alter_at);
  CHECK(e[2].op == Op::truncate);
  CHECK(e[2].schema == e[1].schema);
  CHECK(e[2].source.pos == truncate_at);
  CHECK(e[3].op == Op::schema_change);  // the drop: the table's last version
  CHECK(e[3].schema == e[1].schema);
  CHECK(e[3].source.pos == drop_at);
  CHECK(f.history.current({"demo", "t"}) == nullptr);
  // Each DDL ended its transaction: the position is after the last one.
  CHECK(s.position().binlog == BinlogPosition{kFile, f.offset});
  // The version of the ALTER is in force from the end of its statement on.
  const auto versions = f.history.versions({"demo", "t"});
  REQUIRE(versions.size() == 3);
  CHECK(versions[0].first.binlog.offset == alter_at);  // the CREATE ends where the ALTER starts
  CHECK(versions[1].first.binlog.offset == other_at);   // the ALTER ends where the next starts
  CHECK(other_alter_at > other_at);
  CHECK(versions[2].first.binlog.offset == f.offset);  // the drop, after the last statement
}

TEST_CASE("BinlogStream: an unparseable DDL of a captured table stops with statement, file and position") {
  Fixture f;
  auto s = f.stream();
  Batch batch;
  s.start_batch();
  uint64_t at = 0;
  REQUIRE(f.feed(s, batch, "demo", "CREATE TABLE t (id INT PRIMARY KEY)", at));
  auto st = f.feed(s, batch, "demo", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4", at);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(st.error().message ==
        "QUERY (2) at " + kFile + ":" + std::to_string(at) +
            ": DDL 'ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4' touches a captured table and cannot parse "
            "it: ALTER TABLE demo.t: CONVERT TO CHARACTER SET is not applied to the schema history (set "
            "schema.unparseable-ddl: resync to re-read the schema from information_schema instead)");
  // A DDL that parses but does not fit the history stops the same way.
  Fixture g;
  auto s2 = g.stream();
  Batch b2;
  s2.start_batch();
  REQUIRE(g.feed(s2, b2, "demo", "CREATE TABLE t (id INT PRIMARY KEY)", at));
  st = g.feed(s2, b2, "demo", "ALTER TABLE t DROP COLUMN nope", at);
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("touches a captured table and cannot apply the DDL to demo.t: DROP COLUMN "
                                "'nope': no such column") != std::string::npos);
}

TEST_CASE("BinlogStream: resync re-reads the touched tables from the catalog and warns") {
  Fixture f;
  f.config.unparseable_ddl = UnparseableDdl::resync;
  std::vector<std::vector<TableId>> asked;
  f.config.read_catalog = [&](const std::vector<TableId>& tables) -> Result<std::vector<TableSchema>> {
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
  REQUIRE(f.feed(s, batch, "demo", "ALTER TABLE t ADD COLUMN (a INT, b INT)", at));
  REQUIRE(asked.size() == 1);
  CHECK(asked[0] == std::vector<TableId>{{"demo", "t"}});
  REQUIRE(batch.events.size() == 2);
  CHECK(columns(*batch.events[1].schema) == "id,a,b");
  CHECK(batch.events[1].source.query == "ALTER TABLE t ADD COLUMN (a INT, b INT)");
  CHECK(columns(*f.history.current({"demo", "t"})) == "id,a,b");
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0].find("re-reading the schema of the touched tables from information_schema") !=
        std::string::npos);
}

}  // namespace
}  // namespace cdc::mysql
