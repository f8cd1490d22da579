// datagen → stages → null sink: what route and transform stages cost, side by side with the
// same pipeline without stages in the same run. The transform has a 5-column projection, a
// computed column using 3 functions and a 2-predicate filter; the route renames the table.
// Also times each stage alone over the same batches (one thread) and prints ns per event.
//
//   transform_stage_bench [rows=2000000] [repeats=3] [only=all|plain|staged]
//
// `only=staged` (or `plain`) runs just that pipeline, for profiling it with perf.

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
using bench::measure;
using bench::Sample;

namespace {

constexpr const char* kProjection =
    "id, user_id, amount, kind, at, UPPER(CONCAT(kind, '-', SUBSTR(kind, 1, 2))) AS tag";
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

// This thread's CPU time in ns: the stage timings count CPU, not wall time, so that other
// processes on a busy machine do not inflate them.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU ns each of the runner's two threads used: the reader (source.poll) and the sink thread
// (queue, stages, sink.write). The slower of the two bounds the pipeline's throughput.
struct ThreadCpu {
  double reader_ns = 0;
  double sink_ns = 0;
};

// Forwards to the datagen source, noting the reader thread's CPU time after each poll.
class TimedSource final : public Source {
 public:
  TimedSource(std::unique_ptr<Source> inner, ThreadCpu& cpu)
      : inner_(std::move(inner)), cpu_(cpu) {}
  Status open(const Position& resume) override { return inner_->open(resume); }
  Position current_position() const override { return inner_->current_position(); }
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds max_wait) override {
    if (start_ns_ < 0) start_ns_ = thread_cpu_ns();
    auto batch = inner_->poll(max_wait);
    cpu_.reader_ns = thread_cpu_ns() - start_ns_;
    return batch;
  }

 private:
  std::unique_ptr<Source> inner_;
  ThreadCpu& cpu_;
  double start_ns_ = -1;
};

// The null sink, noting the sink thread's CPU time after each write.
class TimedNullSink final : public Sink {
 public:
  explicit TimedNullSink(ThreadCpu& cpu) : cpu_(cpu) {}
  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override {
    start_ns_ = thread_cpu_ns();
    return inner_.open(history);
  }
  Status write(const Batch& batch) override {
    auto st = inner_.write(batch);
    cpu_.sink_ns = thread_cpu_ns() - start_ns_;
    return st;
  }
  Result<std::string> prepare(uint64_t id, const Position& p) override {
    return inner_.prepare(id, p);
  }
  Status commit(uint64_t id) override { return inner_.commit(id); }
  bool exactly_once() const override { return false; }

 private:
  sinks::NullSink inner_;
  ThreadCpu& cpu_;
  double start_ns_ = 0;
};

uint64_t through_runner(uint64_t rows, bool stages, ThreadCpu& cpu) {
  bench::MemoryLog log;
  pipeline::PipelineParts parts{
      [rows, &cpu]() -> Result<std::unique_ptr<Source>> {
        return std::unique_ptr<Source>(std::make_unique<TimedSource>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(bench::events_table(rows))),
            cpu));
      },
      [&cpu]() -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(std::make_unique<TimedNullSink>(cpu));
      },
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
  const std::string only = argc > 3 ? argv[3] : "all";
  log::set_level("warn");
  struct Run {
    Sample sample;
    ThreadCpu cpu;
  };
  const auto run = [&](bool stages) {
    Run r;
    r.sample = measure([&] { return through_runner(rows, stages, r.cpu); });
    return r;
  };
  const auto print = [&](const char* what, const Run& r, const Run* plain) {
    const double events = static_cast<double>(r.sample.events);
    std::printf("%-38s %10.0f events/s %6.3f CPU us/event (reader thread %.3f, sink thread %.3f)",
                what, events / r.sample.seconds, r.sample.cpu_seconds * 1e6 / events,
                r.cpu.reader_ns / events / 1000, r.cpu.sink_ns / events / 1000);
    if (plain != nullptr) {
      std::printf("   %.1f%% of the throughput lost",
                  100.0 * (1.0 - plain->sample.seconds / r.sample.seconds));
    }
    std::printf("\n");
  };
  if (only == "plain" || only == "staged") {
    print(only.c_str(), run(only == "staged"), nullptr);
    return 0;
  }
  // Alternating, so that a change in the machine's load hits both alike; the fastest of each.
  Run plain, staged;
  for (int i = 0; i < repeats; ++i) {
    Run p = run(false);
    if (i == 0 || p.sample.seconds < plain.sample.seconds) plain = p;
    Run s = run(true);
    if (i == 0 || s.sample.seconds < staged.sample.seconds) staged = s;
  }
  std::printf("transform_stage_bench: %llu rows x 5 columns, best of %d\n",
              static_cast<unsigned long long>(rows), repeats);
  std::printf("  projection: %s\n  filter: %s\n  route: datagen.events -> ods.events\n",
              kProjection, kFilter);
  print("datagen -> runner -> null", plain, nullptr);
  print("datagen -> transform -> route -> null", staged, &plain);
  std::printf("each stage alone, one thread, CPU ns per source event:\n");
  uint64_t passed = 0;
  std::printf("  transform, 5 copied columns             %7.1f\n",
              transform_alone_ns(rows, repeats, "id, user_id, amount, kind, at", ""));
  std::printf("  transform, + the 2-predicate filter     %7.1f\n",
              transform_alone_ns(rows, repeats, "id, user_id, amount, kind, at", kFilter));
  std::printf(
      "    (the filter on the INT column instead: %7.1f, user_id > 100 AND kind <> 'view')\n",
      transform_alone_ns(rows, repeats, "id, user_id, amount, kind, at",
                         "user_id > 100 AND kind <> 'view'"));
  const double all_ns = transform_alone_ns(rows, repeats, kProjection, kFilter, &passed);
  std::printf("  transform, + the computed column (all)  %7.1f   (%llu of %llu events pass)\n",
              all_ns, static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(rows));
  std::printf("  route, one rule                         %7.1f\n", route_alone_ns(rows, repeats));
  return 0;
}
