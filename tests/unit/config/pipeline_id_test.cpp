// pipeline_id(): identifier-shaped names are their own id (existing deployments keep their state);
// free-text names derive a stable id whose hash part is checked against FNV-1a computed apart.
#include "config/pipeline_id.h"

#include <doctest/doctest.h>

#include "config/loader.h"

using namespace cdc::config;

TEST_CASE("pipeline_id: an identifier-shaped name is its own id") {
  for (const char* name : {"orders", "shop.orders-v2", "A_b.c-9", "quickstart"}) {
    CHECK(is_identifier_name(name));
    CHECK(pipeline_id(name) == name);
  }
  const std::string hundred(100, 'x');
  CHECK(pipeline_id(hundred) == hundred);
}

TEST_CASE("pipeline_id: free text derives the slug and 8 hex digits of FNV-1a 64") {
  // Hash parts: the low 32 bits of FNV-1a 64 of the UTF-8 name, computed with Python.
  CHECK(pipeline_id("MySQL to Kafka Pipeline") == "MySQL_to_Kafka_Pipeline-c4ce8452");
  CHECK(pipeline_id("MySQL to Doris Pipeline") == "MySQL_to_Doris_Pipeline-607cc7db");
  // Names that differ only outside the id alphabet get different ids.
  CHECK(pipeline_id("a b") == "a_b-04833892");
  CHECK(pipeline_id("a/b") == "a_b-0468cf61");
  CHECK(pipeline_id("Pipeline für Bestellungen") == "Pipeline_f_r_Bestellungen-ad007a84");
  CHECK(pipeline_id("订单同步") == "pipeline-75a8a849");
  // Too long for an identifier: the slug is cut at 40 characters.
  const std::string long_name(101, 'y');
  const std::string id = pipeline_id(long_name);
  CHECK(id.size() == 40 + 1 + 8);
  CHECK(id.starts_with(std::string(40, 'y') + "-"));
  // A derived id is itself identifier-shaped without '.', so it fits Doris labels too.
  CHECK(is_identifier_name(pipeline_id("x.y z")));
  CHECK(pipeline_id("x.y z").find('.') == std::string::npos);
}

TEST_CASE("pipeline_id: every identifier of a pipeline is derived from the id") {
  auto out = load_string(R"(source:
  type: mysql
  hostname: h
  username: u
  tables: db.t
  server-id: 7
sink:
  type: kafka
  properties.bootstrap.servers: 127.0.0.1:9092
pipeline:
  name: MySQL to Kafka Pipeline
)",
                         "p.yaml", map_environment({}));
  REQUIRE(out.ok());
  const auto& p = out.config->pipelines.at(0);
  const std::string id = "MySQL_to_Kafka_Pipeline-c4ce8452";
  CHECK(p.pipeline.name == "MySQL to Kafka Pipeline");
  CHECK(p.pipeline.id == id);
  CHECK(p.pipeline.state_dir == "/var/lib/sluice/" + id);
  const auto& k = std::get<cdc::sinks::kafka::KafkaOptions>(p.sink);
  CHECK(k.transactional_id == id);
  CHECK(k.offsets_topic == id + ".offsets");
  CHECK(k.topic_prefix == id);
  CHECK(k.pipeline == id);
  CHECK(std::get<cdc::mysql::MysqlSourceOptions>(p.source).pipeline_name == id);
}

TEST_CASE("pipeline_id: Doris label prefix and Redis offset key") {
  auto out = load_string(R"(pipelines:
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: doris, fenodes: 127.0.0.1:8030}
    pipeline: {name: "Orders → Doris"}
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: redis}
    pipeline: {name: "Orders to Redis"}
)",
                         "p.yaml", map_environment({}));
  REQUIRE(out.ok());
  const std::string doris_id = pipeline_id("Orders → Doris");
  CHECK(doris_id.starts_with("Orders_Doris-"));
  CHECK(std::get<cdc::sinks::doris::DorisOptions>(out.config->pipelines[0].sink).label_prefix ==
        doris_id);
  CHECK(std::get<cdc::sinks::redis::RedisOptions>(out.config->pipelines[1].sink).offset_key ==
        "sluice:offset:" + pipeline_id("Orders to Redis"));
}

TEST_CASE("pipeline names: free text, control characters refused, ids unique") {
  auto bad = load_string(R"(source: {type: datagen, table: t, columns: [{name: id, type: int}]}
sink: {type: null}
pipeline: {name: "a\tb"}
)",
                         "p.yaml", map_environment({}));
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].to_string() ==
        "p.yaml:3:18: pipeline.name: expected a name of 1..200 bytes without control "
        "characters, found 'a\tb'");
  // "a_b-04833892" is its own id, and the id "a b" derives.
  auto twin = load_string(R"(pipelines:
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: null}
    pipeline: {name: a_b-04833892}
  - source: {type: datagen, table: t, columns: [{name: id, type: int}]}
    sink: {type: null}
    pipeline: {name: a b}
)",
                          "p.yaml", map_environment({}));
  REQUIRE(twin.problems.size() == 1);
  CHECK(twin.problems[0].to_string() ==
        "p.yaml:7:22: pipelines[1].pipeline.name: pipeline name 'a b' derives the id "
        "'a_b-04833892' already used by pipelines[0].pipeline");
}

TEST_CASE("default_server_id: 5400 + FNV-1a 64 of the id mod 1000 (values computed apart)") {
  CHECK(cdc::config::default_server_id("orders") == 6372);
  CHECK(cdc::config::default_server_id("MySQL_to_Kafka_Pipeline-c4ce8452") == 5592);
}
