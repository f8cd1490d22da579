// Bad configuration files: each problem is asserted as the exact text an operator reads.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "config/loader.h"
#include "config/pipeline_id.h"
#include "tests/unit/config/problem_lines.h"

using namespace cdc::config;

namespace {

const std::string kFixtures = std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/config/";

std::vector<std::string> problems_of(std::string_view yaml,
                                     const Environment& env = map_environment({})) {
  const LoadOutcome out = load_string(yaml, "t.yaml", env);
  CHECK(out.config.has_value() == out.problems.empty());
  std::vector<std::string> s;
  for (const Problem& p : out.problems) s.push_back(p.to_string());
  return s;
}

using Lines = std::vector<std::string>;

// A valid file; each case below breaks one thing in it.
constexpr std::string_view kValid = R"(source:
  type: mysql
  hostname: db
  port: 3306
  username: u
  password: hunter2
  tables: app.orders
  server-id: 5401
sink:
  type: stdout
pipeline:
  name: p
)";

std::string with(std::string_view from, std::string_view to) {
  std::string s(kValid);
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("the base file is valid") { CHECK(problems_of(kValid).empty()); }

TEST_CASE("bad: a port that is not a number") {
  CHECK(problems_of(with("port: 3306", "port: abc")) ==
        Lines{"t.yaml:4:9: source.port: expected an integer 1..65535, found 'abc'"});
}

TEST_CASE("bad: a port out of range") {
  CHECK(problems_of(with("port: 3306", "port: 70000")) ==
        Lines{"t.yaml:4:9: source.port: expected an integer 1..65535, found '70000'"});
  CHECK(problems_of(with("port: 3306", "port: 0")) ==
        Lines{"t.yaml:4:9: source.port: expected an integer 1..65535, found '0'"});
}

TEST_CASE("hostname: a failover list is checked entry by entry, where it is in the file") {
  CHECK(problems_of(with("hostname: db", "hostname: db1:3306, db2, [::1]:3307")).empty());
  CHECK(problems_of(with("hostname: db", "hostname: db1:3306,,db2")) ==
        Lines{"t.yaml:3:13: source.hostname: hostname entry 2 of 'db1:3306,,db2' is empty: "
              "expected host or host:port"});
  CHECK(problems_of(with("hostname: db", "hostname: ':3306,db2'")) ==
        Lines{"t.yaml:3:13: source.hostname: hostname entry ':3306': the host is empty"});
  CHECK(problems_of(with("hostname: db", "hostname: db1:3306,db2:70000")) ==
        Lines{"t.yaml:3:13: source.hostname: hostname entry 'db2:70000': expected a port "
              "1..65535, found '70000'"});
  // `port` is the default port: db2 is db2:3306, listed already.
  CHECK(problems_of(with("hostname: db", "hostname: db2:3306,db2")) ==
        Lines{"t.yaml:3:13: source.hostname: hostname entry 'db2' is server db2:3306, listed "
              "already by entry 'db2:3306'"});
}

TEST_CASE("bad: a list where a scalar is expected") {
  CHECK(problems_of(with("username: u", "username: [a, b]")) ==
        Lines{"t.yaml:5:13: source.username: expected a string, found a list"});
}

TEST_CASE("bad: a secret is never echoed") {
  CHECK(problems_of(with("password: hunter2", "password: {x: hunter2}")) ==
        Lines{"t.yaml:6:13: source.password: expected a string, found a mapping"});
  const auto p = problems_of(with("password: hunter2", "password: hunter2-${PW_SUFFIX}"));
  CHECK(p == Lines{"t.yaml:6:13: source.password: environment variable 'PW_SUFFIX' is not set "
                   "(write ${PW_SUFFIX:-default} to give a default)"});
  CHECK(p[0].find("hunter2") == std::string::npos);
}

TEST_CASE("bad: unknown key with a suggestion") {
  CHECK(problems_of(with("hostname: db", "hostnam: db")) ==
        Lines{"t.yaml:2:3: source.hostname: missing required key 'hostname'",
              "t.yaml:3:3: source.hostnam: unknown key 'hostnam'; did you mean 'hostname'?"});
  CHECK(problems_of(with("name: p", "name: p\n  checkpoint-interval: 1s")) ==
        Lines{"t.yaml:13:3: pipeline.checkpoint-interval: unknown key 'checkpoint-interval'; did "
              "you mean 'checkpoint.interval'?"});
}

TEST_CASE("bad: unknown key without a close match lists the known keys") {
  CHECK(problems_of(with("type: stdout", "type: stdout\n  colour: blue")) ==
        Lines{"t.yaml:11:3: sink.colour: unknown key 'colour'; expected one of: type, "
              "value.format, row-image.partial, toast.placeholder"});
}

TEST_CASE("bad: unknown top-level key") {
  CHECK(problems_of(std::string(kValid) + "routes: []\n") ==
        Lines{"t.yaml:13:1: routes: unknown key 'routes'; did you mean 'route'?"});
}

TEST_CASE("server-id: optional, as in Flink CDC; derived from the pipeline id when absent") {
  const LoadOutcome out =
      load_string(with("  server-id: 5401\n", ""), "t.yaml", map_environment({}));
  REQUIRE(out.problems.empty());
  const auto& o = std::get<cdc::mysql::MysqlSourceOptions>(out.config->pipelines[0].source);
  CHECK(o.server_id_derived);
  CHECK(o.server_id.first == cdc::config::default_server_id(out.config->pipelines[0].pipeline.id));
  CHECK(o.server_id.first == o.server_id.last);
  CHECK(o.server_id.first >= 5400);
  CHECK(o.server_id.first < 6400);
  const LoadOutcome given = load_string(std::string(kValid), "t.yaml", map_environment({}));
  REQUIRE(given.problems.empty());
  CHECK_FALSE(std::get<cdc::mysql::MysqlSourceOptions>(given.config->pipelines[0].source)
                  .server_id_derived);
}

TEST_CASE("bad: missing required keys name the parent mapping") {
  CHECK(problems_of(with("pipeline:\n  name: p\n", "")) ==
        Lines{"t.yaml:1:1: pipeline: missing required key 'pipeline'"});
  CHECK(problems_of(with("  type: stdout\n", "  value.format: upsert\n")) ==
        Lines{"t.yaml:10:3: sink.type: missing required key 'type'"});
}

TEST_CASE("bad: durations") {
  CHECK(problems_of(with("name: p", "name: p\n  checkpoint.interval: 5")) ==
        Lines{"t.yaml:13:24: pipeline.checkpoint.interval: expected a duration such as 500ms, "
              "10s, 5min, 2h or 1d, found '5' (a unit is required: ms, s, min, h or d)"});
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  heartbeat.interval: 3 weeks")) ==
        Lines{"t.yaml:9:23: source.heartbeat.interval: expected a duration such as 500ms, 10s, "
              "5min, 2h or 1d, found '3 weeks' (unknown unit 'weeks'; use ms, s, min, h or d)"});
  CHECK(problems_of(with("name: p", "name: p\n  checkpoint.interval: 5ms")) ==
        Lines{"t.yaml:13:24: pipeline.checkpoint.interval: expected a duration >= 10ms, found "
              "'5ms'"});
}

