#include "cdc/pipeline/runner.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "cdc/datagen/datagen_source.h"
#include "cdc/pipeline/transform_stage.h"
#include "sinks/file/file_sink.h"
#include "tests/unit/pipeline/test_sinks.h"

using namespace cdc;
using namespace std::chrono_literals;

namespace {

datagen::DatagenOptions small_table(uint64_t rows, uint32_t batch) {
  datagen::DatagenOptions o;
  o.pipeline_name = "t";
  o.table = "orders";
  o.number_of_rows = rows;
  o.batch_size = batch;
  o.columns = {{.name = "id",
                .type = "bigint",
                .kind = datagen::ColumnSpec::Kind::sequence,
                .primary_key = true},
               {.name = "amount", .type = "decimal(10,2)"}};
  return o;
}

std::string temp_path(const char* name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sluice-runner-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::filesystem::remove(p);
  return p.string();
}

// The "id" of every line of a JSON-lines file, in order.
std::vector<long> ids_in(const std::string& path) {
  std::ifstream in(path);
  std::vector<long> ids;
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.find("\"after\":{\"id\":");
    REQUIRE(at != std::string::npos);
    ids.push_back(std::strtol(line.c_str() + at + 14, nullptr, 10));
  }
  return ids;
}

std::vector<long> iota_ids(long n) {
  std::vector<long> v(n);
  for (long i = 0; i < n; ++i) v[i] = i + 1;
  return v;
}

pipeline::RunnerOptions fast_options() {
  pipeline::RunnerOptions o;
  o.pipeline_name = "t";
  o.checkpoint_interval = 5ms;
  o.queue_max_events = 50;
  o.restart_initial_backoff = 1ms;
  o.restart_max_backoff = 5ms;
  o.restart_max_attempts = 5;
  return o;
}

}  // namespace

TEST_CASE("runner: a bounded datagen source reaches the file sink exactly once, in order") {
  const auto path = temp_path("plain.jsonl");
  testing::MemoryCheckpointLog log;
  pipeline::PipelineParts parts{
      [] {
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(small_table(2000, 64))));
      },
      [&] {
        return Result<std::unique_ptr<Sink>>(
            std::make_unique<sinks::FileSink>(path, json::Format::debezium_json));
      },
      {}};
  pipeline::PipelineRunner runner(fast_options(), parts, log, nullptr);
  std::stop_source stop;
  REQUIRE(runner.run(stop.get_token()));
  CHECK(ids_in(path) == iota_ids(2000));
  REQUIRE_FALSE(log.records.empty());
  CHECK(std::get<DatagenPosition>(log.records.front().position).next_row == 2000);
  CHECK(log.records.front().id == runner.checkpoints_committed());
}

TEST_CASE(
    "runner: retryable sink failures restart from the checkpoint and lose or repeat nothing") {
  const auto path = temp_path("retry.jsonl");
  testing::MemoryCheckpointLog log;
  int writes = 0;
  int fail_at = 7;
  int failures_left = 4;
  pipeline::PipelineParts parts{
      [] {
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(small_table(3000, 50))));
      },
      [&]() -> Result<std::unique_ptr<Sink>> {
        auto inner = std::make_unique<sinks::FileSink>(path, json::Format::debezium_json);
        auto s =
            std::make_unique<testing::FailingSink>(std::move(inner), &writes, fail_at, Errc::io);
        // The next instances fail again a little later, four times in all.
        fail_at = --failures_left > 0 ? writes + 13 : -1;
        return std::unique_ptr<Sink>(std::move(s));
      },
      {}};
  auto options = fast_options();
  options.restart_max_attempts = 10;
  pipeline::PipelineRunner runner(options, parts, log, nullptr);
  std::stop_source stop;
  REQUIRE(runner.run(stop.get_token()));
  CHECK(failures_left == -1);  // five sinks were opened: four failed, the fifth finished
  CHECK(writes > 60);
  CHECK(ids_in(path) == iota_ids(3000));
}

