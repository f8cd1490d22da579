// `sluice binlog FILE...` on the captured binlogs in tests/fixtures/mysql and on a binlog the
// real MariaDB wrote: exact output lines, every option, and the refusals (exit codes and
// messages). Expected values are checked against each fixture's MANIFEST.md or its
// .decoded.txt (MariaDB's mariadb-binlog -vv): each case says which lines of which.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include "cdc/mysql/mysql_source.h"
#include "sinks/common/json_lines.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

const std::string kFixtures = source_dir() + "/tests/fixtures/mysql/";
const std::string kMariadb = kFixtures + "rust_mysql_common/mariadb-bin.000001";
const std::string kEnumSet = kFixtures + "rust_mysql_common/mysql-enum-string-set.000001";
const std::string kTime = kFixtures + "rust_mysql_common/time_issue.000001";
const std::string kBoxercrab = kFixtures + "boxercrab/30_write_rows_v2/log.bin";

CommandResult sluice(std::vector<std::string> args) {
  args.insert(args.begin(), sluice_binary());
  return run_command(args, 60s);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string copy_prefix(const std::string& from, size_t n, const std::string& to) {
  std::string bytes = read_file(from);
  bytes.resize(std::min(n, bytes.size()));
  std::ofstream(to, std::ios::binary) << bytes;
  return to;
}

// mariadb-bin.000001 (MariaDB 10.5, binlog_row_metadata=FULL), checked against its
// .decoded.txt: WRITE_ROWS at 612 and 984 (GTID 0-1-1 / 0-1-2, server id 1), @1=62 / 63,
// @2='foo', @3=2 = the 2nd label of enum('BLOB','JSON','PROTOBUF') (the ANNOTATE_ROWS statement
// inserts 'JSON'), @4='{"foo":1}' in a binary column (MANIFEST: event is binary) so base64,
// @5=1650493084 / 1650493195 = 2022-04-20 22:18:04 / 22:19:55 UTC; statement from ANNOTATE_ROWS.
const std::string kMariadbRow1 =
    R"j({"before":null,"after":{"id":62,"topic":"foo","event_type":"JSON","event":"eyJmb28iOjF9","created":"2022-04-20T22:18:04Z"},)j"
    R"j("source":{"version":"0.1.0","connector":"mysql","name":"binlog","ts_ms":1650493084000,"snapshot":"false","db":"toddy_test","table":"outbox","server_id":1,"gtid":"0-1-1","file":"mariadb-bin.000001","pos":612,"row":0,"thread":null,"query":"insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{\"foo\":1}')"},)j"
    R"j("op":"c","ts_ms":1650493084000,"transaction":{"id":"0-1-1","total_order":1,"data_collection_order":1}})j";
const std::string kMariadbRow2 =
    R"j({"before":null,"after":{"id":63,"topic":"foo","event_type":"JSON","event":"eyJmb28iOjF9","created":"2022-04-20T22:19:55Z"},)j"
    R"j("source":{"version":"0.1.0","connector":"mysql","name":"binlog","ts_ms":1650493195000,"snapshot":"false","db":"toddy_test","table":"outbox","server_id":1,"gtid":"0-1-2","file":"mariadb-bin.000001","pos":984,"row":0,"thread":null,"query":"insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{\"foo\":1}')"},)j"
    R"j("op":"c","ts_ms":1650493195000,"transaction":{"id":"0-1-2","total_order":1,"data_collection_order":1}})j";

}  // namespace