TEST_CASE("bad: sizes") {
  CHECK(problems_of(with("name: p", "name: p\n  queue.max-bytes: 10 parsecs")) ==
        Lines{"t.yaml:13:20: pipeline.queue.max-bytes: expected a size such as 512b, 64kb, 10mb "
              "or 1gb, found '10 parsecs' (unknown unit 'parsecs'; use b, kb, mb, gb or tb)"});
  CHECK(problems_of(with("name: p", "name: p\n  queue.max-bytes: 99999999999gb")) ==
        Lines{"t.yaml:13:20: pipeline.queue.max-bytes: expected a size such as 512b, 64kb, 10mb "
              "or 1gb, found '99999999999gb' (out of range)"});
  CHECK(problems_of(with("name: p", "name: p\n  queue.max-bytes: 1kb")) ==
        Lines{"t.yaml:13:20: pipeline.queue.max-bytes: expected a size >= 64kb, found '1kb'"});
}

TEST_CASE("bad: an unset ${VAR} without default names the variable and the key") {
  CHECK(problems_of(with("hostname: db", "hostname: ${DB_HOST}")) ==
        Lines{"t.yaml:3:13: source.hostname: environment variable 'DB_HOST' is not set (write "
              "${DB_HOST:-default} to give a default)"});
}

