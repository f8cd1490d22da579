#include "config/loader.h"

#include <doctest/doctest.h>

#include "config/validate.h"

using namespace cdc::config;
using namespace cdc::mysql;
using cdc::datagen::ColumnSpec;
using cdc::datagen::DatagenOptions;
namespace json = cdc::json;
using std::chrono::milliseconds;

namespace {

const std::string kFixtures = std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/config/";

std::string all_problems(const LoadOutcome& out) {
  std::string s;
  for (const Problem& p : out.problems) s += p.to_string() + "\n";
  return s;
}

}  // namespace

TEST_CASE("load_file: every key of a full mysql -> file pipeline lands in its field") {
  const auto env = map_environment({{"MYSQL_PASSWORD", "s3cret"}});
  const LoadOutcome out = load_file(kFixtures + "full.yaml", env);
  INFO(all_problems(out));
  REQUIRE(out.ok());
  const ConfigFile& f = *out.config;
  CHECK(f.path == kFixtures + "full.yaml");
  CHECK_FALSE(f.pipelines_list);
  REQUIRE(f.pipelines.size() == 1);
  const PipelineConfig& p = f.pipelines[0];

  REQUIRE(std::holds_alternative<MysqlSourceOptions>(p.source));
  const auto& m = std::get<MysqlSourceOptions>(p.source);
  CHECK(m.host == "db.internal");
  CHECK(m.port == 3307);
  CHECK(m.user == "sluice");
  CHECK(m.password == "s3cret");
  CHECK(m.table_include ==
        std::vector<std::string>{"app_db.orders", "app_db.order_items_\\d+", "app_db.t_\\d{1,3}"});
  CHECK(m.table_exclude == std::vector<std::string>{"app_db.order_items_0"});
  CHECK(m.server_id == ServerIdRange{5400, 5404});
  CHECK(m.server_time_zone == "Europe/Berlin");
  CHECK(m.startup_mode == StartupMode::specific_offset);
  CHECK(m.specific_offset_file == "mysql-bin.000042");
  CHECK(m.specific_offset_pos == cdc::BinlogOffset{1337});
  CHECK(m.specific_gtid_set == "0-1-100");
  CHECK(m.startup_timestamp_ms == 1'700'000'000'000);
  CHECK(m.heartbeat_period == milliseconds(10'000));
  CHECK(m.connect_timeout == milliseconds(300'000));
  CHECK(m.tls.mode == TlsMode::verify_identity);
  CHECK(m.tls.ca == "/etc/ssl/ca.pem");
  CHECK(m.tls.cert == "/etc/ssl/client.pem");
  CHECK(m.tls.key == "/etc/ssl/client.key");
  CHECK(m.snapshot_chunk_size == 4096);
  CHECK(m.snapshot_fetch_size == 512);
  CHECK(m.snapshot_parallelism == 3);
  CHECK(m.snapshot_backfill_skip);
  REQUIRE(m.snapshot_chunk_key_columns.size() == 2);
  CHECK(m.snapshot_chunk_key_columns[0].table_pattern == "app_db.orders");
  CHECK(m.snapshot_chunk_key_columns[0].column == "created_at");
  CHECK(m.snapshot_chunk_key_columns[1].table_pattern == "app_db.order_items_\\d+");
  CHECK(m.snapshot_chunk_key_columns[1].column == "order_id");
  CHECK_FALSE(m.zero_date_as_null);
  CHECK(m.max_transaction_payload_bytes == uint64_t{1} << 30);

  REQUIRE(std::holds_alternative<FileSinkOptions>(p.sink));
  const auto& fs = std::get<FileSinkOptions>(p.sink);
  CHECK(fs.path == "/tmp/orders.jsonl");
  CHECK(fs.format == json::Format::canal_json);

  REQUIRE(p.routes.size() == 2);
  CHECK(p.routes[0].source_table == "app_db.order_items_\\d+");
  CHECK(p.routes[0].sink_table == "ods.order_items");
  CHECK(p.routes[0].replace_symbol == "<>");
  CHECK(p.routes[0].description == "merge the shards");
  CHECK(p.routes[1].sink_table == "ods.<>_v2");
  CHECK(p.routes[1].description.empty());
  CHECK(p.routes[0].source_table_column.empty());
  CHECK(p.routes[1].source_table_column == "src_table");

  CHECK(p.file == kFixtures + "full.yaml");
  REQUIRE(p.transforms.size() == 2);
  const TransformRule& t = p.transforms[0];
  CHECK(t.source_table == "app_db.orders");
  CHECK(t.projection == "id, customer_id, UPPER(status) AS status");
  CHECK(t.projection_at == SourceLocation{45, 17});
  CHECK(t.filter == "amount > 0 AND status <> 'test'");
  CHECK(t.filter_at == SourceLocation{46, 14});  // inside the quotes
  CHECK(t.primary_keys == std::vector<std::string>{"id"});
  CHECK(t.partition_keys == std::vector<std::string>{"customer_id", "id"});
  CHECK(t.description == "clean orders");
  CHECK_FALSE(t.soft_delete);
  const TransformRule& t2 = p.transforms[1];
  CHECK(t2.projection == "\\*, UPPER(name) AS name\n");
  CHECK(t2.projection_at == SourceLocation{52, 7});  // first line of the block
  CHECK(t2.filter.empty());
  CHECK(t2.exclude_columns == std::vector<std::string>{"secret", "token"});
  CHECK(t2.skip_ops == std::vector<std::string>{"delete", "update"});
  CHECK(t2.soft_delete);
  CHECK(t2.table_options == "replication_num=1");

  const PipelineOptions& o = p.pipeline;
  CHECK(o.name == "orders-to-file");
  CHECK(o.delivery == Delivery::at_least_once);
  CHECK(o.checkpoint_interval == milliseconds(500));
  CHECK(o.checkpoint_retained == 5);
  CHECK(o.state_dir == "/data/sluice/orders");
  CHECK(o.metrics_port == 0);
  CHECK(o.metrics_bind_address == "0.0.0.0");
  CHECK(o.queue_max_events == 20000);
  CHECK(o.queue_max_bytes == 128ull << 20);
  CHECK(o.restart_initial_backoff == milliseconds(2000));
  CHECK(o.restart_max_backoff == milliseconds(120'000));
  CHECK(o.restart_max_attempts == 10);
  CHECK(o.route_mode == RouteMode::first_match);
}

TEST_CASE("load_file: a pipelines list of datagen pipelines") {
  const LoadOutcome out = load_file(kFixtures + "multi.yaml", map_environment({}));
  INFO(all_problems(out));
  REQUIRE(out.ok());
  const ConfigFile& f = *out.config;
  CHECK(f.pipelines_list);
  REQUIRE(f.pipelines.size() == 2);

  const auto& g = std::get<DatagenOptions>(f.pipelines[0].source);
  CHECK(g.database == "datagen");
  CHECK(g.table == "orders");
  CHECK(g.number_of_rows == 1'000'000);
  CHECK(g.rows_per_second == 2500.5);
  CHECK(g.seed == 42);
  CHECK(g.batch_size == 256);
  REQUIRE(g.columns.size() == 5);
  ColumnSpec id;
  id.name = "id";
  id.type = "bigint unsigned";
  id.kind = ColumnSpec::Kind::sequence;
  id.primary_key = true;
  id.min = 1;
  CHECK(g.columns[0] == id);
  ColumnSpec status;
  status.name = "status";
  status.type = "varchar(16)";
  status.values = {"new", "paid", "shipped"};
  status.null_rate = 0.25;
  CHECK(g.columns[1] == status);
  CHECK(g.columns[2].min == 0.0);
  CHECK(g.columns[2].max == 1000.5);
  CHECK(g.columns[3].length == 40u);
  CHECK(g.columns[4].type == "datetime(3)");
  CHECK(g.columns[4].kind == ColumnSpec::Kind::random);
  CHECK(std::get<StdoutSinkOptions>(f.pipelines[0].sink).format == json::Format::upsert);
  CHECK(f.pipelines[0].pipeline.name == "gen-stdout");
  CHECK(f.pipelines[0].pipeline.state_dir == "/var/lib/sluice/gen-stdout");

  const auto& h = std::get<DatagenOptions>(f.pipelines[1].source);
  CHECK(h.database == "bench");
  CHECK(h.columns.size() == 1);
  CHECK(std::holds_alternative<NullSinkOptions>(f.pipelines[1].sink));
  CHECK(f.pipelines[1].pipeline.checkpoint_interval == milliseconds(86'400'000));
}

TEST_CASE("load_string: defaults of a minimal file") {
  const LoadOutcome out = load_string(R"(
source: {type: mysql, hostname: h, username: u, tables: db.t, server-id: 7}
sink: {type: stdout}
pipeline: {name: p}
)",
                                      "min.yaml", map_environment({}));
  INFO(all_problems(out));
  REQUIRE(out.ok());
  const PipelineConfig& p = out.config->pipelines[0];
  const auto& m = std::get<MysqlSourceOptions>(p.source);
  const MysqlSourceOptions d;
  CHECK(m.port == 3306);
  CHECK(m.password.empty());
  CHECK(m.server_id == ServerIdRange{7, 7});
  CHECK(m.server_time_zone == "UTC");
  CHECK(m.startup_mode == StartupMode::initial);
  CHECK(m.heartbeat_period == milliseconds(30'000));
  CHECK(m.connect_timeout == milliseconds(30'000));
  CHECK(m.max_transaction_payload_bytes == uint64_t{256} << 20);
  CHECK(m.tls.mode == TlsMode::preferred);
  CHECK(m.snapshot_chunk_size == 8096);
  CHECK(m.snapshot_fetch_size == 1024);
  CHECK(m.snapshot_parallelism == 1);
  CHECK(m.zero_date_as_null);
  CHECK_FALSE(m.include_query);
  CHECK(std::get<StdoutSinkOptions>(p.sink).format == json::Format::debezium_json);
  const PipelineOptions& o = p.pipeline;
  CHECK(o.delivery == Delivery::exactly_once);
  CHECK(o.checkpoint_interval == milliseconds(1000));
  CHECK(o.checkpoint_retained == 3);
  CHECK(o.state_dir == "/var/lib/sluice/p");
  CHECK(o.metrics_port == 9249);
  CHECK(o.metrics_bind_address == "127.0.0.1");
  CHECK(o.queue_max_events == 10000);
  CHECK(o.queue_max_bytes == 64ull << 20);
  CHECK(o.restart_initial_backoff == milliseconds(1000));
  CHECK(o.restart_max_backoff == milliseconds(60'000));
  CHECK(o.restart_max_attempts == 0);
  CHECK(p.routes.empty());
  CHECK(p.transforms.empty());
}

TEST_CASE("load_string: ${VAR} expansion in values, with defaults and $${ escapes") {
  const auto env = map_environment({{"DB_HOST", "db7"}, {"DB_PORT", "3310"}, {"PW", "pa$$"}});
  const LoadOutcome out = load_string(R"(
source:
  type: mysql
  hostname: ${DB_HOST}
  port: ${DB_PORT}
  username: ${DB_USER:-replicator}
  password: ${PW}
  tables: "${DB_NAME:-shop}.orders"
  server-id: ${SERVER_ID:-5400}-${SERVER_ID_LAST:-5401}
  ssl.ca: $${NOT_EXPANDED}
  include.query: ${INCLUDE_QUERY:-true}
sink: {type: file, path: "/out/${DB_HOST}.jsonl"}
pipeline: {name: "${NAME:-p1}", queue.max-bytes: "${QMB:-1mb}"}
)",
                                      "env.yaml", env);
  INFO(all_problems(out));
  REQUIRE(out.ok());
  const PipelineConfig& p = out.config->pipelines[0];
  const auto& m = std::get<MysqlSourceOptions>(p.source);
  CHECK(m.host == "db7");
  CHECK(m.port == 3310);
  CHECK(m.user == "replicator");
  CHECK(m.password == "pa$$");
  CHECK(m.table_include == std::vector<std::string>{"shop.orders"});
  CHECK(m.server_id == ServerIdRange{5400, 5401});
  CHECK(m.tls.ca == "${NOT_EXPANDED}");
  CHECK(m.include_query);
  CHECK(std::get<FileSinkOptions>(p.sink).path == "/out/db7.jsonl");
  CHECK(p.pipeline.name == "p1");
  CHECK(p.pipeline.queue_max_bytes == 1ull << 20);
}

TEST_CASE("load_string: tables also as a YAML list, enums case-insensitive, `type: null`") {
  const LoadOutcome out = load_string(R"(
source:
  type: mysql
  hostname: h
  username: u
  tables: [a.b, "c.d_\\d+"]
  server-id: "12"
  scan.startup.mode: LATEST_OFFSET
  ssl-mode: DISABLED
  zero-date.handling: null
  schema.unparseable-ddl: Resync
  geometry.format: WKT
sink:
  type: null
pipeline:
  name: p
  delivery: Exactly-Once
)",
                                      "list.yaml", map_environment({}));
  INFO(all_problems(out));
  REQUIRE(out.ok());
  const auto& m = std::get<MysqlSourceOptions>(out.config->pipelines[0].source);
  CHECK(m.table_include == std::vector<std::string>{"a.b", "c.d_\\d+"});
  CHECK(m.server_id == ServerIdRange{12, 12});
  CHECK(m.startup_mode == StartupMode::latest_offset);
  CHECK(m.tls.mode == TlsMode::disabled);
  CHECK(m.zero_date_as_null);
  CHECK(m.unparseable_ddl == UnparseableDdl::resync);
  CHECK(m.geometry_format == GeometryFormat::wkt);
  CHECK(std::holds_alternative<NullSinkOptions>(out.config->pipelines[0].sink));
}

TEST_CASE("enum spellings round-trip through to_string") {
  for (auto v : {json::Format::debezium_json, json::Format::upsert, json::Format::canal_json}) {
    CHECK(json::parse_format(to_string(v)) == v);
  }
  for (auto v : {Delivery::exactly_once, Delivery::at_least_once}) {
    CHECK(parse_delivery(to_string(v)) == v);
  }
  for (auto v :
       {StartupMode::initial, StartupMode::snapshot, StartupMode::latest_offset,
        StartupMode::earliest_offset, StartupMode::specific_offset, StartupMode::timestamp}) {
    CHECK(parse_startup_mode(to_string(v)) == v);
  }
  for (auto v : {TlsMode::disabled, TlsMode::preferred, TlsMode::required, TlsMode::verify_ca,
                 TlsMode::verify_identity}) {
    CHECK(parse_tls_mode(to_string(v)) == v);
  }
  for (auto v : {UnparseableDdl::stop, UnparseableDdl::resync}) {
    CHECK(parse_unparseable_ddl(to_string(v)) == v);
  }
  for (auto v : {GeometryFormat::wkb, GeometryFormat::wkt}) {
    CHECK(parse_geometry_format(to_string(v)) == v);
  }
  CHECK_FALSE(parse_geometry_format("geojson").has_value());
  CHECK(to_string(StartupMode::latest_offset) == "latest-offset");
  CHECK(to_string(json::Format::debezium_json) == "debezium-json");
  CHECK_FALSE(json::parse_format("json").has_value());
}

TEST_CASE("normalize and validate work on configs built in code") {
  ConfigFile f;
  f.path = "<code>";
  PipelineConfig p;
  p.pipeline.name = "built";
  DatagenOptions g;
  g.table = "t";
  ColumnSpec c;
  c.name = "id";
  c.type = "bigint";
  g.columns.push_back(c);
  p.source = g;
  f.pipelines.push_back(p);
  normalize(f);
  CHECK(f.pipelines[0].pipeline.state_dir == "/var/lib/sluice/built");
  CHECK(validate(f).empty());

  f.pipelines[0].pipeline.restart_max_backoff = milliseconds(10);
  f.pipelines[0].sink = FileSinkOptions{};
  const auto problems = validate(f, {{"pipeline", {9, 3}}});
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].to_string() ==
        "<code>:9:3: pipeline.restart.max-backoff: expected a duration >= "
        "restart.initial-backoff (1s), found '10ms'");
  CHECK(problems[1].to_string() == "<code>: sink.path: expected a file path, found ''");
}
