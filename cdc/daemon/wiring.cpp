#include "cdc/daemon/wiring.h"

#include "cdc/daemon/state_schema_history.h"
#include "cdc/datagen/datagen_source.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/pipeline/route_stage.h"
#include "cdc/pipeline/transform_stage.h"
#include "config/key_template.h"
#include "sinks/file/file_sink.h"
#include "sinks/kafka/kafka_sink.h"
#include "sinks/null/null_sink.h"
#include "sinks/redis/redis_sink.h"
#include "sinks/stdout/stdout_sink.h"

namespace cdc::daemon {

namespace {

json::Format to_json_format(config::ValueFormat f) {
  switch (f) {
    case config::ValueFormat::debezium_json: return json::Format::debezium_json;
    case config::ValueFormat::upsert: return json::Format::upsert;
    case config::ValueFormat::canal_json: return json::Format::canal_json;
  }
  return json::Format::debezium_json;
}

Result<std::vector<pipeline::TransformRule>> to_transform_rules(const config::PipelineConfig& config) {
  std::vector<pipeline::TransformRule> out;
  for (const config::TransformRule& c : config.transforms) {
    pipeline::TransformRule t;
    t.source_table = c.source_table;
    t.projection = c.projection;
    t.projection_origin = {config.file, static_cast<uint32_t>(c.projection_at.line),
                           static_cast<uint32_t>(c.projection_at.column)};
    t.filter = c.filter;
    t.filter_origin = {config.file, static_cast<uint32_t>(c.filter_at.line),
                       static_cast<uint32_t>(c.filter_at.column)};
    t.primary_keys = c.primary_keys;
    t.partition_keys = c.partition_keys;
    t.include_columns = c.include_columns;
    t.exclude_columns = c.exclude_columns;
    for (const std::string& op : c.skip_ops) {
      if (op == "insert") {
        t.skip_ops.push_back(Op::insert);
      } else if (op == "update") {
        t.skip_ops.push_back(Op::update);
      } else if (op == "delete") {
        t.skip_ops.push_back(Op::erase);
      } else {
        return make_error(Errc::invalid_config, "skip-ops: unknown operation '" + op + "'");
      }
    }
    t.soft_delete = c.soft_delete;
    t.description = c.description;
    out.push_back(std::move(t));
  }
  return out;
}

datagen::DatagenOptions to_datagen(const config::DatagenSourceOptions& c, const std::string& pipeline) {
  datagen::DatagenOptions o;
  o.pipeline_name = pipeline;
  o.database = c.database;
  o.table = c.table;
  o.number_of_rows = c.number_of_rows;
  o.rows_per_second = c.rows_per_second;
  o.seed = c.seed;
  o.batch_size = c.batch_size;
  for (const auto& col : c.columns) {
    datagen::ColumnSpec s;
    s.name = col.name;
    s.type = col.type;
    s.kind = col.kind == config::DatagenColumn::Kind::sequence ? datagen::ColumnSpec::Kind::sequence
                                                               : datagen::ColumnSpec::Kind::random;
    s.min = col.min;
    s.max = col.max;
    s.length = col.length;
    s.values = col.values;
    s.null_rate = col.null_rate;
    s.primary_key = col.primary_key;
    o.columns.push_back(std::move(s));
  }
  return o;
}

Result<mysql::MysqlSourceOptions> to_mysql(const config::MysqlSourceOptions& c, const std::string& pipeline) {
  mysql::MysqlSourceOptions o;
  o.host = c.hostname;
  o.port = c.port;
  o.user = c.username;
  o.password = c.password;
  o.table_include = c.tables;
  o.table_exclude = c.tables_exclude;
  // A range lets parallel snapshot readers take one id each (a later release); the binlog
  // reader uses the first.
  o.server_id = c.server_id.first;
  o.heartbeat_period = c.heartbeat_interval;
  o.connect_timeout = c.connect_timeout;
  o.max_transaction_payload_bytes = c.transaction_payload_max_bytes;
  o.geometry_wkt = c.geometry_format == config::GeometryFormat::wkt;
  o.pipeline_name = pipeline;
  o.unparseable_ddl = c.unparseable_ddl == config::UnparseableDdl::resync
                          ? mysql::UnparseableDdl::resync
                          : mysql::UnparseableDdl::stop;
  switch (c.startup_mode) {
    case config::StartupMode::latest_offset: o.startup_mode = mysql::StartupMode::latest_offset; break;
    case config::StartupMode::earliest_offset: o.startup_mode = mysql::StartupMode::earliest_offset; break;
    case config::StartupMode::specific_offset:
      o.startup_mode = mysql::StartupMode::specific_offset;
      if (!c.startup_specific_offset_gtid_set.empty()) {
        if (auto set = mysql::GtidSet::parse(c.startup_specific_offset_gtid_set); !set) {
          return std::move(set).error().with_context("source.scan.startup.specific-offset.gtid-set");
        }
        o.specific_gtid_set = c.startup_specific_offset_gtid_set;
      } else {
        o.specific_offset = BinlogPosition{c.startup_specific_offset_file,
                                           c.startup_specific_offset_pos.value_or(4)};
      }
      break;
    case config::StartupMode::timestamp:
      o.startup_mode = mysql::StartupMode::timestamp;
      o.startup_timestamp_ms = c.startup_timestamp_ms.value_or(0);  // validate() requires it
      break;
    case config::StartupMode::initial:
    case config::StartupMode::snapshot:
      return make_error(Errc::invalid_config,
                        std::string("source.scan.startup.mode: '") + std::string(config::to_string(c.startup_mode)) +
                            "' is not available for mysql in this build yet (snapshots come later); use "
                            "latest-offset, earliest-offset, specific-offset or timestamp");
  }
  switch (c.ssl_mode) {
    case config::SslMode::disabled: o.tls.mode = mysql::TlsMode::disabled; break;
    case config::SslMode::preferred: o.tls.mode = mysql::TlsMode::preferred; break;
    case config::SslMode::required: o.tls.mode = mysql::TlsMode::required; break;
    case config::SslMode::verify_ca: o.tls.mode = mysql::TlsMode::verify_ca; break;
    case config::SslMode::verify_identity: o.tls.mode = mysql::TlsMode::verify_identity; break;
  }
  o.tls.ca = c.ssl_ca;
  o.tls.cert = c.ssl_cert;
  o.tls.key = c.ssl_key;
  return o;
}

Result<sinks::redis::TableRule> to_redis_rule(const config::RedisTableOptions& c, const std::string& path) {
  sinks::redis::TableRule r;
  r.source_table = c.source_table;
  switch (c.mode) {
    case config::RedisMode::string: r.mode = sinks::redis::Mode::string; break;
    case config::RedisMode::hash: r.mode = sinks::redis::Mode::hash; break;
    case config::RedisMode::invalidate: r.mode = sinks::redis::Mode::invalidate; break;
    case config::RedisMode::stream: r.mode = sinks::redis::Mode::stream; break;
  }
  auto parts = config::parse_key_template(c.key);
  if (!parts) return std::move(parts).error().with_context(path + ".key");
  for (auto& p : *parts) r.key.push_back({p.placeholder, std::move(p.text)});
  r.value_column = c.value_column;
  r.ttl = c.ttl;
  r.hash_changed_only = c.hash_changed_only;
  r.channel = c.channel;
  r.stream_maxlen = c.stream_maxlen;
  return r;
}

Result<sinks::redis::RedisOptions> to_redis(const config::RedisSinkOptions& c, const config::PipelineOptions& p) {
  sinks::redis::RedisOptions o;
  o.pipeline = p.name;
  o.host = c.host;
  o.port = c.port;
  o.socket = c.socket;
  o.username = c.username;
  o.password = c.password;
  o.database = c.database;
  o.connect_timeout = c.connect_timeout;
  o.command_timeout = c.command_timeout;
  o.max_in_flight = c.max_in_flight;
  o.batch_max_commands = c.batch_max_commands;
  o.offset_key = c.offset_key;
  o.key_separator = c.key_separator;
  o.skip_null_keys = c.null_key == config::RedisNullKey::skip;
  o.stream_format = to_json_format(c.format);
  o.exactly_once = p.delivery == config::Delivery::exactly_once;
  CDC_TRY_ASSIGN(o.defaults, to_redis_rule(c.defaults, "sink"));
  for (size_t i = 0; i < c.tables.size(); ++i) {
    CDC_TRY_ASSIGN(auto rule, to_redis_rule(c.tables[i], "sink.tables[" + std::to_string(i) + "]"));
    o.tables.push_back(std::move(rule));
  }
  return o;
}

sinks::kafka::KafkaOptions to_kafka(const config::KafkaSinkOptions& c, const config::PipelineOptions& p) {
  sinks::kafka::KafkaOptions o;
  o.pipeline = p.name;
  o.properties = c.properties;
  if (auto it = c.properties.find("bootstrap.servers"); it != c.properties.end()) o.bootstrap_servers = it->second;
  o.exactly_once = p.delivery == config::Delivery::exactly_once;
  o.transactional_id = c.transactional_id.empty() ? p.name : c.transactional_id;
  o.topic = c.topic;
  o.topic_template = c.topic_template;
  o.topic_prefix = c.topic_prefix.empty() ? p.name : c.topic_prefix;
  o.create_topics = c.create_topics;
  o.topic_partitions = c.topic_partitions;
  o.topic_replication = c.topic_replication;
  o.offsets_topic = c.offsets_topic.empty() ? p.name + ".offsets" : c.offsets_topic;
  o.format = to_json_format(c.format);
  o.tombstones_on_delete = c.tombstones_on_delete;
  o.key_columns = c.key_columns;
  o.fixed_partition = c.partition;
  o.headers = c.headers;
  o.schema_change_topic = c.schema_change_topic;
  o.operation_timeout = c.operation_timeout;
  return o;
}

}  // namespace

pipeline::RunnerOptions runner_options(const config::PipelineConfig& config) {
  const auto& p = config.pipeline;
  pipeline::RunnerOptions o;
  o.pipeline_name = p.name;
  o.checkpoint_interval = p.checkpoint_interval;
  o.queue_max_events = p.queue_max_events;
  o.queue_max_bytes = p.queue_max_bytes;
  o.restart_initial_backoff = p.restart_initial_backoff;
  o.restart_max_backoff = p.restart_max_backoff;
  o.restart_max_attempts = p.restart_max_attempts;
  return o;
}

Status use_state_store(pipeline::PipelineParts& parts, const config::PipelineConfig& config,
                       state::StateStore& store) {
  const auto* my = std::get_if<config::MysqlSourceOptions>(&config.source);
  if (!my) return {};
  const std::string& name = config.pipeline.name;
  auto options = to_mysql(*my, name);
  if (!options) return std::move(options).error().with_context("pipeline '" + name + "'");
  parts.make_source = [options = std::move(*options), &store,
                       name]() -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<mysql::MysqlSource>(
        options, std::make_unique<StateSchemaHistoryStore>(store, name)));
  };
  return {};
}