TEST_CASE("bad: duplicate pipeline names") {
  CHECK(problems_of(R"(pipelines:
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: stdout}
    pipeline: {name: same}
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: stdout}
    pipeline: {name: same}
)") == Lines{"t.yaml:7:22: pipelines[1].pipeline.name: duplicate pipeline name 'same' (already "
             "used by pipelines[0].pipeline)"});
}

TEST_CASE("bad: invalid regexes") {
  CHECK(problems_of(with("tables: app.orders", "tables: app.orders, app.(items")) ==
        Lines{"t.yaml:7:11: source.tables: invalid regex 'app.(items': Mismatched '(' and ')' in "
              "regular expression"});
  CHECK(problems_of(std::string(kValid) + "route:\n  - source-table: a.[b\n    sink-table: x\n") ==
        Lines{"t.yaml:14:19: route[0].source-table: invalid regex 'a.[b': Unexpected character "
              "within '[...]' in regular expression"});
}

TEST_CASE("bad: enum values list the allowed ones") {
  CHECK(problems_of(with("type: stdout", "type: stdout\n  value.format: json")) ==
        Lines{"t.yaml:11:17: sink.value.format: expected one of debezium-json, upsert, "
              "canal-json, found 'json'"});
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  scan.startup.mode: latest")) ==
        Lines{"t.yaml:9:22: source.scan.startup.mode: expected one of initial, snapshot, "
              "latest-offset, earliest-offset, specific-offset, timestamp, found 'latest'"});
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  schema.unparseable-ddl: skip")) ==
        Lines{"t.yaml:9:27: source.schema.unparseable-ddl: expected one of stop, resync, found "
              "'skip'"});
  CHECK(problems_of(with("name: p", "name: p\n  delivery: twice")) ==
        Lines{"t.yaml:13:13: pipeline.delivery: expected one of exactly-once, at-least-once, "
              "found 'twice'"});
}

TEST_CASE("bad: route and transform keys") {
  CHECK(problems_of(with("name: p", "name: p\n  route-mode: any")) ==
        Lines{"t.yaml:13:15: pipeline.route-mode: expected one of all-match, first-match, found "
              "'any'"});
  CHECK(
      problems_of(std::string(kValid) + "transform:\n"
                                        "  - source-table: app.orders\n"
                                        "    converter-after-transform: HARD_DELETE\n"
                                        "    skip-ops: delete, upsert\n"
                                        "    columns.include: id\n"
                                        "    projection: id\n"
                                        "    projektion: id\n") ==
      Lines{
          "t.yaml:15:32: transform[0].converter-after-transform: expected SOFT_DELETE, found "
          "'HARD_DELETE'",
          "t.yaml:16:15: transform[0].skip-ops: expected insert, update or delete, found 'upsert'",
          "t.yaml:17:22: transform[0].columns.include: 'columns.include' and 'projection' exclude "
          "each other; list the columns in the projection",
          "t.yaml:19:5: transform[0].projektion: unknown key 'projektion'; did you mean "
          "'projection'?"});
}

TEST_CASE("bad: unknown and not-yet-available source and sink types") {
  CHECK(problems_of(with("type: mysql", "type: oracle")) ==
        Lines{"t.yaml:2:9: source.type: expected one of mysql, postgres, datagen, found 'oracle'"});
  CHECK(problems_of(with("type: stdout", "type: clickhouse")) ==
        Lines{"t.yaml:10:9: sink.type: expected one of stdout, file, null, redis, kafka, doris, "
              "found 'clickhouse'"});
}

TEST_CASE("bad: YAML syntax error") {
  CHECK(problems_of("source:\n  type: mysql\n  hostname: [db\n") ==
        Lines{"t.yaml:4:1: YAML syntax error: end of sequence flow not found"});
  const LoadOutcome out = load_file(kFixtures + "bad/syntax.yaml", map_environment({}));
  REQUIRE(out.problems.size() == 1);
  CHECK(out.problems[0].to_string() ==
        kFixtures + "bad/syntax.yaml:4:1: YAML syntax error: end of sequence flow not found");
}

TEST_CASE("bad: empty file") {
  const std::string expected =
      ": the file is empty; expected a mapping with 'source', 'sink' and 'pipeline' (or a "
      "'pipelines' list of such mappings)";
  CHECK(problems_of("") == Lines{"t.yaml" + expected});
  CHECK(problems_of("# only a comment\n") == Lines{"t.yaml" + expected});
  const LoadOutcome out = load_file(kFixtures + "bad/empty.yaml", map_environment({}));
  REQUIRE(out.problems.size() == 1);
  CHECK(out.problems[0].to_string() == kFixtures + "bad/empty.yaml" + expected);
}

