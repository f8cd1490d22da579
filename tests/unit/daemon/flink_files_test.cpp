// The Flink CDC documentation's pipeline files (tests/fixtures/flink) load and wire into runnable
// pipelines unchanged; their free-text names derive the ids their state and sinks use.

#include <doctest/doctest.h>

#include "cdc/daemon/wiring.h"
#include "config/loader.h"
#include "tests/support/services_env.h"

using namespace cdc;

TEST_CASE("Flink CDC example files load and wire unchanged") {
  const std::string dir = testing::source_dir() + "/tests/fixtures/flink/";
  const struct {
    const char* file;
    const char* name;
    const char* id;
  } cases[] = {
      {"mysql-to-kafka.yaml", "MySQL to Kafka Pipeline", "MySQL_to_Kafka_Pipeline-c4ce8452"},
      {"mysql-to-doris.yaml", "MySQL to Doris Pipeline", "MySQL_to_Doris_Pipeline-607cc7db"},
      {"route-examples.yaml", "MySQL to Doris Pipeline", "MySQL_to_Doris_Pipeline-607cc7db"},
      {"transform-examples.yaml", "MySQL to Doris Pipeline", "MySQL_to_Doris_Pipeline-607cc7db"},
  };
  for (const auto& c : cases) {
    auto outcome = config::load_file(dir + c.file, config::map_environment({}));
    std::string problems;
    for (const auto& p : outcome.problems) problems += p.to_string() + "\n";
    INFO(c.file << "\n" << problems);
    REQUIRE(outcome.ok());
    REQUIRE(outcome.config->pipelines.size() == 1);
    const auto& p = outcome.config->pipelines[0];
    CHECK(p.pipeline.name == c.name);
    CHECK(p.pipeline.id == c.id);
    CHECK(p.pipeline.state_dir == std::string("/var/lib/sluice/") + c.id);
    auto parts = daemon::make_parts(p);
    INFO((parts ? "" : parts.error().message));
    CHECK(parts.has_value());
  }
}

TEST_CASE("pipeline.local-time-zone: a zone the system does not know is refused before a start") {
  const auto load = [](const std::string& zone) {
    return config::load_string(
        "source: {type: datagen, table: t, columns: [{name: id, type: int}]}\n"
        "sink: {type: null}\n"
        "transform: [{source-table: datagen.t, projection: \"id, NOW() AS at\"}]\n"
        "pipeline: {name: p, local-time-zone: '" +
            zone + "'}\n",
        "z.yaml", config::map_environment({}));
  };
  for (const char* good : {"UTC", "+08:00", "Asia/Shanghai"}) {
    auto ok = load(good);
    REQUIRE(ok.ok());
    INFO(good);
    CHECK(daemon::check_pipeline(ok.config->pipelines[0]).empty());
  }
  auto bad = load("Mars/Olympus_Mons");
  REQUIRE(bad.ok());  // the file is well-formed; the zone is checked against the system's
  const auto problems = daemon::check_pipeline(bad.config->pipelines[0]);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("pipeline.local-time-zone") != std::string::npos);
  CHECK(problems[0].message.find("Mars/Olympus_Mons") != std::string::npos);
}
