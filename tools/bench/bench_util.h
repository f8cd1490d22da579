// Helpers shared by the in-process pipeline benchmarks: CPU and wall-clock sampling, the
// 5-column datagen table they generate, and a checkpoint log that keeps nothing.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "cdc/datagen/datagen_source.h"
#include "cdc/pipeline/checkpoint_log.h"

namespace cdc::bench {

struct Sample {
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t events = 0;
};

// User + system CPU seconds of the whole process.
inline double cpu_now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `body` (which returns the events it handled) and samples its wall and CPU time.
template <class F>
Sample measure(F&& body) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_now();
  Sample s;
  s.events = body();
  s.cpu_seconds = cpu_now() - c0;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

inline Sample best(const std::vector<Sample>& v) {
  return *std::min_element(v.begin(), v.end(),
                           [](const Sample& a, const Sample& b) { return a.seconds < b.seconds; });
}

// datagen.events: bigint sequence (the key), int, decimal(12,2), varchar from a list,
// datetime(6); batches of 1024.
inline datagen::DatagenOptions events_table(uint64_t rows) {
  datagen::DatagenOptions o;
  o.pipeline_name = "bench";
  o.table = "events";
  o.number_of_rows = rows;
  o.batch_size = 1024;
  using K = datagen::ColumnSpec::Kind;
  o.columns = {{.name = "id", .type = "bigint", .kind = K::sequence, .primary_key = true},
               {.name = "user_id", .type = "int"},
               {.name = "amount", .type = "decimal(12,2)"},
               {.name = "kind", .type = "varchar(12)", .values = {"view", "click", "buy"}},
               {.name = "at", .type = "datetime(6)"}};
  return o;
}

class MemoryLog final : public pipeline::CheckpointLog {
 public:
  Result<std::vector<CheckpointRecord>> history() override {
    return std::vector<CheckpointRecord>{};
  }
  Status record(const CheckpointRecord&) override { return {}; }
};

}  // namespace cdc::bench