TEST_CASE("bad: a file that cannot be read") {
  const LoadOutcome out = load_file(kFixtures + "bad/does-not-exist.yaml", map_environment({}));
  CHECK_FALSE(out.ok());
  REQUIRE(out.problems.size() == 1);
  CHECK(out.problems[0].to_string() ==
        kFixtures + "bad/does-not-exist.yaml: cannot read the file: No such file or directory");
}

TEST_CASE("bad: both `pipelines:` and `source:` at the top level") {
  CHECK(problems_of(R"(source: {type: stdout}
pipelines:
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: stdout}
    pipeline: {name: a}
)") == Lines{"t.yaml:1:1: source: a file holds either a 'pipelines' list or top-level 'source', "
             "'sink', 'route', 'transform' and 'pipeline' keys, not both"});
}

TEST_CASE("bad: a list where a mapping is expected, and a mapping where a list is") {
  CHECK(problems_of(with("sink:\n  type: stdout\n", "sink:\n  - type: stdout\n")) ==
        Lines{"t.yaml:10:3: sink: expected a mapping, found a list"});
  CHECK(problems_of(std::string(kValid) + "route:\n  source-table: a.b\n  sink-table: c\n") ==
        Lines{"t.yaml:14:3: route: expected a list of mappings, found a mapping"});
  CHECK(problems_of("- a\n- b\n") ==
        Lines{"t.yaml:1:1: expected a mapping at the top level, found a list"});
}

TEST_CASE("bad: duplicate keys in one mapping are detected") {
  CHECK(problems_of(with("port: 3306", "port: 3306\n  port: 3307")) ==
        Lines{"t.yaml:5:3: source.port: duplicate key 'port' (first at line 4, column 3)"});
}

TEST_CASE("bad: a chunk key column without its table pattern, or a pattern that is no regex") {
  CHECK(problems_of(with("server-id: 5401",
                         "server-id: 5401\n  scan.incremental.snapshot.chunk.key-column: id")) ==
        Lines{"t.yaml:9:47: source.scan.incremental.snapshot.chunk.key-column: expected "
              "<table-pattern>:<column>[;...] (e.g. \"app.orders:created_at\"), found 'id'"});
  CHECK(problems_of(with("server-id: 5401",
                         "server-id: 5401\n  scan.incremental.snapshot.chunk.key-column: "
                         "\"a.(b:c\"")) ==
        Lines{"t.yaml:9:47: source.scan.incremental.snapshot.chunk.key-column: bad table pattern "
              "'a.(b': Mismatched '(' and ')' in regular expression"});
}

TEST_CASE("bad: negative counts and bad booleans and numbers") {
  CHECK(problems_of(with("name: p", "name: p\n  restart.max-attempts: -3")) ==
        Lines{"t.yaml:13:25: pipeline.restart.max-attempts: expected a non-negative integer, "
              "found '-3'"});
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  scan.snapshot.parallelism: 65")) ==
        Lines{"t.yaml:9:30: source.scan.snapshot.parallelism: expected an integer 1..64, found "
              "'65'"});
  CHECK(problems_of(with("name: p", "name: p\n  checkpoint.retained: 0")) ==
        Lines{"t.yaml:13:24: pipeline.checkpoint.retained: expected an integer >= 1, found '0'"});
  CHECK(problems_of(R"(source:
  type: datagen
  table: t
  rows-per-second: fast
  columns:
    - {name: id, type: int, primary-key: yes-please, null-rate: 2}
sink: {type: stdout}
pipeline: {name: p}
)") == Lines{"t.yaml:4:20: source.rows-per-second: expected a number >= 0, found 'fast'",
             "t.yaml:6:42: source.columns[0].primary-key: expected true or false, found "
             "'yes-please'",
             "t.yaml:6:65: source.columns[0].null-rate: expected a number 0..1, found '2'"});
}

TEST_CASE("bad: server-id forms") {
  CHECK(problems_of(with("server-id: 5401", "server-id: 54x1")) ==
        Lines{"t.yaml:8:14: source.server-id: expected a server id 1..4294967295 or a range such "
              "as 5400-5404, found '54x1'"});
  CHECK(problems_of(with("server-id: 5401", "server-id: 5404-5400")) ==
        Lines{"t.yaml:8:14: source.server-id: expected a range first-last with first <= last, "
              "found '5404-5400'"});
}

