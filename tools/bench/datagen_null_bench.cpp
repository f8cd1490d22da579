// datagen → null sink: the cost of sluice's runtime per event (queue, barriers, checkpoints)
// measured side by side with its physical limit in the same run — the datagen source polled
// in a tight loop with nothing after it. A third run adds debezium-json encoding (written to
// /dev/null) to show what formatting costs. Prints events/s, CPU µs per event and the ratios.
//
//   datagen_null_bench [rows=2000000] [repeats=3]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/log.h"
#include "cdc/datagen/datagen_source.h"
#include "cdc/pipeline/runner.h"
#include "sinks/null/null_sink.h"
#include "sinks/stdout/stdout_sink.h"
#include "tools/bench/bench_util.h"

using namespace cdc;
using bench::best;
using bench::measure;
using bench::Sample;

namespace {

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

uint64_t source_only(uint64_t rows) {
  auto src = *datagen::DatagenSource::create(bench::events_table(rows));
  (void)src->open(Position{});
  uint64_t n = 0;
  while (true) {
    auto batch = std::move(*src->poll(std::chrono::milliseconds(100)));
    n += batch->events.size();
    if (batch->end_of_stream) return n;
  }
}

uint64_t through_runner(uint64_t rows, bool encode_json) {
  bench::MemoryLog log;
  uint64_t written = 0;
  std::FILE* devnull = std::fopen("/dev/null", "w");
  pipeline::PipelineParts parts{
      [rows]() -> Result<std::unique_ptr<Source>> {
        return std::unique_ptr<Source>(*datagen::DatagenSource::create(bench::events_table(rows)));
      },
      [&]() -> Result<std::unique_ptr<Sink>> {
        if (encode_json)
          return std::unique_ptr<Sink>(
              std::make_unique<sinks::StdoutSink>(json::Format::debezium_json, devnull));
        return std::unique_ptr<Sink>(std::make_unique<sinks::NullSink>());
      },
      {}};
  pipeline::RunnerOptions options;
  options.pipeline_name = "bench";
  options.checkpoint_interval = std::chrono::milliseconds(1000);
  pipeline::PipelineRunner runner(options, parts, log, nullptr);
  std::stop_source stop;
  if (auto st = runner.run(stop.get_token()); !st) {
    std::fprintf(stderr, "run failed: %s\n", st.error().to_string().c_str());
    std::exit(1);
  }
  written = rows;
  std::fclose(devnull);
  return written;
}

void print(const char* name, const Sample& s, const Sample& limit) {
  std::printf("%-34s %12.0f events/s %8.3f CPU us/event   %.2fx of the limit\n", name,
              static_cast<double>(s.events) / s.seconds,
              s.cpu_seconds * 1e6 / static_cast<double>(s.events),
              (static_cast<double>(s.events) / s.seconds) /
                  (static_cast<double>(limit.events) / limit.seconds));
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator_for_arenas();  // as the daemon does
  const uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  log::set_level("warn");
  std::vector<Sample> limit, runner, json;
  for (int i = 0; i < repeats; ++i) {
    limit.push_back(measure([&] { return source_only(rows); }));
    runner.push_back(measure([&] { return through_runner(rows, false); }));
    json.push_back(measure([&] { return through_runner(rows, true); }));
  }
  std::printf("datagen_null_bench: %llu rows x 5 columns, best of %d\n",
              static_cast<unsigned long long>(rows), repeats);
  print("limit: datagen source alone", best(limit), best(limit));
  print("sluice: datagen -> runner -> null", best(runner), best(limit));
  print("sluice: ... -> debezium-json", best(json), best(limit));
  std::printf("peak RSS %ld MB\n", peak_rss_mb());
  return 0;
}
