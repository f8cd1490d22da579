#include "cdc/daemon/wiring.h"

#include <doctest/doctest.h>

#include "cdc/pipeline/route_stage.h"
#include "cdc/pipeline/transform_stage.h"

#include <algorithm>
#include <cstdio>

#include "config/loader.h"

using namespace cdc;

namespace {
config::PipelineConfig load_one(const std::string& yaml) {
  auto outcome = config::load_string(yaml, "test.yaml", config::map_environment({}));
  std::string problems;
  for (const auto& p : outcome.problems) problems += p.to_string() + "\n";
  INFO(problems);
  REQUIRE(outcome.ok());
  return outcome.config->pipelines.at(0);
}

const char* kMysqlBase = R"(
source:
  type: mysql
  hostname: 127.0.0.1
  username: u
  password: p
  tables: a\.b
  server-id: 7
sink: {type: null}
pipeline: {name: w, state.dir: /tmp/w}
)";
}  // namespace

TEST_CASE("wiring maps pipeline options onto the runner") {
  auto config = load_one(R"(
source:
  type: datagen
  table: t
  columns: [{name: id, type: int, kind: sequence}]
sink: {type: "null"}
pipeline:
  name: w
  checkpoint.interval: 250ms
  queue.max-events: 77
  queue.max-bytes: 2mb
  restart.initial-backoff: 2s
  restart.max-backoff: 9s
  restart.max-attempts: 4
)");
  auto o = daemon::runner_options(config);
  CHECK(o.pipeline_name == "w");
  CHECK(o.checkpoint_interval == std::chrono::milliseconds(250));
  CHECK(o.queue_max_events == 77);
  CHECK(o.queue_max_bytes == 2u << 20);
  CHECK(o.restart_initial_backoff == std::chrono::seconds(2));
  CHECK(o.restart_max_backoff == std::chrono::seconds(9));
  CHECK(o.restart_max_attempts == 4);
  CHECK(daemon::make_parts(config).has_value());
}

TEST_CASE("wiring accepts scan.startup.mode: timestamp for mysql") {
  std::string yaml = kMysqlBase;
  const std::string after = "server-id: 7\n";
  yaml.insert(yaml.find(after) + after.size(),
              "  scan.startup.mode: timestamp\n  scan.startup.timestamp-millis: 1767225600000\n");
  auto r = daemon::make_parts(load_one(yaml));
  CHECK_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
}

TEST_CASE("wiring accepts the snapshot modes and refuses a GTID set that cannot be a start") {
  auto initial = load_one(kMysqlBase);  // scan.startup.mode defaults to initial (snapshot)
  REQUIRE(std::get<mysql::MysqlSourceOptions>(initial.source).startup_mode ==
          mysql::StartupMode::initial);
  auto r = daemon::make_parts(initial);
  CHECK_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
  std::string yaml = kMysqlBase;
  const std::string after = "server-id: 7\n";
  yaml.insert(yaml.find(after) + after.size(), "  scan.startup.mode: snapshot\n");
  auto snapshot_only = load_one(yaml);
  REQUIRE(std::get<mysql::MysqlSourceOptions>(snapshot_only.source).startup_mode ==
          mysql::StartupMode::snapshot);
  auto s = daemon::make_parts(snapshot_only);
  CHECK_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));

  auto bad_gtid = load_one(R"(
source:
  type: mysql
  hostname: 127.0.0.1
  username: u
  password: p
  tables: a\.b
  server-id: 7
  scan.startup.mode: specific-offset
  scan.startup.specific-offset.gtid-set: 0-1
sink: {type: "null"}
pipeline: {name: w}
)");
  auto g = daemon::make_parts(bad_gtid);
  REQUIRE_FALSE(g);
  CHECK(g.error().code == Errc::invalid_config);
  CHECK(g.error().message ==
        "pipeline 'w': source.scan.startup.specific-offset.gtid-set: bad MariaDB GTID '0-1'");

  auto transform = load_one(R"(
source:
  type: datagen
  table: t
  columns: [{name: id, type: int}]
sink: {type: stdout}
transform:
  - source-table: datagen.t.x
    columns.exclude: id
pipeline: {name: w}
)");
  auto x = daemon::make_parts(transform);
  REQUIRE_FALSE(x);
  CHECK(x.error().message ==
        "pipeline 'w': transform[0] source-table: table pattern 'datagen.t.x' has 3 dot-separated "
        "parts; expected db.table (write '\\.' for the regex 'any character')");
}

