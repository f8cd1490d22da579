// Flink CDC's options that sluice has no key of its own for: every key of every table is either
// accepted (its value names what sluice does) or refused with exactly one line that names the key
// and says what sluice does instead; Flink's `tables` syntax becomes the source's regex.
#include "config/flink_keys.h"

#include <doctest/doctest.h>

#include <regex>

#include "config/loader.h"
#include "tests/unit/config/problem_lines.h"

using namespace cdc::config;

namespace {

using Lines = std::vector<std::string>;

// A valid pipeline (mysql or postgres -> kafka, or -> doris) with `extra` appended under
// `section`.
std::string file_with(flink::Section section, const std::string& extra) {
  const bool doris = section == flink::Section::doris_sink;
  std::string source =
      section == flink::Section::postgres_source
          ? "source:\n  type: postgres\n  hostname: h\n  username: u\n  tables: db.public.t\n"
            "  slot.name: s1\n" +
                extra
          : "source:\n  type: mysql\n  hostname: h\n  username: u\n  tables: db.t\n"
            "  server-id: 7\n";
  std::string sink = doris ? "sink:\n  type: doris\n  fenodes: 127.0.0.1:8030\n"
                           : "sink:\n  type: kafka\n  properties.bootstrap.servers: k:9092\n";
  std::string pipeline = "pipeline:\n  name: Flink file\n";
  if (section == flink::Section::mysql_source) source += extra;
  if (section == flink::Section::kafka_sink || doris) sink += extra;
  if (section == flink::Section::pipeline) pipeline += extra;
  return source + sink + pipeline;
}

Lines problems_of(const std::string& text) {
  Lines lines;
  for (const Problem& p : load_string(text, "f.yaml", map_environment({})).problems)
    lines.push_back(p.to_string());
  return lines;
}

}  // namespace

TEST_CASE("flink keys: each refused value gives one line naming the key, each accepted one none") {
  int refused = 0;
  int accepted = 0;
  for (auto section :
       {flink::Section::pipeline, flink::Section::mysql_source, flink::Section::postgres_source,
        flink::Section::kafka_sink, flink::Section::doris_sink}) {
    const bool source =
        section == flink::Section::mysql_source || section == flink::Section::postgres_source;
    const std::string where = section == flink::Section::pipeline ? "pipeline"
                              : source                            ? "source"
                                                                  : "sink";
    for (const flink::FlinkKey& k : flink::keys_of(section)) {
      const std::string key = k.key.ends_with('.') ? std::string(k.key) + "x" : std::string(k.key);
      INFO(where << "." << key);
      if (k.accepted != "*") {
        const Lines got = problems_of(file_with(section, "  " + key + ": zzz\n"));
        REQUIRE(got.size() == 1);
        CHECK(got[0].find("f.yaml:") == 0);
        CHECK(got[0].find(": " + where + "." + key + ": Flink CDC option '" + key + "' ") !=
              std::string::npos);
        CHECK(got[0].find(std::string(k.instead)) != std::string::npos);
        CHECK(got[0].find('\n') == std::string::npos);
        ++refused;
      }
      if (!k.accepted.empty()) {
        const std::string value = k.accepted == "*"
                                      ? "anything"
                                      : std::string(k.accepted.substr(0, k.accepted.find('|')));
        CHECK(problems_of(file_with(section, "  " + key + ": " + value + "\n")) == Lines{});
        ++accepted;
      }
    }
  }
  CHECK(refused >= 30);
  CHECK(accepted >= 20);
}

TEST_CASE("flink keys: exact refusal lines") {
  CHECK(problems_of(file_with(flink::Section::mysql_source, "  debezium.snapshot.mode: never\n")) ==
        Lines{"f.yaml:7:27: source.debezium.snapshot.mode: Flink CDC option "
              "'debezium.snapshot.mode' is not supported: sluice reads the binlog itself, without "
              "Debezium; its options are README's \"source (type mysql)\" table"});
  CHECK(problems_of(file_with(flink::Section::kafka_sink, "  key.format: csv\n")) ==
        Lines{"f.yaml:10:15: sink.key.format: Flink CDC option 'key.format' is supported only "
              "as 'json', found 'csv': sluice writes each key as a JSON object of the key "
              "columns"});
  CHECK(problems_of(file_with(flink::Section::pipeline,
                              "  user-defined-function:\n"
                              "    - name: addone\n"
                              "      classpath: a.B\n")) ==
        Lines{"f.yaml:13:5: pipeline.user-defined-function: Flink CDC option "
              "'user-defined-function' is not supported: sluice has no JVM to load UDF classes; "
              "transforms use the built-in functions (README \"Expressions\")"});
  // Values compare ignoring case, as Flink's enum options do.
  CHECK(problems_of(file_with(flink::Section::pipeline, "  execution.runtime-mode: STREAMING\n")) ==
        Lines{});
}