TEST_CASE("sluice --help and sluice binlog --help document the command") {
  auto help = sluice({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("sluice binlog FILE... [options]") != std::string::npos);
  auto own = sluice({"binlog", "--help"});
  CHECK(own.exit_code == 0);
  CHECK(own.out.rfind("usage: sluice binlog FILE... [options]", 0) == 0);
  for (const char* opt : {"--format F", "--events", "--schema-from FILE", "--start-position N",
                          "--stop-position N", "--output FILE", "--tables REGEX"}) {
    CHECK_MESSAGE(own.out.find(opt) != std::string::npos, opt);
  }
}

TEST_CASE("MariaDB 10.5 capture: debezium-json by default, exact lines") {
  auto r = sluice({"binlog", kMariadb});
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(r.out == kMariadbRow1 + "\n" + kMariadbRow2 + "\n");
}

TEST_CASE("--format canal-json and upsert") {
  // Same rows as above; mysqlType from the TABLE_MAP (.decoded.txt: INT, VARSTRING(1020) =
  // 255 utf8mb4 chars, ENUM labels from the FULL metadata, BLOB, TIMESTAMP(0)).
  auto canal = sluice({"binlog", "--format", "canal-json", kMariadb});
  CHECK(canal.exit_code == 0);
  REQUIRE(lines_of(canal.out).size() == 2);
  CHECK(
      lines_of(canal.out)[0] ==
      R"j({"data":[{"id":"62","topic":"foo","event_type":"JSON","event":"eyJmb28iOjF9","created":"2022-04-20 22:18:04"}],)j"
      R"j("database":"toddy_test","es":1650493084000,"id":0,"isDdl":false,"mysqlType":{"id":"int(11)","topic":"varchar(255)",)j"
      R"j("event_type":"enum('BLOB','JSON','PROTOBUF')","event":"blob","created":"timestamp"},"old":null,"pkNames":["id"],"sql":"",)j"
      R"j("sqlType":{"id":4,"topic":12,"event_type":12,"event":2004,"created":93},"table":"outbox","ts":1650493084000,"type":"INSERT"})j");
  auto upsert = sluice({"binlog", "--format=upsert", kMariadb});
  CHECK(upsert.exit_code == 0);
  CHECK(
      upsert.out ==
      R"j({"key":{"id":62},"value":{"id":62,"topic":"foo","event_type":"JSON","event":"eyJmb28iOjF9","created":"2022-04-20T22:18:04Z"}})j"
      "\n"
      R"j({"key":{"id":63},"value":{"id":63,"topic":"foo","event_type":"JSON","event":"eyJmb28iOjF9","created":"2022-04-20T22:19:55Z"}})j"
      "\n");
  // MySQL 8.0.26 (binlog-invisible-columns.000001.decoded.txt): @3=-3 (signed INT), @5='\x05'
  // in a BLOB, @6=6000000000; the UPDATE's before image is the second INSERT's row.
  auto invisible = sluice({"binlog", "--format", "upsert",
                           kFixtures + "rust_mysql_common/binlog-invisible-columns.000001"});
  CHECK(invisible.exit_code == 0);
  CHECK(invisible.out ==
        "{\"key\":null,\"value\":{\"f1\":1,\"f2\":2,\"f3\":-3,\"f4\":\"4\",\"f5\":\"BQ==\",\"f6\":"
        "6000000000}}\n"
        "{\"key\":null,\"value\":{\"f1\":null,\"f2\":null,\"f3\":-33,\"f4\":\"44\",\"f5\":\"VQ==\","
        "\"f6\":null}}\n"
        "{\"key\":null,\"value\":{\"f1\":111,\"f2\":222,\"f3\":-333,\"f4\":\"444\",\"f5\":\"VQ==\","
        "\"f6\":null}}\n");
  auto bad = sluice({"binlog", "--format", "avro", kMariadb});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.rfind(
            "sluice binlog: unknown format 'avro' (debezium-json, upsert or canal-json)\n", 0) ==
        0);
}

TEST_CASE("MySQL 8.0.28 ENUM/SET insert, update, delete: golden file") {
  // tests/fixtures/binlog_cli/mysql-enum-string-set.000001.debezium.jsonl. Every string in it was
  // compared with the quoted @N values of mysql-enum-string-set.000001.decoded.txt (all 20
  // equal); ENUM and SET with the MANIFEST: index 1 = "var1", 0b0101 = "one,three", index 2 =
  // "variant2", 0b1010 = "two,four"; positions 1077/1855/2945 and GTIDs :3/:4/:5 as in the
  // .decoded.txt.
  auto r = sluice({"binlog", kEnumSet});
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        read_file(source_dir() +
                  "/tests/fixtures/binlog_cli/mysql-enum-string-set.000001.debezium.jsonl"));
}

