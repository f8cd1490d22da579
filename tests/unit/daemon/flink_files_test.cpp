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