TEST_CASE("runner: a state store failure during a checkpoint is retried without duplicates") {
  const auto path = temp_path("statefail.jsonl");
  testing::MemoryCheckpointLog log;
  pipeline::PipelineParts parts{
      [] {
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(small_table(500, 20))));
      },
      [&] {
        return Result<std::unique_ptr<Sink>>(
            std::make_unique<sinks::FileSink>(path, json::Format::debezium_json));
      },
      {}};
  pipeline::PipelineRunner runner(fast_options(), parts, log, nullptr);
  // Fail the second checkpoint record (the first pins the start).
  std::jthread saboteur([&] {
    while (log.records.empty()) std::this_thread::sleep_for(1ms);
    log.fail_next_record = true;
  });
  std::stop_source stop;
  REQUIRE(runner.run(stop.get_token()));
  CHECK(ids_in(path) == iota_ids(500));
}

TEST_CASE("runner: a non-retryable error stops the pipeline with its message") {
  const auto path = temp_path("fatal.jsonl");
  testing::MemoryCheckpointLog log;
  int writes = 0;
  pipeline::PipelineParts parts{
      [] {
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(small_table(500, 20))));
      },
      [&] {
        return Result<std::unique_ptr<Sink>>(std::make_unique<testing::FailingSink>(
            std::make_unique<sinks::FileSink>(path, json::Format::debezium_json), &writes, 3,
            Errc::malformed));
      },
      {}};
  pipeline::PipelineRunner runner(fast_options(), parts, log, nullptr);
  std::stop_source stop;
  auto st = runner.run(stop.get_token());
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(st.error().message == "sink write: injected write failure");
  CHECK(writes == 3);  // not retried
}

namespace {
// The datagen source, telling the runner it knows `known` before reading (as the MySQL source
// does from its schema history), and counting polls.
class KnownTablesSource final : public Source {
 public:
  KnownTablesSource(std::vector<TableSchemaPtr> known, int* polls)
      : inner_(*datagen::DatagenSource::create(small_table(100, 10))),
        known_(std::move(known)),
        polls_(polls) {}
  Status open(const Position& p) override { return inner_->open(p); }
  Position current_position() const override { return inner_->current_position(); }
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds wait) override {
    ++*polls_;
    return inner_->poll(wait);
  }
  std::vector<TableSchemaPtr> known_schemas() const override { return known_; }

 private:
  std::unique_ptr<Source> inner_;
  std::vector<TableSchemaPtr> known_;
  int* polls_;
};
}  // namespace

TEST_CASE(
    "runner: a transform that does not fit a table the source knows stops at start, before "
    "reading") {
  auto orders = std::make_shared<TableSchema>();
  orders->id = TableId{"datagen", "orders"};
  orders->columns = {
      Column{.name = "id", .kind = ValueKind::int64, .nullable = false},
      Column{.name = "amount", .kind = ValueKind::decimal, .precision = 10, .scale = 2}};
  orders->primary_key = {0};
  const auto run = [&](std::vector<TableSchemaPtr> known, int* polls) {
    testing::MemoryCheckpointLog log;
    pipeline::PipelineParts parts{
        [&] {
          return Result<std::unique_ptr<Source>>(std::make_unique<KnownTablesSource>(known, polls));
        },
        [] {
          return Result<std::unique_ptr<Sink>>(std::make_unique<sinks::FileSink>(
              temp_path("known.jsonl"), json::Format::debezium_json));
        },
        []() -> Result<pipeline::StageChain> {
          pipeline::TransformRule rule{.source_table = "datagen.orders",
                                       .projection = "id, amount * nope AS x"};
          CDC_TRY_ASSIGN(auto transform, pipeline::TransformStage::create({rule}));
          pipeline::StageChain chain;
          chain.push_back(std::move(transform));
          return chain;
        }};
    pipeline::PipelineRunner runner(fast_options(), parts, log, nullptr);
    std::stop_source stop;
    return runner.run(stop.get_token());
  };
  int polls = 0;
  auto st = run({orders}, &polls);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  CHECK(st.error().message.starts_with(
      "checking the stages against the schema of datagen.orders at start: "));
  CHECK(st.error().message.find("unknown column 'nope'") != std::string::npos);
  CHECK(polls == 0);

  // A table the source learns only from the stream: the same error at its first event.
  polls = 0;
  st = run({}, &polls);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  CHECK(st.error().message.starts_with("stage: "));
  CHECK(st.error().message.find("unknown column 'nope'") != std::string::npos);
  CHECK(polls >= 1);
}