TEST_CASE("--events: one line per event, agreeing with the reference decode of every fixture") {
  // The reference (.decoded.txt) prints "# at POS" per event and a header line
  // "#YYMMDD HH:MM:SS server id N  end_log_pos M" (in the same order, UTC).
  const std::regex at_re(R"j(^# at (\d+)$)j");
  const std::regex head_re(
      R"j(^#(\d\d)(\d\d)(\d\d) +(\d+):(\d\d):(\d\d) server id (\d+)  end_log_pos (\d+) )j");
  const std::regex ev_re(
      R"re(^\{"event":\{"type":"[A-Z_0-9]+","type_code":\d+,"file":"([^"]+)","pos":(\d+),"size":(\d+),"timestamp":\d+,"time":"([^"]+)","server_id":(\d+),"next_pos":(\d+),"flags":\d+\}\}$)re");
  // json-opaque.binlog is left out: its reference decode stops at the first row event (the
  // MariaDB tool cannot read MySQL 9 JSON); its values are checked against the MANIFEST below.
  for (const std::string rel :
       {"rust_mysql_common/mariadb-bin.000001", "rust_mysql_common/mysql-enum-string-set.000001",
        "rust_mysql_common/time_issue.000001", "rust_mysql_common/binlog-invisible-columns.000001",
        "boxercrab/30_write_rows_v2/log.bin"}) {
    INFO(rel);
    std::vector<std::string> want_pos, want_head;
    for (const auto& line : lines_of(read_file(kFixtures + rel + ".decoded.txt"))) {
      std::smatch m;
      if (std::regex_match(line, m, at_re)) want_pos.push_back(m[1]);
      if (std::regex_search(line, m, head_re)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "20%s-%s-%sT%02d:%s:%sZ %s %s", m[1].str().c_str(),
                      m[2].str().c_str(), m[3].str().c_str(), std::stoi(m[4]), m[5].str().c_str(),
                      m[6].str().c_str(), m[7].str().c_str(), m[8].str().c_str());
        want_head.push_back(buf);
      }
    }
    REQUIRE(want_pos.size() == want_head.size());
    auto r = sluice({"binlog", "--events", kFixtures + rel});
    CHECK(r.exit_code == 0);
    const std::string file = rel.substr(rel.rfind('/') + 1);
    std::vector<std::string> got_pos, got_head;
    size_t changes = 0;
    for (const auto& line : lines_of(r.out)) {
      std::smatch m;
      if (!std::regex_match(line, m, ev_re)) {
        CHECK(line.rfind("{\"before\":", 0) == 0);
        CHECK(line.find("\"file\":\"" + file + "\",\"pos\":" + got_pos.back() + ",") !=
              std::string::npos);
        ++changes;
        continue;
      }
      CHECK(m[1] == file);
      CHECK(std::stoull(m[2]) + std::stoull(m[3]) == std::stoull(m[6]));  // pos + size = next_pos
      got_pos.push_back(m[2]);
      got_head.push_back(m[4].str() + " " + m[5].str() + " " + m[6].str());
    }
    CHECK(got_pos == want_pos);
    CHECK(got_head == want_head);
    CHECK(changes > 0);
  }
  // One line exactly: the first event of mariadb-bin.000001 (.decoded.txt: "# at 4",
  // "#220420 22:17:51 server id 1  end_log_pos 256"; flags 1 = LOG_EVENT_BINLOG_IN_USE_F, which
  // the reference reports as "this binlog is either in use or was not closed properly").
  auto r = sluice({"binlog", "--events", kMariadb});
  CHECK(
      lines_of(r.out)[0] ==
      R"j({"event":{"type":"FORMAT_DESCRIPTION","type_code":15,"file":"mariadb-bin.000001","pos":4,"size":252,)j"
      R"j("timestamp":1650493071,"time":"2022-04-20T22:17:51Z","server_id":1,"next_pos":256,"flags":1}})j");
}

