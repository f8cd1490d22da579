#include "cdc/daemon/preflight.h"

#include "cdc/daemon/wiring.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/postgres/postgres_source.h"
#include "sinks/kafka/preflight.h"
#include "sinks/redis/redis_connection.h"

namespace cdc::daemon {

std::vector<Error> preflight(const config::PipelineConfig& config) {
  const std::string pipeline = "pipeline '" + config.pipeline.name + "'";
  auto parts = make_parts(config);  // the same refusals as `run` before it connects
  if (!parts) return {std::move(parts).error()};
  std::vector<Error> problems;
  const auto add = [&](Error e, const char* part) {
    problems.push_back(std::move(e).with_context(pipeline + ": " + part));
  };

  const auto check_stages = [&](const std::vector<TableSchemaPtr>& schemas) -> Status {
    pipeline::StageChain stages;
    if (parts->make_stages) {
      auto made = parts->make_stages();
      if (!made) return std::move(made).error();
      stages = std::move(*made);
    }
    // Each error names its rule, the table and where the rule is in the file.
    for (auto& p : pipeline::check_stages(stages, schemas)) problems.push_back(std::move(p.error));
    return {};
  };
  if (const auto* my = std::get_if<mysql::MysqlSourceOptions>(&config.source)) {
    mysql::MysqlSource source(*my);  // no state store: the schema history stays in memory
    for (Error& e : source.preflight()) add(std::move(e), "source");
    if (auto st = check_stages(source.known_schemas()); !st) return {std::move(st).error()};
  } else if (const auto* pg = std::get_if<postgres::PostgresSourceOptions>(&config.source)) {
    postgres::PostgresSource source(*pg);  // no publication, slot or stream
    for (Error& e : source.preflight()) add(std::move(e), "source");
  }

  if (const auto* redis = std::get_if<sinks::redis::RedisOptions>(&config.sink)) {
    auto conn = sinks::redis::RedisConnection::connect(*redis);
    if (!conn) {
      add(std::move(conn).error(), "sink");
    } else if (auto pong = conn->command({"PING"}); !pong) {
      add(std::move(pong).error(), "sink");
    }
  } else if (const auto* kafka = std::get_if<sinks::kafka::KafkaOptions>(&config.sink)) {
    for (Error& e : sinks::kafka::preflight(*kafka)) add(std::move(e), "sink");
  }
  return problems;
}

}  // namespace cdc::daemon
