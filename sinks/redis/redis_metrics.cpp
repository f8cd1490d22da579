#include "sinks/redis/redis_metrics.h"

namespace cdc::sinks::redis {

namespace {
prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help,
                             const std::string& pipeline) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({{"pipeline", pipeline}});
}
}  // namespace

RedisMetrics::RedisMetrics(prometheus::Registry& r, const std::string& p)
    : batch_seconds(prometheus::BuildHistogram()
                        .Name("sluice_redis_batch_duration_seconds")
                        .Help("Time to write one batch to Redis (MULTI/EXEC or pipelined writes)")
                        .Register(r)
                        .Add({{"pipeline", p}},
                             prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.005, 0.01,
                                                                     0.05, 0.1, 0.5, 1, 5})),
      errors(
          counter(r, "sluice_redis_errors_total", "Failed Redis writes and refused commands", p)),
      reconnects(
          counter(r, "sluice_redis_reconnects_total", "Connections to Redis after the first", p)),
      skipped_rows(counter(r, "sluice_redis_skipped_rows_total",
                           "Rows skipped because a key column was NULL (key.null-handling: skip)",
                           p)) {
  auto& family = prometheus::BuildCounter()
                     .Name("sluice_redis_commands_total")
                     .Help("Data commands sent to Redis, by command")
                     .Register(r);
  for (size_t i = 0; i < kCommandTypes; ++i) {
    const auto type = static_cast<CommandType>(i);
    if (type == CommandType::other)
      continue;  // the sink's own bookkeeping (WATCH, MULTI, ...), not data
    commands[i] = &family.Add({{"pipeline", p}, {"command", std::string(to_string(type))}});
  }
}

void RedisMetrics::count_commands(const CommandBuffer& buffer) {
  for (size_t i = 0; i < kCommandTypes; ++i) {
    if (buffer.counts()[i] != 0 && commands[i] != nullptr)
      commands[i]->Increment(static_cast<double>(buffer.counts()[i]));
  }
}

void RedisMetrics::connected() {
  if (connected_once_.exchange(true)) reconnects.Increment();
}

}  // namespace cdc::sinks::redis
