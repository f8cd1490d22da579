// datagen → stages → null sink: what route and transform stages cost, side by side with the
// same pipeline without stages in the same run. The transform has a 5-column projection, a
// computed column using 3 functions and a 2-predicate filter; the route renames the table.
// Also times each stage alone over the same batches (one thread) and prints ns per event.
//
//   transform_stage_bench [rows=2000000] [repeats=3]

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

struct StageTimes {
  double transform_ns = 0;
  double route_ns = 0;
  uint64_t events_in = 0;
  uint64_t events_out = 0;
};

// Each stage alone on one thread, over batches straight from the source.
StageTimes stages_alone(uint64_t rows) {
  auto chain = *make_stages();
  auto src = *datagen::DatagenSource::create(bench::events_table(rows));
  (void)src->open(Position{});
  StageTimes t;
  while (true) {
    auto batch = std::move(*src->poll(std::chrono::milliseconds(100)));
    t.events_in += batch->events.size();
    const auto t0 = std::chrono::steady_clock::now();
    if (auto st = chain[0]->process(*batch); !st) {
      std::fprintf(stderr, "transform failed: %s\n", st.error().to_string().c_str());
      std::exit(1);
    }
    const auto t1 = std::chrono::steady_clock::now();
    (void)chain[1]->process(*batch);  // cannot fail: one valid rule
    const auto t2 = std::chrono::steady_clock::now();
    t.transform_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
    t.route_ns += std::chrono::duration<double, std::nano>(t2 - t1).count();
    t.events_out += batch->events.size();
    if (batch->end_of_stream) return t;
  }
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator_for_arenas();  // as the daemon does
  const uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  log::set_level("warn");
  std::vector<Sample> plain, staged;
  std::vector<StageTimes> alone;
  for (int i = 0; i < repeats; ++i) {
    plain.push_back(measure([&] { return through_runner(rows, false); }));
    staged.push_back(measure([&] { return through_runner(rows, true); }));
    alone.push_back(stages_alone(rows));
  }
  const Sample p = best(plain);
  const Sample s = best(staged);
  const auto fastest = [&](auto field) {
    double v = alone[0].*field;
    for (const auto& a : alone) v = std::min(v, a.*field);
    return v / static_cast<double>(rows);
  };
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
  std::printf("stages alone (one thread): transform %.1f ns/event, route %.1f ns/event (%llu of %llu events pass)\n",
              fastest(&StageTimes::transform_ns), fastest(&StageTimes::route_ns),
              static_cast<unsigned long long>(alone[0].events_out), static_cast<unsigned long long>(alone[0].events_in));
  return 0;
}
