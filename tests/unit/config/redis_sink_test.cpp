// The `sink: {type: redis}` section: every key lands in its field, defaults and inheritance by
// `tables` items, the key-template syntax, and each problem as the exact text an operator reads.
#include <doctest/doctest.h>

#include "config/loader.h"
#include "tests/unit/config/problem_lines.h"

using namespace cdc::config;
using cdc::sinks::redis::Mode;
using cdc::sinks::redis::RedisOptions;
namespace json = cdc::json;
using std::chrono::milliseconds;

namespace {

using Lines = std::vector<std::string>;

constexpr std::string_view kHead =
    R"(source: {type: mysql, hostname: h, username: u, tables: db.t, server-id: 7}
pipeline: {name: p}
sink:
  type: redis
)";

LoadOutcome load_sink(std::string_view sink_keys) {
  return load_string(std::string(kHead) + std::string(sink_keys), "r.yaml",
                     map_environment({{"REDIS_PASSWORD", "s3cret"}}));
}

Lines problems_of(std::string_view sink_keys) {
  const LoadOutcome out = load_sink(sink_keys);
  Lines s;
  for (const Problem& p : out.problems) s.push_back(p.to_string());
  return s;
}

const RedisOptions& redis_of(const LoadOutcome& out) {
  REQUIRE(out.ok());
  return std::get<RedisOptions>(out.config->pipelines.at(0).sink);
}

}  // namespace

TEST_CASE("redis sink: defaults of a minimal section") {
  const LoadOutcome out = load_sink("");
  const RedisOptions& r = redis_of(out);
  CHECK(r.host == "127.0.0.1");
  CHECK(r.port == 6379);
  CHECK(r.socket.empty());
  CHECK(r.username.empty());
  CHECK(r.password.empty());
  CHECK(r.database == 0);
  CHECK(r.connect_timeout == milliseconds(5000));
  CHECK(r.command_timeout == milliseconds(30000));
  CHECK(r.max_in_flight == 1000);
  CHECK(r.batch_max_commands == 10000);
  CHECK(r.offset_key == "sluice:offset:p");  // normalize(): from the pipeline name
  CHECK(r.key_separator == ":");
  CHECK_FALSE(r.skip_null_keys);  // key.null-handling: error
  CHECK(r.stream_format == json::Format::debezium_json);
  CHECK(r.defaults.mode == Mode::string);
  CHECK(r.defaults.key == "{db}:{table}:{pk}");
  CHECK(r.defaults.ttl == milliseconds(0));
  CHECK_FALSE(r.defaults.hash_changed_only);
  CHECK(r.tables.empty());
}