TEST_CASE("MySQL 9.0.1 binary JSON with opaque scalars (json-opaque.binlog)") {
  // MANIFEST: the first column of the 8 row events decodes to these documents, in this order
  // (rendered with MySQL's own spacing, `{"a": ...}`, as MySQL prints JSON).
  auto r =
      sluice({"binlog", "--format", "upsert", kFixtures + "rust_mysql_common/json-opaque.binlog"});
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "{\"key\":null,\"value\":{\"a\":{\"a\": \"base64:type15:VQ==\"}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"b\": \"2012-03-18\"}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"c\": \"2012-03-18 11:30:45.000000\"}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"c\": \"87:31:46.654321\"}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"d\": 123.456}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"e\": 9.00}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"e\": [0, 1, true, false]}}}\n"
        "{\"key\":null,\"value\":{\"a\":{\"e\": null}}}\n");
}

TEST_CASE("MySQL 8.0.28 compressed transaction (TRANSACTION_PAYLOAD) decodes offline too") {
  // The values are the ones binlog_fixture_test checks on the bytes after `zstd -d` (the
  // reference decode stops at the payload): one UPDATE of demo.movies, genre Western ->
  // Western|Action; no column names in this capture, hence col_N.
  auto r = sluice({"binlog", "--format", "upsert",
                   kFixtures + "mysql-binlog-connector-java/mysql-bin.compressed"});
  CHECK(r.exit_code == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind(R"({"key":null,"value":{"col_1":1,"col_2":"Once Upon a Time in the West",)"
                       R"("col_3":1968,"col_4":"Italy","col_5":"Western|Action",)",
                       0) == 0);
  CHECK(lines[0].find(R"("col_11":"Paramount Pictures"}})") != std::string::npos);
}