TEST_CASE("runner: retryable failures give up after restart.max-attempts") {
  testing::MemoryCheckpointLog log;
  int opens = 0;
  pipeline::PipelineParts parts{
      [&]() -> Result<std::unique_ptr<Source>> {
        ++opens;
        return make_error(Errc::unavailable, "connection refused");
      },
      [&] {
        return Result<std::unique_ptr<Sink>>(
            std::make_unique<sinks::FileSink>(temp_path("x.jsonl"), json::Format::debezium_json));
      },
      {}};
  auto options = fast_options();
  options.restart_max_attempts = 3;
  pipeline::PipelineRunner runner(options, parts, log, nullptr);
  std::stop_source stop;
  auto st = runner.run(stop.get_token());
  REQUIRE_FALSE(st);
  CHECK(opens == 4);  // the first try and three restarts
  CHECK(st.error().message == "gave up after 3 restart attempts: connection refused");
}

TEST_CASE(
    "runner: stop finishes with a final checkpoint of what the sink has, and a restart continues") {
  const auto path = temp_path("stop.jsonl");
  testing::MemoryCheckpointLog log;
  auto make_parts = [&](uint64_t rows) {
    return pipeline::PipelineParts{
        [rows] {
          auto o = small_table(rows, 10);
          o.rows_per_second = 2000;
          return Result<std::unique_ptr<Source>>(
              std::unique_ptr<Source>(*datagen::DatagenSource::create(o)));
        },
        [&] {
          return Result<std::unique_ptr<Sink>>(
              std::make_unique<sinks::FileSink>(path, json::Format::debezium_json));
        },
        {}};
  };
  {
    pipeline::PipelineRunner runner(fast_options(), make_parts(400), log, nullptr);
    std::stop_source stop;
    std::jthread stopper([&] {
      std::this_thread::sleep_for(60ms);
      stop.request_stop();
    });
    REQUIRE(runner.run(stop.get_token()));
  }
  const auto first = ids_in(path);
  CHECK(first.size() < 400);
  CHECK(std::get<DatagenPosition>(log.records.front().position).next_row == first.size());
  pipeline::PipelineRunner again(fast_options(), make_parts(400), log, nullptr);
  std::stop_source never;
  REQUIRE(again.run(never.get_token()));
  CHECK(ids_in(path) == iota_ids(400));
}

TEST_CASE(
    "runner: at a low rate each row reaches the file before any checkpoint (the sink is told the "
    "queue is idle)") {
  const auto path = temp_path("idle.jsonl");
  testing::MemoryCheckpointLog log;
  pipeline::PipelineParts parts{
      [] {
        auto o = small_table(100000, 10);  // far more than the test's second: no end of stream
        o.rows_per_second = 500;
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(o)));
      },
      [&] {
        return Result<std::unique_ptr<Sink>>(
            std::make_unique<sinks::FileSink>(path, json::Format::debezium_json));
      },
      {}};
  auto options = fast_options();
  options.checkpoint_interval = std::chrono::hours(1);
  pipeline::PipelineRunner runner(options, parts, log, nullptr);
  std::stop_source stop;
  size_t seen = 0;
  std::jthread watcher([&] {
    for (int i = 0; i < 200 && seen < 20; ++i) {  // up to ~1 s
      std::this_thread::sleep_for(5ms);
      seen = ids_in(path).size();
    }
    stop.request_stop();
  });
  REQUIRE(runner.run(stop.get_token()));
  watcher.join();
  // 20 rows took ~40 ms at 500 rows/s; the only checkpoints are the first (before reading)
  // and the final one at stop.
  CHECK(seen >= 20);
  CHECK(log.records.size() == 2);
}

namespace {
// Counts the events it is given; `before_write` runs first (a delay, a gate).
class CountingSink final : public Sink {
 public:
  CountingSink(std::atomic<uint64_t>& written, std::function<void()> before_write)
      : written_(written), before_write_(std::move(before_write)) {}
  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> h) override {
    return h.empty() ? std::optional<CheckpointRecord>()
                     : std::optional<CheckpointRecord>(h.front());
  }
  Status write(const Batch& b) override {
    before_write_();
    written_ += b.events.size();
    return {};
  }
  Result<std::string> prepare(uint64_t, const Position&) override { return std::string(); }
  Status commit(uint64_t) override { return {}; }
  bool exactly_once() const override { return false; }

 private:
  std::atomic<uint64_t>& written_;  // owned by the test: outlives every sink instance
  std::function<void()> before_write_;
};
}  // namespace

