// PostgreSQL's unchanged TOAST values (REPLICA IDENTITY DEFAULT: an update that leaves a
// TOASTed column alone sends no value for it) through `sluice run` into three sinks at once,
// each with its own slot: the file sink in debezium-json leaves the column out of `after` and
// names it in `source.unchanged`; with `toast.placeholder` it writes that string instead (for
// consumers that expect Debezium's `unavailable.value.placeholder`); the upsert format, which
// writes whole rows, stops at such an update (or skips it under row-image.partial: skip); the
// Redis hash keeps the
// field it holds. A later update that sets the column carries its value everywhere.
#include <doctest/doctest.h>
#include <signal.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/postgres_client.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

struct Pipeline {
  std::string slot;
  std::unique_ptr<ChildProcess> process;
};

// Waits until `done()` holds, at most 60 s.
template <typename F>
bool wait_for(F done) {
  for (int i = 0; i < 600; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

}  // namespace

TEST_CASE(
    "postgres unchanged TOAST: left out and named in source.unchanged, the configured "
    "placeholder, upsert stops or skips, the Redis hash field kept") {
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  RedisClient redis;
  const std::string dir = make_temp_dir("sluice-pg-toast-it");
  sql.run("CREATE SCHEMA IF NOT EXISTS toast_it");
  sql.run("DROP TABLE IF EXISTS toast_it.docs");
  sql.run("CREATE TABLE toast_it.docs (id bigint PRIMARY KEY, body text, n bigint)");
  // EXTERNAL: stored out of line uncompressed, so a 20 kB value is TOASTed for sure.
  sql.run("ALTER TABLE toast_it.docs ALTER COLUMN body SET STORAGE EXTERNAL");
  const std::string hash_key = "toastit:" + std::to_string(::getpid()) + ":1";
  const std::string offset = "toastit:offset:" + std::to_string(::getpid());
  redis.command({"DEL", hash_key, offset});

  const std::string tables = service_value("SLUICE_PG_DATABASE") + "\\.toast_it\\.docs";
  const std::map<std::string, std::string> sinks = {
      {"plain", "sink:\n  type: file\n  path: " + dir + "/plain.jsonl\n"},
      {"placeholder",
       "sink:\n  type: file\n  path: " + dir +
           "/placeholder.jsonl\n  toast.placeholder: __debezium_unavailable_value\n"},
      {"upsert", "sink:\n  type: file\n  path: " + dir + "/upsert.jsonl\n  value.format: upsert\n"},
      {"upsert_skip",
       "sink:\n  type: file\n  path: " + dir +
           "/upsert_skip.jsonl\n  value.format: upsert\n  row-image.partial: skip\n"},
      {"hash", "sink:\n  type: redis\n  host: " + service_value("SLUICE_REDIS_HOST") +
                   "\n  port: " + service_value("SLUICE_REDIS_PORT") + "\n  offset.key: " + offset +
                   "\n  mode: hash\n  key: 'toastit:" + std::to_string(::getpid()) + ":{pk}'\n"},
  };
  std::map<std::string, Pipeline> running;
  for (const auto& [name, sink_yaml] : sinks) {
    const std::string slot = "pg_toast_" + name;
    su.run(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
        "slot_name = '" +
        slot + "'");
    su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
    const std::string config = dir + "/" + name + ".yaml";
    std::ofstream(config) << postgres_source_yaml(tables, slot) << sink_yaml
                          << "pipeline:\n  name: pg-toast-" << name << "\n  state.dir: " << dir
                          << "/state-" << name
                          << "\n  checkpoint.interval: 50ms\n  metrics.port: 0\n";
    running[name] = {slot, std::make_unique<ChildProcess>(
                               std::vector<std::string>{sluice_binary(), "run", config},
                               dir + "/" + name + ".log", dir + "/" + name + ".log")};
  }
  for (const auto& [name, p] : running) {
    const std::string active =
        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + p.slot + "' AND active";
    REQUIRE_MESSAGE(wait_for([&] { return su.scalar(active) == "1"; }),
                    name << ": " << read_file(dir + "/" + name + ".log"));
  }

  const std::string big(20000, 'x');
  sql.run("INSERT INTO toast_it.docs VALUES (1, repeat('x', 20000), 1)");
  sql.run("UPDATE toast_it.docs SET n = 2 WHERE id = 1");  // body unchanged: not sent
  // The hash after the update: n changed, body still the inserted value.
  REQUIRE(wait_for([&] { return redis.command({"HGET", hash_key, "n"}).text == "2"; }));
  CHECK(redis.command({"HGET", hash_key, "body"}).text == big);
  sql.run("UPDATE toast_it.docs SET body = 'short', n = 3 WHERE id = 1");
  CHECK(wait_for([&] { return redis.command({"HGET", hash_key, "n"}).text == "3"; }));
  CHECK(redis.command({"HGET", hash_key, "body"}).text == "short");

  simdjson::dom::parser parser;
  for (const std::string name : {"plain", "placeholder"}) {
    INFO(name);
    const std::string path = dir + "/" + name + ".jsonl";
    REQUIRE(wait_for([&] { return file_lines(path).size() >= 3; }));
    std::this_thread::sleep_for(300ms);  // anything extra would show now
    const auto lines = file_lines(path);
    REQUIRE(lines.size() == 3);
    const auto insert = parser.parse(lines[0]).value();
    CHECK(std::string_view(insert["after"]["body"]) == big);
    CHECK(insert["source"]["unchanged"].error() == simdjson::NO_SUCH_FIELD);
    {
      const auto update = parser.parse(lines[1]).value();
      CHECK(std::string_view(update["op"]) == "u");
      CHECK(int64_t(update["after"]["n"]) == 2);
      if (name == "plain") {
        CHECK(update["after"]["body"].error() == simdjson::NO_SUCH_FIELD);
        REQUIRE(update["source"]["unchanged"].get_array().size() == 1);
        CHECK(std::string_view(update["source"]["unchanged"].at(0)) == "body");
      } else {
        CHECK(std::string_view(update["after"]["body"]) == "__debezium_unavailable_value");
        CHECK(update["source"]["unchanged"].error() == simdjson::NO_SUCH_FIELD);
      }
    }
    const auto set = parser.parse(lines[2]).value();
    CHECK(std::string_view(set["after"]["body"]) == "short");
    CHECK(set["source"]["unchanged"].error() == simdjson::NO_SUCH_FIELD);
  }

  // upsert writes whole rows: by default the update without body's value stops the pipeline
  // naming the table, the column and the fixes (nothing after the insert is written); with
  // row-image.partial: skip it is left out with a warning.
  {
    auto& upsert = *running.at("upsert").process;
    CHECK(upsert.wait(30s) == 1);
    const std::string log = read_file(dir + "/upsert.log");
    CHECK(log.find("has no value for column(s) body (PostgreSQL sends none for an unchanged "
                   "TOASTed value under REPLICA IDENTITY DEFAULT), and the upsert format writes "
                   "whole rows: set REPLICA IDENTITY FULL on the table, toast.placeholder to write "
                   "a placeholder for such values, or row-image.partial: skip to leave such "
                   "changes out") != std::string::npos);
    // The insert only if it came in an earlier batch than the update (a failed batch writes
    // nothing).
    const auto lines = file_lines(dir + "/upsert.jsonl");
    REQUIRE(lines.size() <= 1);
    for (const auto& line : lines) CHECK(line.find("\"n\":1}") != std::string::npos);
    const std::string skip_path = dir + "/upsert_skip.jsonl";
    REQUIRE(wait_for([&] { return file_lines(skip_path).size() >= 2; }));
    std::this_thread::sleep_for(300ms);  // anything extra would show now
    const auto skipped = file_lines(skip_path);
    REQUIRE(skipped.size() == 2);
    CHECK(skipped[0].find("\"n\":1}") != std::string::npos);
    CHECK(skipped[1] == R"({"key":{"id":1},"value":{"id":1,"body":"short","n":3}})");
    CHECK(read_file(dir + "/upsert_skip.log").find("skipped the update of ") != std::string::npos);
  }

  for (auto& [name, p] : running) {
    if (name != "upsert") {  // stopped above
      p.process->signal(SIGTERM);
      CHECK(p.process->wait(30s) == 0);
    }
    su.run("SELECT pg_drop_replication_slot('" + p.slot + "')");
    su.run("DROP PUBLICATION IF EXISTS sluice_" + p.slot);
  }
  redis.command({"DEL", hash_key, offset});
  sql.run("DROP TABLE toast_it.docs");
  std::filesystem::remove_all(dir);
}