TEST_CASE("a binlog without column names: col_N, or the names of --schema-from") {
  // boxercrab 30_write_rows_v2 (MySQL 5.7.30, no optional metadata); its sql.sql inserts
  // (id, title) = (1, 'abcde') into `default`.`boxercrab`, id INT UNSIGNED, title VARCHAR(40)
  // utf8mb4, PRIMARY KEY (id). Without a schema the text is bytes: base64 of "abcde".
  auto bare = sluice({"binlog", "--format", "upsert", kBoxercrab});
  CHECK(bare.exit_code == 0);
  CHECK(bare.out == R"j({"key":null,"value":{"col_1":1,"col_2":"YWJjZGU="}})j"
                    "\n");

  const std::string dir = make_temp_dir("sluice-binlog-it");
  const std::string ddl = dir + "/schema.sql";
  std::ofstream(ddl) << "-- the CREATE TABLE of boxercrab's sql.sql\n"
                        "CREATE TABLE `boxercrab` (\n"
                        "    `id` INT UNSIGNED AUTO_INCREMENT,\n"
                        "    `title` VARCHAR(40) NOT NULL,\n"
                        "    PRIMARY KEY (`id`)\n"
                        ")ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n";
  auto upsert = sluice({"binlog", "--schema-from", ddl, "--format", "upsert", kBoxercrab});
  CHECK(upsert.exit_code == 0);
  CHECK(upsert.out == R"j({"key":{"id":1},"value":{"id":1,"title":"abcde"}})j"
                      "\n");
  // es/ts: the event's timestamp, #200731 7:06:13 in log.bin.decoded.txt.
  auto canal = sluice({"binlog", "--schema-from=" + ddl, "--format", "canal-json", kBoxercrab});
  CHECK(canal.exit_code == 0);
  CHECK(
      canal.out ==
      R"j({"data":[{"id":"1","title":"abcde"}],"database":"default","es":1596179173000,"id":0,"isDdl":false,)j"
      R"j("mysqlType":{"id":"int(10) unsigned","title":"varchar(40)"},"old":null,"pkNames":["id"],"sql":"",)j"
      R"j("sqlType":{"id":-5,"title":12},"table":"boxercrab","ts":1596179173000,"type":"INSERT"})j"
      "\n");

  // sql.sql itself goes on with an INSERT: refused at its line, before any output.
  const std::string sql = kFixtures + "boxercrab/30_write_rows_v2/sql.sql";
  auto refused = sluice({"binlog", "--schema-from", sql, kBoxercrab});
  CHECK(refused.exit_code == 2);
  CHECK(refused.out == "");
  CHECK(refused.err ==
        "sluice binlog: " + sql +
            ":9: cannot parse 'INSERT INTO `boxercrab` (`title`) VALUES ('abcde')': a "
            "--schema-from file holds CREATE TABLE statements (and USE, CREATE DATABASE, DROP, "
            "SET)\n");
  // A DDL with another column count than the binlog: exit 1 at the TABLE_MAP.
  std::ofstream(ddl) << "CREATE TABLE boxercrab (id INT);\n";
  auto mismatch = sluice({"binlog", "--schema-from", ddl, kBoxercrab});
  CHECK(mismatch.exit_code == 1);
  CHECK(mismatch.err ==
        "sluice binlog: TABLE_MAP (19) at log.bin:876: " + ddl +
            ":1: default.boxercrab is declared with 1 columns, but the binlog's TABLE_MAP has 2 "
            "(the DDL must describe the table as it was when the binlog was written)\n");
  auto missing = sluice({"binlog", "--schema-from", dir + "/none.sql", kBoxercrab});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "sluice binlog: cannot read the schema file " + dir + "/none.sql\n");
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("start and stop positions, several files, --tables, --output") {
  // .decoded.txt: the second transaction starts with its GTID at 702; its XID is at 1043.
  auto second = sluice({"binlog", "--start-position", "702", kMariadb});
  CHECK(second.exit_code == 0);
  CHECK(second.out == kMariadbRow2 + "\n");
  auto first = sluice({"binlog", "--stop-position", "702", kMariadb});
  CHECK(first.exit_code == 0);
  CHECK(first.out == kMariadbRow1 + "\n");
  auto none = sluice({"binlog", "--start-position", "702", "--stop-position", "984", kMariadb});
  CHECK(none.exit_code == 0);
  CHECK(none.out == "");

  // Files in order; each position names its file. time_issue.000001 (MySQL 8.0.40, MINIMAL
  // metadata: col_1) holds TIME -507:48:27 (MANIFEST) in WRITE_ROWS_V2 at 358 (.decoded.txt).
  auto two = sluice({"binlog", "--format", "debezium-json", kMariadb, kTime});
  CHECK(two.exit_code == 0);
  const auto lines = lines_of(two.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == kMariadbRow1);
  CHECK(lines[1] == kMariadbRow2);
  CHECK(
      lines[2].rfind(
          R"j({"before":null,"after":{"col_1":"-507:48:27"},"source":{"version":"0.1.0","connector":"mysql",)j"
          R"j("name":"binlog","ts_ms":1746458055436,"snapshot":"false","db":"noria","table":"t","server_id":1,)j"
          R"j("gtid":null,"file":"time_issue.000001","pos":358,"row":0,)j",
          0) == 0);

  auto filtered = sluice({"binlog", "--tables", "noria\\..*", kMariadb, kTime});
  CHECK(filtered.exit_code == 0);
  CHECK(lines_of(filtered.out).size() == 1);
  auto bad_regex = sluice({"binlog", "--tables", "(", kMariadb});
  CHECK(bad_regex.exit_code == 2);
  CHECK(bad_regex.err.rfind("sluice binlog: bad table regex '(': ", 0) == 0);

  const std::string dir = make_temp_dir("sluice-binlog-it");
  auto to_file = sluice({"binlog", "--output", dir + "/out.jsonl", kMariadb});
  CHECK(to_file.exit_code == 0);
  CHECK(to_file.out == "");
  CHECK(read_file(dir + "/out.jsonl") == kMariadbRow1 + "\n" + kMariadbRow2 + "\n");
  std::system(("rm -rf '" + dir + "'").c_str());

  auto inside = sluice({"binlog", "--start-position", "700", kMariadb});
  CHECK(inside.exit_code == 1);
  CHECK(inside.out == "");
  CHECK(inside.err.rfind(
            "sluice binlog: start position 700 is not the start of an event in " + kMariadb, 0) ==
        0);
  auto usage = sluice({"binlog", "--start-position", "1043", "--stop-position", "702", kMariadb});
  CHECK(usage.exit_code == 2);
  CHECK(usage.err.rfind("sluice binlog: --stop-position 702 is before --start-position 1043\n",
                        0) == 0);
  CHECK(sluice({"binlog"}).exit_code == 2);
  CHECK(sluice({"binlog", "--start-position", "x", kMariadb}).exit_code == 2);
  CHECK(sluice({"binlog", "--frobnicate", kMariadb}).exit_code == 2);
}