TEST_CASE("runner: a slow sink slows the reader; the queue never exceeds its bounds") {
  testing::MemoryCheckpointLog log;
  prometheus::Registry registry;
  pipeline::PipelineMetrics metrics(registry, "bp");
  std::atomic<uint64_t> written{0};
  pipeline::PipelineParts parts{[] {
                                  return Result<std::unique_ptr<Source>>(std::unique_ptr<Source>(
                                      *datagen::DatagenSource::create(small_table(100000, 20))));
                                },
                                [&]() -> Result<std::unique_ptr<Sink>> {
                                  // Slow, so the source outruns it.
                                  return std::unique_ptr<Sink>(std::make_unique<CountingSink>(
                                      written, [] { std::this_thread::sleep_for(2ms); }));
                                },
                                {}};
  auto options = fast_options();
  options.queue_max_events = 100;
  options.queue_max_bytes = 1u << 20;
  pipeline::PipelineRunner runner(options, parts, log, &metrics);
  std::stop_source stop;
  double max_events = 0, max_bytes = 0;
  std::jthread sampler([&](std::stop_token st) {
    while (!st.stop_requested()) {
      max_events = std::max(max_events, metrics.queue_events.Value());
      max_bytes = std::max(max_bytes, metrics.queue_bytes.Value());
      std::this_thread::sleep_for(1ms);
    }
  });
  std::jthread stopper([&] {
    std::this_thread::sleep_for(400ms);
    stop.request_stop();
  });
  REQUIRE(runner.run(stop.get_token()));
  sampler.request_stop();
  sampler.join();
  // ~200 batches of 20 fit in 400 ms at 2 ms each: far fewer than the 100 000 rows the
  // source could have produced without backpressure.
  CHECK(written.load() > 0);
  CHECK(written.load() < 10000);
  CHECK(max_events > 0);
  CHECK(max_events <= 100);
  CHECK(max_bytes <= (1u << 20));
  // Nothing read beyond what the sink took, the queue and the batch the reader holds.
  CHECK(metrics.events_read.Value() <= static_cast<double>(written.load()) + 100 + 20);
}

namespace {

pipeline::PipelineParts datagen_to_file(const std::string& path, uint64_t rows, uint32_t batch,
                                        double rate) {
  return pipeline::PipelineParts{
      [rows, batch, rate] {
        auto options = small_table(rows, batch);
        options.rows_per_second = rate;
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(options)));
      },
      [path] {
        return Result<std::unique_ptr<Sink>>(
            std::make_unique<sinks::FileSink>(path, json::Format::debezium_json));
      },
      {}};
}

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
  for (auto until = std::chrono::steady_clock::now() + limit;
       std::chrono::steady_clock::now() < until;) {
    if (done()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return false;
}

}  // namespace

TEST_CASE("runner: pause stops reading within one batch; resume goes on with nothing lost") {
  const auto path = temp_path("pause.jsonl");
  testing::MemoryCheckpointLog log;
  pipeline::PipelineControl control;
  pipeline::PipelineRunner runner(fast_options(), datagen_to_file(path, 3000, 10, 2000), log,
                                  nullptr, &control);
  std::stop_source stop;
  Status result;
  std::thread t([&] { result = runner.run(stop.get_token()); });
  REQUIRE(wait_for([&] { return control.status().events_written >= 200; }));
  control.pause();
  REQUIRE(control.wait_parked(5s));
  // What the reader had read when it parked is written; after that nothing moves.
  REQUIRE(wait_for([&] { return control.status().queue_events == 0; }));
  std::this_thread::sleep_for(50ms);
  const uint64_t at_pause = control.status().events_written;
  CHECK(control.status().state == pipeline::PipelineState::paused);
  std::this_thread::sleep_for(300ms);  // 600 rows at the generator's rate, were it reading
  CHECK(control.status().events_written == at_pause);
  CHECK(at_pause < 3000);
  // A checkpoint while paused holds exactly what was written.
  auto record = control.checkpoint_now(5s);
  REQUIRE_MESSAGE(record, record.error().to_string());
  CHECK(std::get<DatagenPosition>(record->position).next_row == at_pause);
  control.resume();
  t.join();
  REQUIRE(result);
  CHECK(ids_in(path) == iota_ids(3000));
  CHECK(control.status().state == pipeline::PipelineState::stopped);
  CHECK(control.status().events_written == 3000);
}