TEST_CASE("bad: cross-field checks of validate()") {
  CHECK(problems_of(with("name: p",
                         "name: p\n  restart.initial-backoff: 10s\n"
                         "  restart.max-backoff: 5s")) ==
        Lines{"t.yaml:14:24: pipeline.restart.max-backoff: expected a duration >= "
              "restart.initial-backoff (10s), found '5s'"});
  CHECK(problems_of(
            with("server-id: 5401", "server-id: 5401\n  scan.startup.mode: specific-offset")) ==
        Lines{"t.yaml:9:22: source.scan.startup.mode: startup mode specific-offset needs "
              "scan.startup.specific-offset.file (with .pos) or "
              "scan.startup.specific-offset.gtid-set"});
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  scan.startup.mode: timestamp")) ==
        Lines{"t.yaml:9:22: source.scan.startup.mode: startup mode timestamp needs "
              "scan.startup.timestamp-millis"});
  CHECK(problems_of(with("type: stdout", "type: file\n  path: ''")) ==
        Lines{"t.yaml:11:9: sink.path: expected a file path, found ''"});
  // Names are free text (Flink CDC's "MySQL to Kafka Pipeline"), but not empty.
  CHECK(problems_of(with("name: p", "name: 'bad name!'")) == Lines{});
  CHECK(problems_of(with("name: p", "name: \"a\\bb\"")) ==
        Lines{"t.yaml:12:9: pipeline.name: expected a name of 1..200 bytes without control "
              "characters, found 'a\bb'"});
}

TEST_CASE("bad: TLS settings that cannot work") {
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  ssl-mode: verify-ca")) ==
        Lines{"t.yaml:9:13: source.ssl-mode: ssl-mode verify-ca checks the server certificate "
              "against a CA: set ssl.ca to its PEM file"});
  CHECK(
      problems_of(with("server-id: 5401",
                       "server-id: 5401\n  ssl-mode: verify-identity\n"
                       "  ssl.ca: /etc/ca.pem\n  ssl.cert: /etc/c.pem")) ==
      Lines{"t.yaml:11:13: source.ssl.cert: a client certificate needs both ssl.cert and ssl.key"});
  CHECK(problems_of(with("server-id: 5401",
                         "server-id: 5401\n  ssl-mode: required\n"
                         "  ssl.cert: /etc/c.pem\n  ssl.key: /etc/k.pem"))
            .empty());
}

TEST_CASE("bad: datagen columns") {
  CHECK(problems_of(R"(source:
  type: datagen
  table: t
  columns:
    - {name: id, type: blob}
    - {name: id, type: varchar(8), kind: sequence}
    - {name: n, type: int, min: 10, max: 1, kind: randm}
sink: {type: stdout}
pipeline: {name: p}
)") == Lines{"t.yaml:5:24: source.columns[0].type: unsupported column type 'blob'; supported: "
             "tinyint, smallint, int, bigint (each optionally unsigned), boolean, float, double, "
             "decimal(p,s), char(n), varchar(n), text, date, datetime(fsp), timestamp(fsp), json",
             "t.yaml:6:14: source.columns[1].name: duplicate column name 'id' (also columns[0])",
             "t.yaml:6:42: source.columns[1].kind: kind sequence needs an integer type, found "
             "'varchar(8)'",
             "t.yaml:7:42: source.columns[2].max: expected max >= min",
             "t.yaml:7:51: source.columns[2].kind: expected one of sequence, random, found "
             "'randm'"});
  CHECK(problems_of(R"(source: {type: datagen, table: t, columns: []}
sink: {type: stdout}
pipeline: {name: p}
)") == Lines{"t.yaml:1:44: source.columns: expected at least one column, found none"});
}