TEST_CASE(
    "a truncated, corrupt or foreign file: exit 1 naming file, offset and type, after what "
    "decoded") {
  const std::string dir = make_temp_dir("sluice-binlog-it");
  // Cut inside the second WRITE_ROWS_V1 (984..1043 in the .decoded.txt): the first row stands.
  const std::string cut = copy_prefix(kMariadb, 1030, dir + "/mariadb-bin.000001");
  auto truncated = sluice({"binlog", cut});
  CHECK(truncated.exit_code == 1);
  CHECK(truncated.out == kMariadbRow1 + "\n");
  CHECK(truncated.err ==
        "sluice binlog: WRITE_ROWS_V1 (23) at " + cut +
            ":984: the file is truncated: the event has 59 bytes, the file ends 46 bytes "
            "after its start\n");
  copy_prefix(kMariadb, 1000, cut);  // 16 bytes of the header at 984
  auto header = sluice({"binlog", cut});
  CHECK(header.exit_code == 1);
  CHECK(header.out == kMariadbRow1 + "\n");
  CHECK(
      header.err ==
      "sluice binlog: " + cut +
          " is truncated: 16 bytes at offset 984 (the header of WRITE_ROWS_V1 (23)), fewer than a "
          "19-byte event header\n");

  // One byte of the second row image flipped: its CRC32 (0xfb217519 in the .decoded.txt) no
  // longer matches.
  std::string bytes = read_file(kMariadb);
  bytes[1030] = static_cast<char>(bytes[1030] ^ 0x01);
  std::ofstream(dir + "/corrupt.000001", std::ios::binary) << bytes;
  auto corrupt = sluice({"binlog", "--events", dir + "/corrupt.000001"});
  CHECK(corrupt.exit_code == 1);
  const auto lines = lines_of(corrupt.out);
  REQUIRE(lines.size() == 13);  // 11 events before it, the first change, the bad event's header
  CHECK(lines[12].find(
            R"j("type":"WRITE_ROWS_V1","type_code":23,"file":"corrupt.000001","pos":984,)j") !=
        std::string::npos);
  CHECK(corrupt.err.rfind("sluice binlog: WRITE_ROWS_V1 (23) at corrupt.000001:984: CRC32 "
                          "mismatch: trailer 0xfb217519, computed 0x",
                          0) == 0);

  const std::string text = dir + "/notes.txt";
  std::ofstream(text) << "hello";
  auto foreign = sluice({"binlog", kMariadb, text});
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.out == "");  // every file is checked before the first is decoded
  CHECK(
      foreign.err ==
      "sluice binlog: " + text +
          " is not a binlog file: it starts with 68 65 6c 6c, not the binlog magic fe 62 69 6e\n");
  auto missing = sluice({"binlog", dir + "/nope"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "sluice binlog: cannot open " + dir + "/nope: No such file or directory\n");
  std::system(("rm -rf '" + dir + "'").c_str());
}