TEST_CASE("wiring: transforms run before routes, both built per run") {
  auto config = load_one(R"(
source:
  type: datagen
  table: t
  columns: [{name: id, type: int}, {name: secret, type: int}]
sink: {type: "null"}
transform:
  - source-table: datagen.t
    columns.exclude: secret
route:
  - source-table: datagen.\.*
    sink-table: ods.<>
pipeline: {name: w}
)");
  auto parts = daemon::make_parts(config);
  REQUIRE(parts);
  REQUIRE(parts->make_stages);
  auto chain = parts->make_stages();
  REQUIRE(chain);
  REQUIRE(chain->size() == 2);
  CHECK(dynamic_cast<pipeline::TransformStage*>((*chain)[0].get()) != nullptr);
  auto* route = dynamic_cast<pipeline::RouteStage*>((*chain)[1].get());
  REQUIRE(route != nullptr);
  CHECK(route->route_all({"datagen", "t"}) == std::vector<TableId>{{"ods", "t"}});
}

TEST_CASE("wiring: pipeline.route-mode reaches the route stage") {
  constexpr const char* kTwoRules = R"(
source:
  type: datagen
  table: t
  columns: [{name: id, type: int}]
sink: {type: "null"}
route:
  - {source-table: datagen.t, sink-table: a.t}
  - {source-table: datagen.\.*, sink-table: b.<>}
pipeline: {name: w%s}
)";
  const auto targets = [&](const char* mode) {
    char yaml[512];
    std::snprintf(yaml, sizeof yaml, kTwoRules, mode);
    auto parts = daemon::make_parts(load_one(yaml));
    REQUIRE(parts);
    auto chain = parts->make_stages();
    REQUIRE(chain);
    return dynamic_cast<pipeline::RouteStage&>(*(*chain)[0]).route_all({"datagen", "t"});
  };
  CHECK(targets("") == std::vector<TableId>{{"a", "t"}, {"b", "t"}});
  CHECK(targets(", route-mode: first-match") == std::vector<TableId>{{"a", "t"}});
}

TEST_CASE("wiring: the redis sink follows pipeline.delivery and registers its metrics") {
  constexpr const char* kRedis = R"(
source:
  type: datagen
  table: t
  columns: [{name: id, type: bigint, kind: sequence, primary-key: true}]
sink: {type: redis, port: 1, key: 'k:{id}'}
pipeline: {name: rw, delivery: %s}
)";
  for (const char* delivery : {"exactly-once", "at-least-once"}) {
    char yaml[512];
    std::snprintf(yaml, sizeof yaml, kRedis, delivery);
    prometheus::Registry registry;
    auto parts = daemon::make_parts(load_one(yaml), &registry);
    REQUIRE(parts);
    auto sink = parts->make_sink();  // no connection yet: open() connects
    REQUIRE(sink);
    CHECK((*sink)->exactly_once() == (std::string_view(delivery) == "exactly-once"));
    std::vector<std::string> names;
    for (const auto& family : registry.Collect()) names.push_back(family.name);
    CHECK(std::count(names.begin(), names.end(), "sluice_redis_commands_total") == 1);
    CHECK(std::count(names.begin(), names.end(), "sluice_redis_reconnects_total") == 1);
  }
}

TEST_CASE("wiring: a kafka sink's bad librdkafka property is refused before anything connects") {
  std::string yaml = kMysqlBase;
  yaml.replace(yaml.find("sink: {type: null}"), 18,
               "sink:\n  type: kafka\n  properties.bootstrap.servers: 127.0.0.1:1\n"
               "  properties.no.such.property: x\n  properties.sasl.password: hunter2\n");
  yaml.replace(yaml.find("server-id: 7"), 12, "server-id: 7\n  scan.startup.mode: latest-offset");
  auto parts = daemon::make_parts(load_one(yaml));
  REQUIRE_FALSE(parts);
  CHECK(parts.error().code == Errc::invalid_config);
  CHECK(parts.error().message ==
        "pipeline 'w': sink.properties.no.such.property: No such configuration property: "
        "\"no.such.property\"");
  CHECK(parts.error().message.find("hunter2") == std::string::npos);

  yaml = kMysqlBase;
  yaml.replace(yaml.find("sink: {type: null}"), 18,
               "sink:\n  type: kafka\n  properties.bootstrap.servers: 127.0.0.1:1\n  "
               "properties.linger.ms: 5\n");
  yaml.replace(yaml.find("server-id: 7"), 12, "server-id: 7\n  scan.startup.mode: latest-offset");
  CHECK(daemon::make_parts(load_one(yaml)).has_value());
}