TEST_CASE("several problems in one file are all reported, in file order") {
  const LoadOutcome out = load_file(kFixtures + "bad/several.yaml", map_environment({}));
  CHECK_FALSE(out.ok());
  std::vector<std::string> got;
  for (const Problem& p : out.problems) got.push_back(p.to_string().substr(kFixtures.size()));
  CHECK(got == Lines{
                   "bad/several.yaml:2:3: source.hostname: missing required key 'hostname'",
                   "bad/several.yaml:3:3: source.hostnam: unknown key 'hostnam'; did you mean "
                   "'hostname'?",
                   "bad/several.yaml:4:9: source.port: expected an integer 1..65535, found 'abc'",
                   "bad/several.yaml:5:13: source.username: expected a string, found a list",
                   "bad/several.yaml:6:11: source.tables: invalid regex 'app_db.(orders': "
                   "Mismatched '(' and ')' in regular expression",
                   "bad/several.yaml:10:17: sink.value.format: expected one of debezium-json, "
                   "upsert, canal-json, found 'json'",
                   "bad/several.yaml:12:9: pipeline.name: expected a name of 1..200 bytes "
                   "without control characters, found 'bad\tname'",
                   "bad/several.yaml:13:24: pipeline.checkpoint.interval: expected a duration "
                   "such as 500ms, 10s, 5min, 2h or 1d, found '5' (a unit is required: ms, s, "
                   "min, h or d)",
                   "bad/several.yaml:14:20: pipeline.queue.max-bytes: expected a size >= 64kb, "
                   "found '1kb'",
                   "bad/several.yaml:16:24: pipeline.restart.max-backoff: expected a duration >= "
                   "restart.initial-backoff (10s), found '5s'",
               });
  REQUIRE_FALSE(out.problems.empty());
  CHECK(out.problems[0].line == 2);
  CHECK(out.problems[0].column == 3);
  CHECK(out.problems[0].key_path == "source.hostname");
}

TEST_CASE("nothing crashes on odd input") {
  for (std::string_view yaml :
       {"~", "[]", "{}", "a: &x [*x]", "source: *nope", "? [a]\n: b\n", "---\na: 1\n---\nb: 2\n",
        "source: {type: mysql, tables: [[a]], server-id: -1, port: 1.5}\nsink: 3\npipeline: []\n",
        "pipelines: {}", "pipelines: [1, {source: {type: datagen}}]", "\t\x01\xff",
        "source: {type: datagen, columns: [{values: {a: b}, length: 0, min: x}]}\n"}) {
    CAPTURE(yaml);
    const LoadOutcome out = load_string(yaml, "odd.yaml", map_environment({}));
    CHECK_FALSE(out.ok());
    CHECK_FALSE(out.problems.empty());
  }
}

TEST_CASE("bad: an empty value is located at its key, a bad list item once") {
  CHECK(problems_of(with("hostname: db", "hostname:")) ==
        Lines{"t.yaml:3:3: source.hostname: expected a host name or address, found ''"});
  CHECK(problems_of(with("tables: app.orders", "tables: [app.orders, [x]]")) ==
        Lines{"t.yaml:7:24: source.tables[1]: expected a string, found a list"});
}

TEST_CASE("bad: exponential alias expansion is refused") {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev("*a");
    prev += std::to_string(i - 1);
    yaml += 'a';
    yaml += std::to_string(i);
    yaml += ": &a";
    yaml += std::to_string(i);
    yaml += " [";
    for (int k = 0; k < 10; ++k) {
      if (k > 0) yaml += ", ";
      yaml += prev;
    }
    yaml += "]\n";
  }
  CHECK(problems_of(yaml) ==
        Lines{"t.yaml: YAML syntax error: too many alias expansions (more than 100000 nodes)"});
}

TEST_CASE("issue_19: a value that is not UTF-8 is refused, naming the key, without the value") {
  CHECK(problems_of(with("password: hunter2",
                         "password: \"hunt\xff"
                         "er2\"")) ==
        Lines{"t.yaml:6:13: source.password: expected a string in UTF-8, found a byte that is not "
              "UTF-8 (0xff at byte 4 of the value)"});
  // A truncated sequence and an encoded surrogate are not UTF-8 either.
  CHECK(problems_of(with("hostname: db", "hostname: db\xc3")) ==
        Lines{"t.yaml:3:13: source.hostname: expected a string in UTF-8, found a "
              "byte that is not UTF-8 (0xc3 at byte 2 of the value)"});
  CHECK(problems_of(with("username: u", "username: \"\xed\xa0\x80\"")).size() == 1);
  // Well-formed UTF-8 passes.
  CHECK(problems_of(with("password: hunter2", "password: \"pässwörd-密码\"")).empty());
}