namespace {

// Live MysqlSource from `start` until `n` change events of `table`, rendered as `sluice binlog`
// renders them (JSON lines, ts_ms = commit time, source name "binlog").
std::string live_lines(const cdc::BinlogPosition& start, size_t n, const std::string& table) {
  auto o = services_mysql_source_options(54077, "binlog");
  o.startup_mode = cdc::mysql::StartupMode::specific_offset;
  o.specific_offset_file = start.file;
  o.specific_offset_pos = cdc::BinlogOffset{start.offset};
  o.include_query = true;  // as `sluice binlog` shows a file: with each row's statement
  cdc::mysql::MysqlSource src(o);
  auto st = src.open(cdc::Position{});
  REQUIRE_MESSAGE(st, st.error().to_string());
  cdc::sinks::JsonLines json(cdc::json::Format::debezium_json);
  std::string out;
  size_t got = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (got < n && std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(200ms);
    REQUIRE_MESSAGE(b, b.error().to_string());
    if (!*b) continue;
    for (auto& e : (*b)->events) {
      if (e.schema->id.table != table) continue;
      e.ts_ms = e.source.commit_ts_ms;
      json.append(e, out);
      ++got;
    }
  }
  REQUIRE(got == n);
  return out;
}

}  // namespace

TEST_CASE("a binlog the real MariaDB wrote decodes as the live source streamed it") {
  MariaDbSession root(MariaDbSession::As::root);
  root.run("CREATE DATABASE IF NOT EXISTS binlog_it");
  root.run("DROP TABLE IF EXISTS binlog_it.items");
  root.run(
      "CREATE TABLE binlog_it.items (id INT PRIMARY KEY, name VARCHAR(20) CHARACTER SET utf8mb4, "
      "price DECIMAL(8,2), tags SET('a','b','c'), seen DATETIME(3) NULL, doc JSON)");
  root.run("FLUSH BINARY LOGS");  // a fresh file, so the test's events are all in one file
  const auto status = root.query("SHOW MASTER STATUS");
  REQUIRE(status.size() == 1);
  const cdc::BinlogPosition start{*status[0][0], std::stoull(*status[0][1])};
  root.run("SET time_zone = '+00:00'");
  root.run(
      "INSERT INTO binlog_it.items VALUES (1, 'ada', 12.50, 'a,c', '2024-02-29 12:34:56.789', "
      "'{\"k\": [1, 2]}'), "
      "(2, 'zoë', -0.01, '', NULL, NULL)");
  root.run("BEGIN");
  root.run("UPDATE binlog_it.items SET price = 13.00, tags = 'b' WHERE id = 1");
  root.run("DELETE FROM binlog_it.items WHERE id = 2");
  root.run("COMMIT");
  const auto end = root.query("SHOW MASTER STATUS");
  root.run("FLUSH BINARY LOGS");  // closes the file: it is complete on disk
  const auto base = root.query("SELECT @@log_bin_basename");
  REQUIRE(base.size() == 1);
  const std::string dir = base[0][0]->substr(0, base[0][0]->rfind('/'));
  const std::string path = dir + "/" + start.file;

  // MariaDB's JSON is a LONGTEXT that only the catalog (SHOW CREATE TABLE: CHECK json_valid)
  // marks as JSON: offline, the DDL says so.
  const auto create = root.query("SHOW CREATE TABLE binlog_it.items");
  const std::string tmp = make_temp_dir("sluice-binlog-it");
  const std::string ddl = tmp + "/items.sql";
  std::ofstream(ddl) << "USE binlog_it;\n" << *create[0][1] << ";\n";

  const std::vector<std::string> positions = {"--start-position", std::to_string(start.offset),
                                              "--stop-position", *end[0][1]};
  auto args = std::vector<std::string>{"binlog", "--schema-from", ddl};
  args.insert(args.end(), positions.begin(), positions.end());
  args.push_back(path);
  auto r = sluice(args);
  CHECK(r.err == "");
  REQUIRE(r.exit_code == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);
  // The values inserted above, as sluice renders them.
  CHECK(
      lines[0].rfind(
          R"j({"before":null,"after":{"id":1,"name":"ada","price":"12.50","tags":"a,c","seen":"2024-02-29T12:34:56.789","doc":{"k": [1, 2]}},)j",
          0) == 0);
  CHECK(
      lines[1].rfind(
          R"j({"before":null,"after":{"id":2,"name":"zoë","price":"-0.01","tags":"","seen":null,"doc":null},)j",
          0) == 0);
  CHECK(
      lines[2].rfind(
          R"j({"before":{"id":1,"name":"ada","price":"12.50","tags":"a,c","seen":"2024-02-29T12:34:56.789","doc":{"k": [1, 2]}},)j"
          R"j("after":{"id":1,"name":"ada","price":"13.00","tags":"b","seen":"2024-02-29T12:34:56.789","doc":{"k": [1, 2]}},)j",
          0) == 0);
  CHECK(
      lines[3].rfind(
          R"j({"before":{"id":2,"name":"zoë","price":"-0.01","tags":"","seen":null,"doc":null},"after":null,)j",
          0) == 0);
  for (const auto& line : lines)
    CHECK(line.find("\"file\":\"" + start.file + "\"") != std::string::npos);
  // And byte for byte what the live source produced from the server's stream.
  CHECK(r.out == live_lines(start, 4, "items"));

  // Without the DDL the binlog alone cannot tell: the JSON is a string.
  args = {"binlog", "--format", "upsert"};
  args.insert(args.end(), positions.begin(), positions.end());
  args.push_back(path);
  auto bare = sluice(args);
  CHECK(bare.exit_code == 0);
  CHECK(
      lines_of(bare.out)[0] ==
      R"j({"key":{"id":1},"value":{"id":1,"name":"ada","price":"12.50","tags":"a,c","seen":"2024-02-29T12:34:56.789","doc":"{\"k\": [1, 2]}"}})j");
  std::system(("rm -rf '" + tmp + "'").c_str());
}