TEST_CASE("redis sink: every key lands in its field; tables items inherit and override") {
  const LoadOutcome out = load_sink(R"(  host: cache.internal
  port: 6380
  username: app
  password: ${REDIS_PASSWORD}
  database: 3
  connect.timeout: 2s
  command.timeout: 10s
  pipeline.max-in-flight: 64
  batch.max-commands: 500
  offset.key: my:offset
  key.separator: '|'
  key.null-handling: skip
  value.format: upsert
  mode: hash
  key: 'row:{id}'
  ttl: 10min
  hash.changed-columns-only: true
  tables:
    - source-table: 'db\.users'
      mode: string
      key: 'user:{id}'
      value.column: name
    - source-table: 'db\.events'
      mode: stream
      stream.maxlen: 1000
    - source-table: 'db\.sessions'
      mode: invalidate
      key: 'session:{token}'
      invalidate.channel: inval
)");
  const RedisOptions& r = redis_of(out);
  CHECK(r.host == "cache.internal");
  CHECK(r.port == 6380);
  CHECK(r.username == "app");
  CHECK(r.password == "s3cret");
  CHECK(r.database == 3);
  CHECK(r.connect_timeout == milliseconds(2000));
  CHECK(r.command_timeout == milliseconds(10000));
  CHECK(r.max_in_flight == 64);
  CHECK(r.batch_max_commands == 500);
  CHECK(r.offset_key == "my:offset");
  CHECK(r.key_separator == "|");
  CHECK(r.skip_null_keys);  // key.null-handling: skip
  CHECK(r.stream_format == json::Format::upsert);
  CHECK(r.defaults.mode == Mode::hash);
  CHECK(r.defaults.key == "row:{id}");
  CHECK(r.defaults.ttl == milliseconds(600'000));
  CHECK(r.defaults.hash_changed_only);
  REQUIRE(r.tables.size() == 3);
  CHECK(r.tables[0].source_table == "db\\.users");
  CHECK(r.tables[0].mode == Mode::string);
  CHECK(r.tables[0].key == "user:{id}");
  CHECK(r.tables[2].ttl == milliseconds(600'000));  // inherited, unused by invalidate: no problem
  CHECK(r.tables[0].value_column == "name");
  CHECK(r.tables[0].ttl == milliseconds(600'000));  // inherited
  CHECK(r.tables[1].mode == Mode::stream);
  CHECK(r.tables[1].key == "{db}:{table}:changes");  // another mode: not the sink-level key
  CHECK(r.tables[1].stream_maxlen == 1000);
  CHECK(r.tables[2].mode == Mode::invalidate);
  CHECK(r.tables[2].key == "session:{token}");
  CHECK(r.tables[2].channel == "inval");
}

TEST_CASE("redis sink: a stream table without a key gets a stream per table") {
  const LoadOutcome one = load_sink("  mode: stream\n");
  CHECK(redis_of(one).defaults.key == "{db}:{table}:changes");
  const LoadOutcome per_table =
      load_sink("  tables:\n    - {source-table: 'a\\.b', mode: stream}\n");
  const RedisOptions& t = redis_of(per_table);
  CHECK(t.defaults.key == "{db}:{table}:{pk}");
  CHECK(t.tables.at(0).key == "{db}:{table}:changes");
}

TEST_CASE("redis sink: problems") {
  CHECK(
      problems_of("  mode: list\n") ==
      Lines{
          "r.yaml:5:9: sink.mode: expected one of string, hash, invalidate, stream, found 'list'"});
  CHECK(problems_of("  key: 'user:{id'\n") ==
        Lines{"r.yaml:5:8: sink.key: key template 'user:{id': '{' is not closed at offset 5"});
  CHECK(problems_of("  key: 'a}b'\n") ==
        Lines{"r.yaml:5:8: sink.key: key template 'a}b': '}' without '{' (write '}}' for a literal "
              "brace) at offset 1"});
  CHECK(problems_of("  key: 'x:{}'\n") ==
        Lines{"r.yaml:5:8: sink.key: key template 'x:{}': empty placeholder '{}' at offset 2"});
  CHECK(
      problems_of("  ttl: 1h\n  mode: stream\n") ==
      Lines{
          "r.yaml:5:8: sink.ttl: ttl applies to modes string and hash only, found mode 'stream'"});
  CHECK(problems_of("  value.column: v\n  mode: hash\n") ==
        Lines{"r.yaml:5:17: sink.value.column: value.column applies to mode string only, found "
              "mode 'hash'"});
  CHECK(
      problems_of("  hash.changed-columns-only: true\n") ==
      Lines{
          "r.yaml:5:30: sink.hash.changed-columns-only: hash.changed-columns-only applies to mode "
          "hash only, found mode 'string'"});
  CHECK(problems_of("  invalidate.channel: c\n") ==
        Lines{"r.yaml:5:23: sink.invalidate.channel: invalidate.channel applies to mode invalidate "
              "only, found mode 'string'"});
  CHECK(problems_of("  stream.maxlen: 10\n") ==
        Lines{"r.yaml:5:18: sink.stream.maxlen: stream.maxlen applies to mode stream only, found "
              "mode 'string'"});
  CHECK(problems_of("  key.null-handling: ignore\n") ==
        Lines{"r.yaml:5:22: sink.key.null-handling: expected one of error, skip, found 'ignore'"});
  CHECK(
      problems_of("  key.separator: ''\n") ==
      Lines{
          "r.yaml:5:18: sink.key.separator: expected a non-empty separator such as ':', found ''"});
  CHECK(
      problems_of("  host: ''\n") ==
      Lines{
          "r.yaml:5:9: sink.host: expected a host name (or a socket path in 'socket'), found ''"});
  CHECK(problems_of("  host: ''\n  socket: /run/redis.sock\n").empty());
  CHECK(problems_of("  username: app\n") ==
        Lines{"r.yaml:4:3: sink.password: AUTH with username 'app' needs a password"});
  CHECK(problems_of("  batch.max-commands: 0\n") ==
        Lines{"r.yaml:5:23: sink.batch.max-commands: expected an integer >= 1, found '0'"});
  CHECK(
      problems_of("  pipeline.max-inflight: 5\n") ==
      Lines{"r.yaml:5:3: sink.pipeline.max-inflight: unknown key 'pipeline.max-inflight'; did you "
            "mean 'pipeline.max-in-flight'?"});
  CHECK(problems_of("  password: [a]\n") ==
        Lines{"r.yaml:5:13: sink.password: expected a string, found a list"});
}

TEST_CASE("redis sink: problems in tables items name the item") {
  CHECK(problems_of("  tables:\n    - {mode: hash}\n") ==
        Lines{"r.yaml:6:7: sink.tables[0].source-table: missing required key 'source-table'"});
  CHECK(problems_of("  tables:\n    - {source-table: 'a(', mode: hash}\n") ==
        Lines{"r.yaml:6:22: sink.tables[0].source-table: invalid regex 'a(': Mismatched '(' and "
              "')' in regular expression"});
  CHECK(problems_of("  tables:\n    - {source-table: 'a\\.b', mode: stream, ttl: 5s}\n") ==
        Lines{"r.yaml:6:49: sink.tables[0].ttl: ttl applies to modes string and hash only, found "
              "mode 'stream'"});
  // Inherited mode-specific keys serve the tables of their mode and are not judged elsewhere.
  CHECK(problems_of("  ttl: 5s\n  tables:\n    - {source-table: 'a\\.b', mode: stream}\n").empty());
  CHECK(problems_of("  tables:\n    - {source-table: 'a\\.b', keys: 'x'}\n") ==
        Lines{"r.yaml:6:30: sink.tables[0].keys: unknown key 'keys'; did you mean 'key'?"});
  CHECK(problems_of("  tables: 'a'\n") ==
        Lines{"r.yaml:5:11: sink.tables: expected a list of mappings, found 'a'"});
}

TEST_CASE("redis sink: tls keys land in their fields; combinations that cannot work are refused") {
  const auto out = load_sink(
      "  tls: true\n  tls.ca: /etc/ca.pem\n  tls.cert: /etc/c.pem\n  tls.key: /etc/k.pem\n"
      "  tls.verify-identity: false\n");
  const RedisOptions& o = redis_of(out);
  CHECK(o.tls);
  CHECK(o.tls_ca == "/etc/ca.pem");
  CHECK(o.tls_cert == "/etc/c.pem");
  CHECK(o.tls_key == "/etc/k.pem");
  CHECK_FALSE(o.tls_verify_identity);
  CHECK(redis_of(load_sink("  tls: true\n")).tls_verify_identity);  // the default
  CHECK(problems_of("  tls: true\n  socket: /run/redis.sock\n") ==
        Lines{"r.yaml:5:8: sink.tls: TLS is for TCP: use host and port instead of socket"});
  CHECK(problems_of("  tls.ca: /etc/ca.pem\n") ==
        Lines{"r.yaml:5:11: sink.tls.ca: tls.ca needs 'tls: true'"});
  CHECK(problems_of("  tls: true\n  tls.cert: /etc/c.pem\n") ==
        Lines{"r.yaml:5:8: sink.tls.key: tls.cert and tls.key go together: a client certificate "
              "needs its key"});
}