TEST_CASE("flink keys: cosmetic name, description and parallelism") {
  auto out = load_string(
      file_with(flink::Section::pipeline, "  description: nightly sync\n  parallelism: 4\n") + "",
      "f.yaml", map_environment({}));
  REQUIRE(out.ok());
  CHECK(out.config->pipelines[0].pipeline.description == "nightly sync");
  CHECK(out.config->pipelines[0].pipeline.parallelism == 4);
  CHECK(problems_of(file_with(flink::Section::pipeline, "  parallelism: 0\n")) ==
        Lines{"f.yaml:12:16: pipeline.parallelism: expected an integer >= 1, found '0'"});
  // `name` on every source and sink type (Flink's cosmetic connector name).
  CHECK(problems_of("source: {type: datagen, name: Gen, table: t, columns: [{name: id, type: "
                    "int}]}\nsink: {type: stdout, name: Out}\npipeline: {name: p}\n") == Lines{});
  CHECK(problems_of("source: {type: datagen, table: t, columns: [{name: id, type: int}]}\n"
                    "sink: {type: redis, name: R}\npipeline: {name: p}\n") == Lines{});
}

TEST_CASE("flink keys: local-time-zone and schema.change.behavior") {
  auto out = load_string(file_with(flink::Section::pipeline, "  local-time-zone: Asia/Shanghai\n"),
                         "f.yaml", map_environment({}));
  REQUIRE(out.ok());
  CHECK(out.config->pipelines[0].pipeline.local_time_zone == "Asia/Shanghai");
  CHECK(problems_of(file_with(flink::Section::pipeline, "  schema.change.behavior: LENIENT\n")) ==
        Lines{});
  CHECK(problems_of(file_with(flink::Section::pipeline, "  schema.change.behavior: exception\n")) ==
        Lines{"f.yaml:12:27: pipeline.schema.change.behavior: Flink CDC schema.change.behavior "
              "'exception' is not supported with this sink: it writes each row with the columns "
              "it has; use lenient, try_evolve or evolve"});
  const std::string doris =
      "source: {type: datagen, table: t, columns: [{name: id, type: int}]}\n"
      "sink: {type: doris, fenodes: 'h:1'}\n"
      "pipeline: {name: p, schema.change.behavior: ";
  using B = cdc::sinks::doris::SchemaChangeBehavior;
  const std::pair<const char*, B> modes[] = {{"evolve", B::evolve},
                                             {"try_evolve", B::try_evolve},
                                             {"lenient", B::lenient},
                                             {"ignore", B::ignore},
                                             {"EXCEPTION", B::exception}};
  for (const auto& [word, mode] : modes) {
    auto d = load_string(doris + word + "}\n", "f.yaml", map_environment({}));
    REQUIRE(d.ok());
    CHECK(std::get<cdc::sinks::doris::DorisOptions>(d.config->pipelines[0].sink).schema_change ==
          mode);
  }
  auto no_key = load_string(
      "source: {type: datagen, table: t, columns: [{name: id, type: int}]}\n"
      "sink: {type: doris, fenodes: 'h:1'}\npipeline: {name: p}\n",
      "f.yaml", map_environment({}));
  REQUIRE(no_key.ok());
  CHECK(std::get<cdc::sinks::doris::DorisOptions>(no_key.config->pipelines[0].sink).schema_change ==
        B::evolve);
  CHECK(problems_of(doris + "maybe}\n") ==
        Lines{"f.yaml:3:45: pipeline.schema.change.behavior: expected one of ignore, lenient, "
              "try_evolve, evolve, exception, found 'maybe'"});
}

TEST_CASE("flink keys: Kafka partition.strategy") {
  auto zero =
      load_string(file_with(flink::Section::kafka_sink, "  partition.strategy: all-to-zero\n"),
                  "f.yaml", map_environment({}));
  REQUIRE(zero.ok());
  CHECK(std::get<cdc::sinks::kafka::KafkaOptions>(zero.config->pipelines[0].sink).fixed_partition ==
        0);
  auto hash =
      load_string(file_with(flink::Section::kafka_sink, "  partition.strategy: hash-by-key\n"),
                  "f.yaml", map_environment({}));
  REQUIRE(hash.ok());
  CHECK_FALSE(
      std::get<cdc::sinks::kafka::KafkaOptions>(hash.config->pipelines[0].sink).fixed_partition);
  CHECK(problems_of(file_with(flink::Section::kafka_sink,
                              "  partition: 3\n  partition.strategy: hash-by-key\n")) ==
        Lines{"f.yaml:11:23: sink.partition.strategy: hash-by-key spreads records by key; "
              "'partition' sends every record to one partition: set one of them"});
}

