// RedisMetrics: the Redis sink's Prometheus series, labelled {pipeline}. One instance per
// pipeline, shared by the sink instances the runner creates across restarts (so that reconnects
// can be counted). Updates are thread-safe (prometheus-cpp atomics).
#pragma once

#include <array>
#include <atomic>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "sinks/redis/command_buffer.h"

namespace cdc::sinks::redis {

struct RedisMetrics {
  RedisMetrics(prometheus::Registry& registry, const std::string& pipeline);

  void count_commands(const CommandBuffer& buffer);
  // Counts a connection; every one after the first is a reconnect.
  void connected();

  std::array<prometheus::Counter*, kCommandTypes>
      commands{};                        // sluice_redis_commands_total{command}
  prometheus::Histogram& batch_seconds;  // sluice_redis_batch_duration_seconds: one write to Redis
  prometheus::Counter& errors;           // sluice_redis_errors_total
  prometheus::Counter& reconnects;       // sluice_redis_reconnects_total
  prometheus::Counter& skipped_rows;     // sluice_redis_skipped_rows_total (NULL key, skip policy)

 private:
  std::atomic<bool> connected_once_{false};
};

}  // namespace cdc::sinks::redis
