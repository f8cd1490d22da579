// Every YAML file in config/examples/ is valid and can be wired into a runnable pipeline.

#include <doctest/doctest.h>

#include <filesystem>

#include "cdc/daemon/wiring.h"
#include "config/loader.h"
#include "tests/support/services_env.h"

using namespace cdc;

TEST_CASE("every config/examples/*.yaml loads without problems and wires up") {
  // The examples read secrets from the environment, as a deployment would.
  const auto env = config::map_environment(
      {{"MYSQL_PASSWORD", "example-secret"}, {"PG_PASSWORD", "example-secret"}});
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::source_dir() + "/config/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    const std::string path = entry.path().string();
    auto outcome = config::load_file(path, env);
    std::string problems;
    for (const auto& p : outcome.problems) problems += p.to_string() + "\n";
    INFO(path << "\n" << problems);
    REQUIRE(outcome.ok());
    REQUIRE_FALSE(outcome.config->pipelines.empty());
    for (const auto& pipeline : outcome.config->pipelines) {
      auto parts = daemon::make_parts(pipeline);
      INFO(pipeline.pipeline.name << ": " << (parts ? "" : parts.error().message));
      CHECK(parts.has_value());
    }
  }
  CHECK(count >= 5);
}

TEST_CASE("the quickstart example has the shape the README promises") {
  auto outcome =
      config::load_file(testing::source_dir() + "/config/examples/mariadb-to-stdout.yaml",
                        config::map_environment({}));
  REQUIRE(outcome.ok());
  const auto& p = outcome.config->pipelines.at(0);
  CHECK(p.pipeline.name == "quickstart");
  const auto& src = std::get<mysql::MysqlSourceOptions>(p.source);
  CHECK(src.port == 33061);
  CHECK(src.table_include == std::vector<std::string>{"demo\\.orders"});
  CHECK(src.startup_mode == mysql::StartupMode::latest_offset);
  CHECK(std::holds_alternative<config::StdoutSinkOptions>(p.sink));
  CHECK(p.pipeline.metrics_port == 19249);
}
