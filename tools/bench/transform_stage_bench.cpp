// datagen → stages → null sink: what route and transform stages cost, side by side with the
// same pipeline without stages in the same run. The transform has a 5-column projection, a
// computed column using 3 functions and a 2-predicate filter; the route renames the table.
// Also times each stage alone over the same batches (one thread) and prints ns per event.
//
//   transform_stage_bench [rows=2000000] [repeats=3]

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/log.h"
#include "cdc/datagen/datagen_source.h"
#include "cdc/pipeline/route_stage.h"
#include "cdc/pipeline/runner.h"
#include "cdc/pipeline/transform_stage.h"
#include "sinks/null/null_sink.h"
#include "tools/bench/bench_util.h"

using namespace cdc;
using bench::Sample;
using bench::best;
using bench::measure;

namespace {

constexpr const char* kProjection = "id, user_id, amount, kind, at, UPPER(CONCAT(kind, '-', SUBSTR(kind, 1, 2))) AS tag";
constexpr const char* kFilter = "amount > 100 AND kind <> 'view'";

Result<pipeline::StageChain> make_stages() {
  pipeline::TransformRule t;
  t.source_table = "datagen.events";
  t.projection = kProjection;
  t.filter = kFilter;
  pipeline::StageChain chain;
  CDC_TRY_ASSIGN(auto transform, pipeline::TransformStage::create({t}));
  chain.push_back(std::move(transform));
  CDC_TRY_ASSIGN(auto route, pipeline::RouteStage::create({{"datagen.events", "ods.events"}}));
  chain.push_back(std::move(route));
  return chain;
}

uint64_t through_runner(uint64_t rows, bool stages) {
  bench::MemoryLog log;
  pipeline::PipelineParts parts{
      [rows]() -> Result<std::unique_ptr<Source>> {
        return std::unique_ptr<Source>(*datagen::DatagenSource::create(bench::events_table(rows)));
      },
      []() -> Result<std::unique_ptr<Sink>> { return std::unique_ptr<Sink>(std::make_unique<sinks::NullSink>()); },
      stages ? std::function<Result<pipeline::StageChain>()>(make_stages) : nullptr};
  pipeline::RunnerOptions options;
  options.pipeline_name = "bench";
  pipeline::PipelineRunner runner(options, parts, log, nullptr);
  std::stop_source stop;
  if (auto st = runner.run(stop.get_token()); !st) {
    std::fprintf(stderr, "run failed: %s\n", st.error().to_string().c_str());
    std::exit(1);
  }
  return rows;
}

// This thread's CPU time in ns: the stage timings count CPU, not wall time, so that other
// processes on a busy machine do not inflate them.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU ns per source event of one transform configuration alone on one thread, over batches
// straight from the source (generation not counted), best of `repeats`.
double transform_alone_ns(uint64_t rows, int repeats, const char* projection, const char* filter,
                          uint64_t* passed = nullptr) {
  double best_ns = 1e300;
  for (int r = 0; r < repeats; ++r) {
    pipeline::TransformRule t;
    t.source_table = "datagen.events";
    t.projection = projection;
    t.filter = filter;
    auto stage = *pipeline::TransformStage::create({t});
    auto src = *datagen::DatagenSource::create(bench::events_table(rows));
    (void)src->open(Position{});
    double ns = 0;
    uint64_t out = 0;
    while (true) {
      auto batch = std::move(*src->poll(std::chrono::milliseconds(100)));
      const double t0 = thread_cpu_ns();
      if (auto st = stage->process(*batch); !st) {
        std::fprintf(stderr, "transform failed: %s\n", st.error().to_string().c_str());
        std::exit(1);
      }
      ns += thread_cpu_ns() - t0;
      out += batch->events.size();
      if (batch->end_of_stream) break;
    }
    best_ns = std::min(best_ns, ns / static_cast<double>(rows));
    if (passed != nullptr) *passed = out;
  }
  return best_ns;
}

double route_alone_ns(uint64_t rows, int repeats) {
  double best_ns = 1e300;
  for (int r = 0; r < repeats; ++r) {
    auto route = *pipeline::RouteStage::create({{"datagen.events", "ods.events"}});
    auto src = *datagen::DatagenSource::create(bench::events_table(rows));
    (void)src->open(Position{});
    double ns = 0;
    while (true) {
      auto batch = std::move(*src->poll(std::chrono::milliseconds(100)));
      const double t0 = thread_cpu_ns();
      (void)route->process(*batch);  // cannot fail: one valid rule
      ns += thread_cpu_ns() - t0;
      if (batch->end_of_stream) break;
    }
    best_ns = std::min(best_ns, ns / static_cast<double>(rows));
  }
  return best_ns;
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator_for_arenas();  // as the daemon does
  const uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  log::set_level("warn");
  std::vector<Sample> plain, staged;
  for (int i = 0; i < repeats; ++i) {
    plain.push_back(measure([&] { return through_runner(rows, false); }));
    staged.push_back(measure([&] { return through_runner(rows, true); }));
  }
  const Sample p = best(plain);
  const Sample s = best(staged);
  const double rate_plain = static_cast<double>(p.events) / p.seconds;
  const double rate_staged = static_cast<double>(s.events) / s.seconds;
  std::printf("transform_stage_bench: %llu rows x 5 columns, best of %d\n", static_cast<unsigned long long>(rows),
              repeats);
  std::printf("  projection: %s\n  filter: %s\n  route: datagen.events -> ods.events\n", kProjection, kFilter);
  std::printf("%-38s %12.0f events/s %8.3f CPU us/event\n", "datagen -> runner -> null", rate_plain,
              p.cpu_seconds * 1e6 / static_cast<double>(p.events));
  std::printf("%-38s %12.0f events/s %8.3f CPU us/event   %.1f%% of the throughput lost\n",
              "datagen -> transform -> route -> null", rate_staged,
              s.cpu_seconds * 1e6 / static_cast<double>(s.events), 100.0 * (1.0 - rate_staged / rate_plain));
  std::printf("each stage alone, one thread, CPU ns per source event:\n");
  uint64_t passed = 0;
  std::printf("  transform, 5 copied columns             %7.1f\n",
              transform_alone_ns(rows, repeats, "id, user_id, amount, kind, at", ""));
  std::printf("  transform, + the 2-predicate filter     %7.1f\n",
              transform_alone_ns(rows, repeats, "id, user_id, amount, kind, at", kFilter));
  std::printf("    (the filter on the INT column instead: %7.1f, user_id > 100 AND kind <> 'view')\n",
              transform_alone_ns(rows, repeats, "id, user_id, amount, kind, at", "user_id > 100 AND kind <> 'view'"));
  const double all_ns = transform_alone_ns(rows, repeats, kProjection, kFilter, &passed);
  std::printf("  transform, + the computed column (all)  %7.1f   (%llu of %llu events pass)\n", all_ns,
              static_cast<unsigned long long>(passed), static_cast<unsigned long long>(rows));
  std::printf("  route, one rule                         %7.1f\n", route_alone_ns(rows, repeats));
  return 0;
}
