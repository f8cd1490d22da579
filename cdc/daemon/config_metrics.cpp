#include "cdc/daemon/config_metrics.h"

#include <prometheus/gauge.h>

#include <chrono>
#include <variant>

namespace cdc::daemon {
namespace {

const char* source_type(const config::SourceOptions& s) {
  if (std::holds_alternative<mysql::MysqlSourceOptions>(s)) return "mysql";
  if (std::holds_alternative<datagen::DatagenOptions>(s)) return "datagen";
  return "other";
}

const char* sink_type(const config::SinkOptions& s) {
  if (std::holds_alternative<config::StdoutSinkOptions>(s)) return "stdout";
  if (std::holds_alternative<config::FileSinkOptions>(s)) return "file";
  if (std::holds_alternative<sinks::redis::RedisOptions>(s)) return "redis";
  if (std::holds_alternative<sinks::kafka::KafkaOptions>(s)) return "kafka";
  if (std::holds_alternative<sinks::doris::DorisOptions>(s)) return "doris";
  return "null";
}

void set_gauge(prometheus::Registry& r, const char* name, const char* help,
               const std::string& pipeline, double value) {
  prometheus::BuildGauge()
      .Name(name)
      .Help(help)
      .Register(r)
      .Add({{"pipeline", pipeline}})
      .Set(value);
}

}  // namespace

void publish_config_metrics(prometheus::Registry& r, const config::PipelineConfig& config) {
  const config::PipelineOptions& p = config.pipeline;
  prometheus::BuildGauge()
      .Name("sluice_pipeline_info")
      .Help("1 per pipeline: its id (pipeline), name, source and sink types and delivery")
      .Register(r)
      .Add({{"pipeline", p.id},
            {"name", p.name},
            {"source", source_type(config.source)},
            {"sink", sink_type(config.sink)},
            {"delivery",
             p.delivery == config::Delivery::exactly_once ? "exactly-once" : "at-least-once"}})
      .Set(1);
  set_gauge(r, "sluice_checkpoint_interval_seconds", "pipeline.checkpoint.interval", p.id,
            std::chrono::duration<double>(p.checkpoint_interval).count());
  set_gauge(r, "sluice_queue_capacity_events", "pipeline.queue.max-events", p.id,
            static_cast<double>(p.queue_max_events));
  set_gauge(r, "sluice_queue_capacity_bytes", "pipeline.queue.max-bytes", p.id,
            static_cast<double>(p.queue_max_bytes));
}

}  // namespace cdc::daemon