TEST_CASE("issue_19: a NUL byte is reported as one, at its line and column") {
  std::string yaml(kValid);
  yaml.insert(yaml.find("username") + 2, 1, '\0');  // line 5, "  us\0ername"
  CHECK(problems_of(yaml) ==
        Lines{"t.yaml:5:5: a NUL byte (at byte 54): a configuration file is UTF-8 text; is this a "
              "binary file?"});
}

TEST_CASE("issue_19: 100k unknown keys: linear, the first 100 problems kept and the rest counted") {
  std::string yaml(kValid);
  constexpr int kKeys = 100'000;
  for (int i = 0; i < kKeys; ++i) yaml += "k" + std::to_string(i) + ": 1\n";
  // CPU time, not wall time: the machine running the tests may be busy with others.
  const std::clock_t start = std::clock();
  const LoadOutcome out = load_string(yaml, "t.yaml", map_environment({}));
  const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  MESSAGE("100k unknown keys loaded in " << seconds << " s of CPU");
  CHECK(seconds < 2.0);  // quadratic, this took minutes
  REQUIRE(out.problems.size() == kShownProblems);
  CHECK(out.more_problems == kKeys - kShownProblems);
  CHECK(out.problems.front().to_string() ==
        "t.yaml:13:1: k0: unknown key 'k0'; expected one of: source, sink, route, transform, "
        "pipeline, pipelines");
  CHECK(out.problems.back().to_string() ==
        "t.yaml:112:1: k99: unknown key 'k99'; expected one of: source, sink, route, transform, "
        "pipeline, pipelines");
}

TEST_CASE("issue_19: a file over 16 MiB is refused unread") {
  const std::string path = "/tmp/sluice-config-test-big-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream f(path, std::ios::binary);
    f << kValid << "# ";
    f << std::string(kMaxConfigFileBytes, 'x');
  }
  const LoadOutcome out = load_file(path);
  std::remove(path.c_str());
  REQUIRE(out.problems.size() == 1);
  CHECK(out.problems[0].to_string() ==
        path + ": the file is larger than 16 MiB, the most a configuration file may hold");
}

TEST_CASE("signal.data-collection: read as db.table; anything else is refused") {
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  signal.data-collection: app.sig"))
            .empty());
  CHECK(problems_of(with("server-id: 5401", "server-id: 5401\n  signal.data-collection: sig")) ==
        Lines{"t.yaml:9:27: source.signal.data-collection: expected \"db.table\", found 'sig'"});
}

// The PostgreSQL source in Flink CDC's postgres pipeline shape.
constexpr std::string_view kPostgres = R"(source:
  type: postgres
  hostname: db
  username: u
  password: hunter2
  tables: shop\.public\.orders
  slot.name: s1
sink:
  type: stdout
pipeline:
  name: p
)";

TEST_CASE("postgres source: a minimal file is valid; the database comes from tables") {
  const LoadOutcome out = load_string(kPostgres, "t.yaml", map_environment({}));
  REQUIRE(out.problems.empty());
  const auto& o = std::get<cdc::postgres::PostgresSourceOptions>(out.config->pipelines[0].source);
  CHECK(o.database == "shop");
  CHECK(o.port == 5432);
  CHECK(o.publication() == "sluice_s1");
  CHECK(o.proto_version == 2);
  CHECK(o.streaming);
  CHECK(o.startup_mode == cdc::postgres::StartupMode::initial);
  CHECK(o.snapshot_chunk_size == 8096);
  CHECK(o.snapshot_parallelism == 1);
  CHECK(o.heartbeat_interval == std::chrono::seconds(30));
  CHECK(o.pipeline_name == "p");
}

TEST_CASE("toast.placeholder: unset by default, any string when given (stdout, kafka, redis)") {
  const LoadOutcome plain = load_string(kPostgres, "t.yaml", map_environment({}));
  REQUIRE(plain.problems.empty());
  CHECK_FALSE(std::get<StdoutSinkOptions>(plain.config->pipelines[0].sink).toast_placeholder);
  const auto with_sink = [](const std::string& sink) {
    std::string yaml(kPostgres);
    yaml.replace(yaml.find("type: stdout"), 12, sink);
    const LoadOutcome out = load_string(yaml, "t.yaml", map_environment({}));
    REQUIRE(out.problems.empty());
    return out.config->pipelines[0].sink;
  };
  CHECK(std::get<StdoutSinkOptions>(
            with_sink("type: stdout\n  toast.placeholder: __debezium_unavailable_value"))
            .toast_placeholder == "__debezium_unavailable_value");
  CHECK(std::get<cdc::sinks::kafka::KafkaOptions>(
            with_sink("type: kafka\n  properties.bootstrap.servers: 127.0.0.1:9\n"
                      "  toast.placeholder: ''"))
            .toast_placeholder == "");
  CHECK(
      std::get<cdc::sinks::redis::RedisOptions>(with_sink("type: redis\n  toast.placeholder: '?'"))
          .toast_placeholder == "?");
}