Result<pipeline::PipelineParts> make_parts(const config::PipelineConfig& config,
                                           prometheus::Registry* registry) {
  const std::string& name = config.pipeline.name;
  pipeline::PipelineParts parts;

  if (const auto* dg = std::get_if<config::DatagenSourceOptions>(&config.source)) {
    auto options = to_datagen(*dg, name);
    CDC_TRY(datagen::make_schema(options));  // refuse bad types before anything runs
    parts.make_source = [options]() -> Result<std::unique_ptr<Source>> {
      CDC_TRY_ASSIGN(auto source, datagen::DatagenSource::create(options));
      return std::unique_ptr<Source>(std::move(source));
    };
  } else if (const auto* my = std::get_if<config::MysqlSourceOptions>(&config.source)) {
    auto options = to_mysql(*my, name);
    if (!options) return std::move(options).error().with_context("pipeline '" + name + "'");
    parts.make_source = [options = std::move(*options)]() -> Result<std::unique_ptr<Source>> {
      return std::unique_ptr<Source>(std::make_unique<mysql::MysqlSource>(options));
    };
  } else {
    return make_error(Errc::invalid_config, "pipeline '" + name + "': unsupported source type");
  }

  if (const auto* out = std::get_if<config::StdoutSinkOptions>(&config.sink)) {
    const auto format = to_json_format(out->format);
    parts.make_sink = [format]() -> Result<std::unique_ptr<Sink>> {
      return std::unique_ptr<Sink>(std::make_unique<sinks::StdoutSink>(format));
    };
  } else if (const auto* file = std::get_if<config::FileSinkOptions>(&config.sink)) {
    const auto format = to_json_format(file->format);
    const std::string path = file->path;
    parts.make_sink = [format, path]() -> Result<std::unique_ptr<Sink>> {
      return std::unique_ptr<Sink>(std::make_unique<sinks::FileSink>(path, format));
    };
  } else if (const auto* redis = std::get_if<config::RedisSinkOptions>(&config.sink)) {
    auto options = to_redis(*redis, config.pipeline);
    if (!options) return std::move(options).error().with_context("pipeline '" + name + "'");
    CDC_TRY(sinks::redis::CommandBuilder::create(*options));  // refuse bad table regexes now
    std::shared_ptr<sinks::redis::RedisMetrics> metrics;
    if (registry != nullptr) metrics = std::make_shared<sinks::redis::RedisMetrics>(*registry, name);
    parts.make_sink = [options = std::move(*options), metrics]() -> Result<std::unique_ptr<Sink>> {
      CDC_TRY_ASSIGN(auto sink, sinks::redis::RedisSink::create(options, metrics));
      return std::unique_ptr<Sink>(std::move(sink));
    };
  } else if (const auto* kafka = std::get_if<config::KafkaSinkOptions>(&config.sink)) {
    auto options = to_kafka(*kafka, config.pipeline);
    // Refuses bad properties and templates now, before anything connects.
    if (auto probe = sinks::kafka::KafkaSink::create(options, nullptr); !probe) {
      return std::move(probe).error().with_context("pipeline '" + name + "'");
    }
    std::shared_ptr<sinks::kafka::KafkaMetrics> metrics;
    if (registry != nullptr) metrics = std::make_shared<sinks::kafka::KafkaMetrics>(*registry, name);
    parts.make_sink = [options = std::move(options), metrics]() -> Result<std::unique_ptr<Sink>> {
      CDC_TRY_ASSIGN(auto sink, sinks::kafka::KafkaSink::create(options, metrics));
      return std::unique_ptr<Sink>(std::move(sink));
    };
  } else {
    parts.make_sink = []() -> Result<std::unique_ptr<Sink>> {
      return std::unique_ptr<Sink>(std::make_unique<sinks::NullSink>());
    };
  }

  // Transforms run before routes, as in Flink CDC: their source-table patterns and metadata
  // columns name the tables as the source has them.
  CDC_TRY_ASSIGN(auto transforms, to_transform_rules(config));
  std::vector<pipeline::RouteRule> routes;
  for (const auto& r : config.routes) {
    routes.push_back({r.source_table, r.sink_table, r.replace_symbol, r.source_table_column});
  }
  const auto route_mode = config.pipeline.route_mode == config::RouteMode::first_match
                              ? pipeline::RouteMode::first_match
                              : pipeline::RouteMode::all_match;
  // Refuse bad patterns and projection lists now, before anything connects.
  if (auto t = pipeline::TransformStage::create(transforms); !t) {
    return std::move(t).error().with_context("pipeline '" + name + "'");
  }
  if (auto r = pipeline::RouteStage::create(routes, route_mode); !r) {
    return std::move(r).error().with_context("pipeline '" + name + "'");
  }
  if (!transforms.empty() || !routes.empty()) {
    parts.make_stages = [transforms, routes, route_mode]() -> Result<pipeline::StageChain> {
      pipeline::StageChain chain;
      if (!transforms.empty()) {
        CDC_TRY_ASSIGN(auto transform, pipeline::TransformStage::create(transforms));
        chain.push_back(std::move(transform));
      }
      if (!routes.empty()) {
        CDC_TRY_ASSIGN(auto route, pipeline::RouteStage::create(routes, route_mode));
        chain.push_back(std::move(route));
      }
      return chain;
    };
  }
  return parts;
}

}  // namespace cdc::daemon