TEST_CASE("flink keys: Flink's tables syntax becomes the source's regex over db.table") {
  CHECK(flink::table_regex(R"(adb.\.*)") == R"(adb\..*)");
  // Without a '\.' both readings match the same names: left as written.
  CHECK(flink::table_regex(R"(bdb.user_table_[0-9]+)") == R"(bdb.user_table_[0-9]+)");
  CHECK(flink::table_regex(R"([app|web].order_\.*)") == R"([app|web]\.order_.*)");
  CHECK(flink::table_regex(R"(db\.*.tab\.*)") == R"(db.*\.tab.*)");
  // sluice's own regexes are left as they are.
  for (const char* own : {R"(shop\.(users|orders))", R"(app_db\..*)", R"(app\.a.+)", "a\\.b"}) {
    CHECK(flink::table_regex(own) == own);
  }
  // The Flink documentation's example, as the MySQL source then matches it.
  auto out = load_string(
      "source:\n  type: mysql\n  hostname: h\n  username: u\n  server-id: 7\n"
      "  tables: adb.\\.*, bdb.user_table_[0-9]+, [app|web].order_\\.*\n"
      "sink: {type: null}\npipeline: {name: p}\n",
      "f.yaml", map_environment({}));
  REQUIRE(out.ok());
  const auto& tables =
      std::get<cdc::mysql::MysqlSourceOptions>(out.config->pipelines[0].source).table_include;
  REQUIRE(tables.size() == 3);
  const auto matches = [&](const std::string& table) {
    for (const auto& t : tables) {
      if (std::regex_match(table, std::regex(t))) return true;
    }
    return false;
  };
  CHECK(matches("adb.orders"));
  CHECK(matches("bdb.user_table_12"));
  // "[app|web]" is a character class, in Flink's Java regex as here: one-letter databases.
  CHECK(matches("a.order_1"));
  CHECK(matches("w.order_x"));
  CHECK_FALSE(matches("app.order_1"));
  CHECK_FALSE(matches("adbx"));
  CHECK_FALSE(matches("bdb.user_table_x"));
  CHECK_FALSE(matches("cdb.orders"));
}

TEST_CASE("flink keys: the PostgreSQL source table, for the postgres reader") {
  const flink::FlinkKey* plugin =
      flink::find(flink::Section::postgres_source, "decoding.plugin.name");
  REQUIRE(plugin != nullptr);
  CHECK(flink::accepts(*plugin, "pgoutput"));
  CHECK_FALSE(flink::accepts(*plugin, "decoderbufs"));
  CHECK(flink::refusal(*plugin, "decoding.plugin.name", "decoderbufs") ==
        "Flink CDC option 'decoding.plugin.name' is supported only as 'pgoutput', found "
        "'decoderbufs': sluice decodes pgoutput, PostgreSQL's built-in plugin");
  CHECK(flink::find(flink::Section::postgres_source, "debezium.slot.drop.on.stop") != nullptr);
  CHECK(flink::find(flink::Section::postgres_source, "slot.name") == nullptr);  // its own key
}

TEST_CASE("flink keys: a Flink CDC postgres pipeline source loads with the same meaning") {
  // The example of Flink CDC's postgres.md, with its keys: accepted as they are.
  auto out = load_string(
      "source:\n  type: postgres\n  name: Postgres Source\n  hostname: 127.0.0.1\n"
      "  port: 5432\n  username: admin\n  password: pass\n"
      "  tables: adb.\\.*.\\.*\n  decoding.plugin.name:  pgoutput\n  slot.name: pgtest\n"
      "  heartbeat.interval: 10s\n  connect.timeout: 5s\n  schema-change.enabled: true\n"
      "  scan.startup.mode: latest-offset\n  scan.incremental.close-idle-reader.enabled: true\n"
      "sink:\n  type: null\npipeline:\n  name: Postgres to null\n  parallelism: 4\n",
      "f.yaml", map_environment({}));
  REQUIRE(out.problems.empty());
  CHECK(file_with(flink::Section::postgres_source, "").find("type: postgres") != std::string::npos);
  // Refused in one line each, naming the key and what sluice does instead.
  CHECK(problems_of(
            file_with(flink::Section::postgres_source, "  decoding.plugin.name: decoderbufs\n")) ==
        Lines{"f.yaml:7:25: source.decoding.plugin.name: Flink CDC option "
              "'decoding.plugin.name' is supported only as 'pgoutput', found 'decoderbufs': "
              "sluice decodes pgoutput, PostgreSQL's built-in plugin"});
  CHECK(problems_of(file_with(flink::Section::postgres_source,
                              "  scan.newly-added-table.enabled: true\n")) ==
        Lines{"f.yaml:7:35: source.scan.newly-added-table.enabled: Flink CDC option "
              "'scan.newly-added-table.enabled' is supported only as 'false', found 'true': "
              "sluice snapshots tables added to 'tables' for MySQL sources only (a PostgreSQL "
              "start does not record the captured tables yet); here one still empty is added to "
              "its publication, one with rows "
              "stops the pipeline (README \"Faults and table lifecycle\")"});
}
