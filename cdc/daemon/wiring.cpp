#include "cdc/daemon/wiring.h"

#include "cdc/daemon/config_metrics.h"
#include "cdc/daemon/state_schema_history.h"
#include "cdc/datagen/datagen_source.h"
#include "cdc/expr/time_zone.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/mysql_metrics.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/pipeline/route_stage.h"
#include "cdc/pipeline/transform_stage.h"
#include "cdc/postgres/postgres_metrics.h"
#include "cdc/postgres/postgres_source.h"
#include "sinks/doris/doris_sink.h"
#include "sinks/file/file_sink.h"
#include "sinks/kafka/kafka_sink.h"
#include "sinks/null/null_sink.h"
#include "sinks/redis/redis_sink.h"
#include "sinks/stdout/stdout_sink.h"

namespace cdc::daemon {

namespace {

Result<std::vector<pipeline::TransformRule>> to_transform_rules(
    const config::PipelineConfig& config) {
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

std::vector<pipeline::RouteRule> to_route_rules(const config::PipelineConfig& config) {
  std::vector<pipeline::RouteRule> routes;
  for (const auto& r : config.routes) {
    routes.push_back({r.source_table, r.sink_table, r.replace_symbol, r.source_table_column});
  }
  return routes;
}

pipeline::RouteMode route_mode(const config::PipelineConfig& config) {
  return config.pipeline.route_mode == config::RouteMode::first_match
             ? pipeline::RouteMode::first_match
             : pipeline::RouteMode::all_match;
}

// pipeline.local-time-zone is Flink CDC's session time zone: the transforms' time functions.
expr::CompileOptions compile_options(const config::PipelineConfig& config) {
  expr::CompileOptions o;
  o.time_zone = config.pipeline.local_time_zone;
  return o;
}

// A GTID set that cannot be a start is refused before anything connects.
Status check_mysql_start(const mysql::MysqlSourceOptions& o) {
  if (o.startup_mode == mysql::StartupMode::specific_offset && !o.specific_gtid_set.empty()) {
    if (auto set = mysql::GtidSet::parse(o.specific_gtid_set); !set) {
      return std::move(set).error().with_context("source.scan.startup.specific-offset.gtid-set");
    }
  }
  return {};
}

}  // namespace

std::string pipeline_key(const config::PipelineConfig& config) { return config.pipeline.id; }

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
                       state::StateStore& store, prometheus::Registry* registry) {
  if (const auto* pg = std::get_if<postgres::PostgresSourceOptions>(&config.source)) {
    std::shared_ptr<postgres::PostgresMetrics> metrics;
    if (registry != nullptr) {
      metrics = std::make_shared<postgres::PostgresMetrics>(*registry, config.pipeline.id);
    }
    parts.make_source = [options = *pg, &store, name = config.pipeline.id,
                         metrics]() -> Result<std::unique_ptr<Source>> {
      return std::unique_ptr<Source>(std::make_unique<postgres::PostgresSource>(
          options, metrics, std::make_unique<StatePgSchemaStore>(store, name)));
    };
    return {};
  }
  const auto* my = std::get_if<mysql::MysqlSourceOptions>(&config.source);
  if (!my) return {};
  if (auto st = check_mysql_start(*my); !st)
    return std::move(st).error().with_context("pipeline '" + config.pipeline.name + "'");
  // Schema history is kept under the pipeline's id, as its checkpoints are.
  // One server selection (and one set of metrics) for all the source instances of the
  // pipeline: a re-open goes back to the server of a hostname list read from last.
  std::shared_ptr<mysql::MysqlMetrics> metrics;
  if (auto servers = my->servers(); servers && registry != nullptr) {
    metrics = std::make_shared<mysql::MysqlMetrics>(*registry, config.pipeline.id, *servers);
  }
  parts.make_source = [options = *my, &store, name = config.pipeline.id,
                       selection = std::make_shared<mysql::ServerSelection>(),
                       metrics]() -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<mysql::MysqlSource>(
        options, std::make_unique<StateSchemaHistoryStore>(store, name), selection, metrics));
  };
  return {};
}

std::vector<Error> check_pipeline(const config::PipelineConfig& config) {
  const std::string context = "pipeline '" + config.pipeline.name + "'";
  std::vector<Error> problems;
  const auto refuse = [&](Status st) {
    if (!st) problems.push_back(std::move(st).error().with_context(context));
  };
  if (const auto* dg = std::get_if<datagen::DatagenOptions>(&config.source)) {
    if (auto schema = datagen::make_schema(*dg); !schema) refuse(std::move(schema).error());
  } else if (const auto* my = std::get_if<mysql::MysqlSourceOptions>(&config.source)) {
    refuse(check_mysql_start(*my));
  } else if (std::holds_alternative<postgres::PostgresSourceOptions>(config.source)) {
    // Everything without a server is checked by config::validate.
  } else {
    refuse(make_error(Errc::invalid_config, "unsupported source type"));
  }
  if (const auto* redis = std::get_if<sinks::redis::RedisOptions>(&config.sink)) {
    // Bad regexes and key templates.
    if (auto b = sinks::redis::CommandBuilder::create(*redis); !b) refuse(std::move(b).error());
  } else if (const auto* kafka = std::get_if<sinks::kafka::KafkaOptions>(&config.sink)) {
    // Bad properties and templates; the probe connects to nothing.
    if (auto probe = sinks::kafka::KafkaSink::create(*kafka, nullptr); !probe) {
      refuse(std::move(probe).error());
    }
  }
  expr::CompileOptions options = compile_options(config);
  if (auto zone = expr::TimeZone::parse(options.time_zone); !zone) {
    refuse(std::move(zone).error().with_context("pipeline.local-time-zone"));
    options.time_zone = "UTC";  // one problem for the zone, not one per expression using it
  }
  auto transforms = to_transform_rules(config);
  if (!transforms) {
    refuse(std::move(transforms).error());
  } else {
    // An expression's error starts with its place in the file, which says more than the name.
    for (Error& e : pipeline::TransformStage::check_rules(std::move(*transforms), options)) {
      const bool placed = !config.file.empty() && e.message.starts_with(config.file + ":");
      problems.push_back(placed ? std::move(e) : std::move(e).with_context(context));
    }
  }
  if (auto r = pipeline::RouteStage::create(to_route_rules(config), route_mode(config)); !r) {
    refuse(std::move(r).error());
  }
  return problems;
}