TEST_CASE("runner: the status shows what the reader queued while the sink writes") {
  testing::MemoryCheckpointLog log;
  std::atomic<bool> gate_open{false}, holding{false};
  std::atomic<uint64_t> written{0};
  pipeline::PipelineParts parts{
      [] {
        return Result<std::unique_ptr<Source>>(
            std::unique_ptr<Source>(*datagen::DatagenSource::create(small_table(1000, 10))));
      },
      [&]() -> Result<std::unique_ptr<Sink>> {
        // Holds every write until the gate opens, so the reader fills the queue meanwhile.
        return std::unique_ptr<Sink>(std::make_unique<CountingSink>(written, [&] {
          holding = true;
          while (!gate_open) std::this_thread::sleep_for(1ms);
        }));
      },
      {}};
  pipeline::PipelineControl control;
  pipeline::PipelineRunner runner(fast_options(), parts, log, nullptr, &control);
  std::stop_source stop;
  Status result;
  std::thread t([&] { result = runner.run(stop.get_token()); });
  REQUIRE(wait_for([&] { return holding.load(); }));
  // The sink holds one batch; the reader fills the queue (50 events) behind it. Reported only
  // when the pipeline thread popped, the depth stayed what it was then (at most 40).
  CHECK(wait_for([&] { return control.status().queue_events == 50; }, 5s));
  // Paused, the reader parks once the push it is blocked in goes through.
  control.pause();
  gate_open = true;
  REQUIRE(control.wait_parked(5s));
  // An empty queue in the status now means every batch read before the pause reached the
  // sink, so a checkpoint taken next covers all of it.
  REQUIRE(wait_for([&] { return control.status().queue_events == 0; }));
  auto record = control.checkpoint_now(5s);
  REQUIRE_MESSAGE(record, record.error().to_string());
  CHECK(std::get<DatagenPosition>(record->position).next_row == written.load());
  CHECK(written.load() >= 60);
  CHECK(control.status().events_written == written.load());
  stop.request_stop();
  control.resume();
  t.join();
  CHECK(result);
}

TEST_CASE("runner: checkpoint_now is refused while no attempt streams") {
  pipeline::PipelineControl control;
  auto r = control.checkpoint_now(100ms);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unavailable);
  CHECK(r.error().message ==
        "the pipeline is starting, not streaming: no checkpoint can be taken now");
}

TEST_CASE("runner: start_from replays the range after the savepoint, then resumes normally") {
  const auto path = temp_path("replay.jsonl");
  testing::MemoryCheckpointLog log;
  pipeline::PipelineControl control;
  CheckpointRecord savepoint;
  {
    pipeline::PipelineRunner runner(fast_options(), datagen_to_file(path, 500, 25, 0), log, nullptr,
                                    &control);
    std::stop_source stop;
    REQUIRE(runner.run(stop.get_token()));
  }
  REQUIRE(ids_in(path) == iota_ids(500));
  // A savepoint as the control API takes it: a copy of a checkpoint, here the one at row 300
  // (the file's length then is what its sink state says).
  const auto lines_before = [&](long n) {
    std::ifstream in(path);
    std::string line;
    uint64_t bytes = 0;
    for (long i = 0; i < n && std::getline(in, line); ++i) bytes += line.size() + 1;
    return bytes;
  };
  savepoint = CheckpointRecord{2, DatagenPosition{300},
                               sinks::FileSink::encode_state(lines_before(300)), 1};
  auto options = fast_options();
  options.start_from = savepoint;
  {
    pipeline::PipelineRunner runner(options, datagen_to_file(path, 500, 25, 0), log, nullptr,
                                    &control);
    std::stop_source stop;
    REQUIRE(runner.run(stop.get_token()));
  }
  std::vector<long> expected = iota_ids(500);
  for (long id = 301; id <= 500; ++id) expected.push_back(id);
  CHECK(ids_in(path) == expected);

  // A savepoint that says the file held more than it does is refused with the reason.
  options.start_from->sink_state = sinks::FileSink::encode_state(1ull << 40);
  pipeline::PipelineRunner refused(options, datagen_to_file(path, 500, 25, 0), log, nullptr,
                                   &control);
  std::stop_source stop;
  auto st = refused.run(stop.get_token());
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  CHECK(st.error().message.find("fewer than the 1099511627776 it held at checkpoint 2: it was "
                                "replaced or truncated since the savepoint") != std::string::npos);
  CHECK(control.status().state == pipeline::PipelineState::failed);
  CHECK(control.status().last_error.find("restoring the savepoint") != std::string::npos);
  CHECK(ids_in(path) == expected);
}