TEST_CASE("postgres source: signal.data-collection read as schema.table; anything else refused") {
  std::string yaml(kPostgres);
  yaml.replace(yaml.find("slot.name: s1\n"), 14,
               "slot.name: s1\n  signal.data-collection: public.sig\n");
  const LoadOutcome out = load_string(yaml, "t.yaml", map_environment({}));
  REQUIRE(out.problems.empty());
  CHECK(std::get<cdc::postgres::PostgresSourceOptions>(out.config->pipelines[0].source)
            .signal_data_collection == "public.sig");
  for (const char* bad : {"sig", "shop.public.sig", ".sig", "public."}) {
    std::string b(kPostgres);
    b.replace(b.find("slot.name: s1\n"), 14,
              std::string("slot.name: s1\n  signal.data-collection: '") + bad + "'\n");
    CHECK(problems_of(b) == Lines{"t.yaml:8:27: source.signal.data-collection: expected "
                                  "\"schema.table\", found '" +
                                  std::string(bad) + "'"});
  }
}

TEST_CASE("postgres source: refusals name the key and the fix") {
  const auto pg_with = [](std::string_view from, std::string_view to) {
    std::string s(kPostgres);
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    return s;
  };
  CHECK(problems_of(
            pg_with("slot.name: s1\n", "slot.name: s1\n  decoding.plugin.name: wal2json\n")) ==
        Lines{"t.yaml:8:25: source.decoding.plugin.name: Flink CDC option 'decoding.plugin.name' "
              "is supported only as 'pgoutput', found 'wal2json': sluice decodes pgoutput, "
              "PostgreSQL's built-in plugin"});
  CHECK(problems_of(pg_with("slot.name: s1\n",
                            "slot.name: s1\n  scan.incremental.snapshot.chunk.size: 0\n"))
            .size() == 1);
  CHECK(
      problems_of(pg_with("slot.name: s1\n", "slot.name: s1\n  scan.snapshot.parallelism: 0\n")) ==
      Lines{"t.yaml:8:30: source.scan.snapshot.parallelism: expected an integer 1..64, found "
            "'0'"});
  CHECK(
      problems_of(pg_with("slot.name: s1\n", "slot.name: s1\n  scan.snapshot.parallelism: 65\n")) ==
      Lines{"t.yaml:8:30: source.scan.snapshot.parallelism: expected an integer 1..64, found "
            "'65'"});
  {
    const LoadOutcome out =
        load_string(pg_with("slot.name: s1\n", "slot.name: s1\n  scan.snapshot.parallelism: 4\n"),
                    "t.yaml", map_environment({}));
    REQUIRE(out.problems.empty());
    CHECK(std::get<cdc::postgres::PostgresSourceOptions>(out.config->pipelines[0].source)
              .snapshot_parallelism == 4);
  }
  CHECK(
      problems_of(pg_with("tables: shop\\.public\\.orders", "tables: '(a|b)\\.public\\.orders'")) ==
      Lines{
          "t.yaml:2:3: source.database-name: the database is not a plain name in the first tables "
          "pattern '(a|b)\\.public\\.orders': set database-name"});
  CHECK(problems_of(pg_with("slot.name: s1\n", "slot.name: s1\n  protocol.version: 1\n")) ==
        Lines{"t.yaml:2:3: source.streaming: streaming needs protocol.version 2, found 1: set "
              "streaming: false or protocol.version: 2"});
  CHECK(
      problems_of(pg_with("slot.name: s1\n", "slot.name: s1\n  sslmode: verify-full\n")) ==
      Lines{
          "t.yaml:8:12: source.sslmode: sslmode verify-full checks the server certificate against "
          "a CA: set sslrootcert to its PEM file"});
  CHECK(problems_of(pg_with("  slot.name: s1\n", "")) ==
        Lines{"t.yaml:2:3: source.slot.name: missing required key 'slot.name'"});
}