TEST_CASE("a statement-based binlog (MariaDB 10.11, STATEMENT session) decodes to its end") {
  // mariadb-statement/MANIFEST.md: 6 DML statements and 2 LOAD DATA as statements (with their
  // INTVAR, RAND, USER_VAR, BEGIN_LOAD_QUERY and APPEND_BLOCK events), then one ROW insert.
  // Each statement is a warning naming it; the row insert is the only change event.
  auto r =
      sluice({"binlog", "--format", "upsert", kFixtures + "mariadb-statement/mysql-bin.000004"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{\"key\":{\"id\":1100},\"value\":{\"id\":1100,\"name\":\"row\",\"score\":1}}\n");
  size_t warnings = 0;
  for (const std::string& line : lines_of(r.err)) {
    if (line.find("skipped statement-based ") != std::string::npos) ++warnings;
  }
  CHECK(warnings == 8);
  CHECK(
      r.err.find(
          "skipped statement-based INSERT of stmt_fx.items in QUERY (2) at mysql-bin.000004:1094: "
          "'INSERT INTO items (name, score) VALUES (@who, @n)' (default database "
          "stmt_fx)") != std::string::npos);
  CHECK(
      r.err.find("skipped statement-based LOAD DATA of stmt_fx.items in EXECUTE_LOAD_QUERY (18) at "
                 "mysql-bin.000004:15820: 'LOAD DATA LOCAL INFILE '/tmp/rowimg-big.csv' IGNORE "
                 "INTO TABLE `items`") != std::string::npos);
  // --events lists every event, the statement-format ones by name.
  auto ev = sluice({"binlog", "--events", kFixtures + "mariadb-statement/mysql-bin.000004"});
  CHECK(ev.exit_code == 0);
  for (const char* type :
       {"INTVAR", "RAND", "USER_VAR", "BEGIN_LOAD_QUERY", "APPEND_BLOCK", "EXECUTE_LOAD_QUERY"}) {
    CAPTURE(type);
    CHECK(ev.out.find(std::string("\"type\":\"") + type + "\"") != std::string::npos);
  }
}