Result<pipeline::PipelineParts> make_parts(const config::PipelineConfig& config,
                                           prometheus::Registry* registry) {
  const std::string& name = config.pipeline.id;  // the metrics label
  // Everything that can be refused is refused here, before anything connects.
  if (auto problems = check_pipeline(config); !problems.empty()) {
    return std::move(problems.front());
  }
  pipeline::PipelineParts parts;
  if (registry != nullptr) publish_config_metrics(*registry, config);

  if (const auto* dg = std::get_if<datagen::DatagenOptions>(&config.source)) {
    parts.make_source = [options = *dg]() -> Result<std::unique_ptr<Source>> {
      CDC_TRY_ASSIGN(auto source, datagen::DatagenSource::create(options));
      return std::unique_ptr<Source>(std::move(source));
    };
  } else if (const auto* my = std::get_if<mysql::MysqlSourceOptions>(&config.source)) {
    parts.make_source = [options = *my, selection = std::make_shared<mysql::ServerSelection>()]()
        -> Result<std::unique_ptr<Source>> {
      return std::unique_ptr<Source>(
          std::make_unique<mysql::MysqlSource>(options, nullptr, selection));
    };
  } else if (const auto* pg = std::get_if<postgres::PostgresSourceOptions>(&config.source)) {
    std::shared_ptr<postgres::PostgresMetrics> metrics;
    if (registry != nullptr) metrics = std::make_shared<postgres::PostgresMetrics>(*registry, name);
    parts.make_source = [options = *pg, metrics]() -> Result<std::unique_ptr<Source>> {
      return std::unique_ptr<Source>(std::make_unique<postgres::PostgresSource>(options, metrics));
    };
  }

  if (const auto* out = std::get_if<config::StdoutSinkOptions>(&config.sink)) {
    parts.make_sink = [o = *out]() -> Result<std::unique_ptr<Sink>> {
      return std::unique_ptr<Sink>(std::make_unique<sinks::StdoutSink>(
          o.format, stdout, o.partial_rows,
          json::EncoderOptions{.toast_placeholder = o.toast_placeholder}));
    };
  } else if (const auto* file = std::get_if<config::FileSinkOptions>(&config.sink)) {
    parts.make_sink = [o = *file]() -> Result<std::unique_ptr<Sink>> {
      return std::unique_ptr<Sink>(std::make_unique<sinks::FileSink>(
          o.path, o.format, o.partial_rows,
          json::EncoderOptions{.toast_placeholder = o.toast_placeholder}));
    };
  } else if (const auto* redis = std::get_if<sinks::redis::RedisOptions>(&config.sink)) {
    std::shared_ptr<sinks::redis::RedisMetrics> metrics;
    if (registry != nullptr)
      metrics = std::make_shared<sinks::redis::RedisMetrics>(*registry, name);
    parts.make_sink = [options = *redis, metrics]() -> Result<std::unique_ptr<Sink>> {
      CDC_TRY_ASSIGN(auto sink, sinks::redis::RedisSink::create(options, metrics));
      return std::unique_ptr<Sink>(std::move(sink));
    };
  } else if (const auto* kafka = std::get_if<sinks::kafka::KafkaOptions>(&config.sink)) {
    std::shared_ptr<sinks::kafka::KafkaMetrics> metrics;
    if (registry != nullptr)
      metrics = std::make_shared<sinks::kafka::KafkaMetrics>(*registry, name);
    parts.make_sink = [options = *kafka, metrics]() -> Result<std::unique_ptr<Sink>> {
      CDC_TRY_ASSIGN(auto sink, sinks::kafka::KafkaSink::create(options, metrics));
      return std::unique_ptr<Sink>(std::move(sink));
    };
  } else if (const auto* doris = std::get_if<sinks::doris::DorisOptions>(&config.sink)) {
    std::shared_ptr<sinks::doris::DorisMetrics> metrics;
    if (registry != nullptr)
      metrics = std::make_shared<sinks::doris::DorisMetrics>(*registry, name);
    parts.make_sink = [options = *doris, metrics]() -> Result<std::unique_ptr<Sink>> {
      CDC_TRY_ASSIGN(auto sink, sinks::doris::DorisSink::create(options, metrics));
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
  auto routes = to_route_rules(config);
  if (!transforms.empty() || !routes.empty()) {
    parts.make_stages = [transforms, routes, mode = route_mode(config),
                         options = compile_options(config)]() -> Result<pipeline::StageChain> {
      pipeline::StageChain chain;
      if (!transforms.empty()) {
        CDC_TRY_ASSIGN(auto transform, pipeline::TransformStage::create(transforms, options));
        chain.push_back(std::move(transform));
      }
      if (!routes.empty()) {
        CDC_TRY_ASSIGN(auto route, pipeline::RouteStage::create(routes, mode));
        chain.push_back(std::move(route));
      }
      return chain;
    };
  }
  return parts;
}

}  // namespace cdc::daemon
