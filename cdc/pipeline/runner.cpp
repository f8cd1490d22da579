#include "cdc/pipeline/runner.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <variant>
#include <vector>

#include "cdc/core/log.h"
#include "cdc/pipeline/bounded_queue.h"

namespace cdc::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

struct Barrier {
  Position position;
};
struct EndOfStream {};
struct ReaderFailed {
  Error error;
};
using QueueItem = std::variant<std::unique_ptr<Batch>, Barrier, EndOfStream, ReaderFailed>;
using Queue = BoundedQueue<QueueItem>;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The queue's depth as the status and the gauges show it. Both threads report after they change
// the queue, and the depth is read under the status lock, so the last report is never older
// than the last push or pop. (Reported on pop only, a 0 from before a push stayed while the sink
// wrote: a client that waited for an empty queue after a pause took a savepoint one batch
// short.)
void report_queue_depth(const Queue& queue, PipelineMetrics* metrics, PipelineControl* control) {
  const auto report = [&] {
    const Queue::Depth depth = queue.depth();
    if (metrics != nullptr) {
      metrics->queue_events.Set(static_cast<double>(depth.items));
      metrics->queue_bytes.Set(static_cast<double>(depth.bytes));
    }
    return depth;
  };
  if (control == nullptr) {
    (void)report();  // the gauges only
    return;
  }
  control->update([&](PipelineStatus& s) {
    const Queue::Depth depth = report();
    s.queue_events = depth.items;
    s.queue_bytes = depth.bytes;
  });
}

// Sleeps for `d` or until stop is requested; false when stopped.
bool sleep_for(std::chrono::milliseconds d, std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  return !cv.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
}

// Reads from the source until stopped, the source ends or fails; the barrier cadence is
// driven from here so that a barrier is always behind the batches it covers.
void read_loop(std::stop_token stop, Source& source, Queue& queue, const RunnerOptions& options,
               PipelineMetrics* metrics, PipelineControl* control) {
  auto last_barrier = Clock::now();
  bool unbarriered = false;
  Position last_position;
  uint64_t bytes_counted = 0;         // of this source instance's bytes_read()
  SnapshotProgress snapshot_counted;  // of this source instance's snapshot_progress()
  // Per-table progress is a copy of every table: taken now and then while a snapshot reads,
  // and when one starts or ends.
  auto tables_taken = Clock::now();
  bool tables_reading = false;
  bool parked = false;
  while (!stop.stop_requested()) {
    if (control != nullptr && control->pause_requested()) {
      // Paused: no poll, but what was read before still gets its barrier, so the checkpoint
      // (and a savepoint taken while paused) covers everything the sink has.
      if (!parked && tables_reading) {
        // The status shows a paused snapshot's tables where it stopped, not 250 ms before.
        auto tables = source.snapshot_tables();
        control->update([&](PipelineStatus& s) { s.snapshot_tables = std::move(tables); });
      }
      parked = true;
      control->set_reader_parked(true);
      if (unbarriered && Clock::now() - last_barrier >= options.checkpoint_interval) {
        if (!queue.push(Barrier{last_position}, 0, 0, stop)) return;
        last_barrier = Clock::now();
        unbarriered = false;
      }
      (void)sleep_for(std::chrono::milliseconds(20), stop);  // ignored: the loop checks stop
      continue;
    }
    if (control != nullptr) control->set_reader_parked(false);
    parked = false;
    auto polled = source.poll(options.poll_timeout);
    if (!polled) {
      (void)queue.push(
          ReaderFailed{std::move(polled).error()}, 0, 0,
          stop);  // ignored because a stopped queue means the sink side is gone already
      return;
    }
    if (std::unique_ptr<Batch> batch = std::move(*polled)) {
      const bool end = batch->end_of_stream;
      last_position = batch->end;
      unbarriered = true;
      const SnapshotProgress snap = source.snapshot_progress();
      const bool snapshotting = snap.rows != 0 || snap.reading;
      std::optional<std::vector<TableSnapshotProgress>> tables;
      if (snapshotting && (snap.reading != tables_reading ||
                           Clock::now() - tables_taken >= std::chrono::milliseconds(250))) {
        tables = source.snapshot_tables();
        tables_taken = Clock::now();
        tables_reading = snap.reading;
      }
      if (metrics != nullptr) {
        metrics->events_read.Increment(static_cast<double>(batch->events.size()));
        metrics->count_read(*batch, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
        const uint64_t bytes_now = source.bytes_read();
        metrics->bytes_read.Increment(static_cast<double>(bytes_now - bytes_counted));
        bytes_counted = bytes_now;
        if (snapshotting) {
          metrics->snapshot_rows.Increment(static_cast<double>(snap.rows - snapshot_counted.rows));
          metrics->snapshot_chunks_done.Increment(
              static_cast<double>(snap.chunks - snapshot_counted.chunks));
          metrics->snapshot_tables_done.Set(static_cast<double>(snap.tables_done));
          metrics->snapshot_tables_total.Set(static_cast<double>(snap.tables_total));
          metrics->snapshot_reading.Set(snap.reading ? 1 : 0);
          snapshot_counted = snap;
        }
        if (tables) metrics->set_snapshot_tables(*tables);
      }
      if (control != nullptr) {
        const auto* at = std::get_if<SnapshotPosition>(&batch->end);
        control->update([&](PipelineStatus& s) {
          if (snapshotting) s.snapshot = snap;
          if (tables) s.snapshot_tables = std::move(*tables);
          s.snapshot_table = at != nullptr && at->reading ? at->db + "." + at->table : "";
        });
      }
      const size_t events = std::max<size_t>(1, batch->events.size());
      const size_t bytes = batch->memory_bytes();
      if (!queue.push(std::move(batch), events, bytes, stop)) return;
      report_queue_depth(queue, metrics, control);
      if (end) {
        (void)queue.push(EndOfStream{}, 0, 0, stop);  // ignored: stopping anyway
        return;
      }
    }
    if (unbarriered && Clock::now() - last_barrier >= options.checkpoint_interval) {
      if (!queue.push(Barrier{last_position}, 0, 0, stop)) return;
      last_barrier = Clock::now();
      unbarriered = false;
    }
  }
}

}  // namespace

PipelineRunner::PipelineRunner(RunnerOptions options, PipelineParts parts, CheckpointLog& log,
                               PipelineMetrics* metrics, PipelineControl* control)
    : options_(std::move(options)),
      parts_(std::move(parts)),
      log_(log),
      metrics_(metrics),
      control_(control) {
  if (control_ != nullptr) {
    control_->update([&](PipelineStatus& s) {
      s.queue_max_events = options_.queue_max_events;
      s.queue_max_bytes = options_.queue_max_bytes;
    });
  }
}

Status PipelineRunner::run(std::stop_token stop) {
  auto logger = log::get("pipeline");
  std::mt19937_64 rng(std::random_device{}());
  uint32_t failures = 0;
  while (true) {
    bool made_progress = false;
    Status st = run_once(stop, &made_progress);
    ready_ = false;
    if (metrics_ != nullptr) metrics_->running.Set(0);
    if (control_ != nullptr) control_->set_streaming(false);
    auto set_state = [&](PipelineState state, const Error* err) {
      if (control_ == nullptr) return;
      control_->update([&](PipelineStatus& s) {
        s.state = state;
        if (err != nullptr) {
          s.last_error = err->to_string();
          s.last_error_ms = unix_ms();
        }
      });
    };
    if (st) {
      set_state(PipelineState::stopped, nullptr);
      return st;
    }
    if (metrics_ != nullptr) metrics_->errors.Increment();
    Error err = std::move(st).error();
    if (stop.stop_requested()) {
      logger->warn("[pipeline={}] stopping after error: {}", options_.pipeline_name,
                   err.to_string());
      set_state(PipelineState::failed, &err);
      return err;
    }
    if (!err.retryable()) {
      logger->error("[pipeline={}] stopped: {}", options_.pipeline_name, err.to_string());
      set_state(PipelineState::failed, &err);
      return err;
    }
    set_state(PipelineState::restarting, &err);
    failures = made_progress ? 1 : failures + 1;
    if (options_.restart_max_attempts != 0 && failures > options_.restart_max_attempts) {
      logger->error("[pipeline={}] giving up after {} failed attempts: {}", options_.pipeline_name,
                    failures - 1, err.to_string());
      set_state(PipelineState::failed, &err);
      return std::move(err).with_context("gave up after " + std::to_string(failures - 1) +
                                         " restart attempts");
    }
    // Exponential backoff with "equal jitter": half fixed, half random, so that many
    // instances failing together do not reconnect in lockstep.
    const auto base = options_.restart_initial_backoff.count();
    const auto cap = options_.restart_max_backoff.count();
    int64_t delay = base;
    for (uint32_t i = 1; i < failures && delay < cap; ++i) delay *= 2;
    delay = std::min<int64_t>(delay, cap);
    std::uniform_int_distribution<int64_t> jitter(0, delay / 2);
    const auto wait = std::chrono::milliseconds(delay - delay / 2 + jitter(rng));
    logger->warn("[pipeline={}] {}; restarting from the last checkpoint in {} ms (attempt {})",
                 options_.pipeline_name, err.to_string(), wait.count(), failures);
    if (metrics_ != nullptr) metrics_->restarts.Increment();
    if (control_ != nullptr) control_->update([](PipelineStatus& s) { ++s.restarts; });
    if (!sleep_for(wait, stop)) {
      set_state(PipelineState::stopped, nullptr);
      return {};
    }
  }
}

Status PipelineRunner::run_once(std::stop_token stop, bool* made_progress) {
  auto logger = log::get("pipeline");
  const std::string& name = options_.pipeline_name;

  CDC_TRY_ASSIGN(std::vector<CheckpointRecord> history, log_.history());
  CDC_TRY_ASSIGN(std::unique_ptr<Sink> sink, parts_.make_sink());
  CDC_TRY_ASSIGN(std::optional<CheckpointRecord> resume, sink->open(history));
  const bool sink_wants_schema_changes = sink->wants_schema_changes();
  uint64_t next_id = 1;
  if (!history.empty()) next_id = history.front().id + 1;
  if (resume) next_id = std::max(next_id, resume->id + 1);
  Position start = resume ? resume->position : Position{};
  logger->info("[pipeline={}] sink open; resuming from {}", name,
               resume ? "checkpoint " + std::to_string(resume->id) + " at " + to_string(start)
                      : std::string("the start (no checkpoint)"));
  // --from-savepoint: the sink keeps what it has; the source goes back to the savepoint.
  const bool replay = options_.start_from.has_value() && !start_from_done_;
  if (replay) {
    if (auto st = sink->check_replay(*options_.start_from); !st) {
      sink->close();
      return std::move(st).error().with_context("restoring the savepoint (checkpoint " +
                                                std::to_string(options_.start_from->id) + ")");
    }
    start = options_.start_from->position;
    logger->warn(
        "[pipeline={}] replaying from the savepoint's checkpoint {} at {}: the sink "
        "receives the changes after it again",
        name, options_.start_from->id, to_string(start));
  }

  CDC_TRY_ASSIGN(std::unique_ptr<Source> source, parts_.make_source());
  if (metrics_ != nullptr && source_opens_++ > 0) metrics_->reconnects.Increment();
  if (auto st = source->open(start); !st) {
    sink->close();
    return std::move(st).error().with_context("opening the source");
  }
  StageChain stages;
  if (parts_.make_stages) {
    CDC_TRY_ASSIGN(stages, parts_.make_stages());
  }
  // A transform that does not fit a table the source already knows stops the pipeline here,
  // before anything is read, instead of at that table's first event.
  if (auto problems = check_stages(stages, source->known_schemas()); !problems.empty()) {
    source->close();
    sink->close();
    return std::move(problems.front().error)
        .with_context("checking the stages against the schema of " +
                      problems.front().table.to_string() + " at start");
  }

  Position written = source->current_position();
  Position committed = written;
  // A new pipeline pins its start position first, and so does a replay.
  bool dirty = !resume.has_value() || replay;
  std::optional<CheckpointRecord> last_record = resume;

  auto checkpoint = [&]() -> Status {
    if (!dirty) return {};
    const auto t0 = Clock::now();
    const uint64_t id = next_id;
    CDC_TRY_ASSIGN(std::string sink_state, sink->prepare(id, written));
    CheckpointRecord record{id, written, std::move(sink_state), unix_ms()};
    CDC_TRY(log_.record(record));
    ++next_id;  // the id is used once it is in the log, whether or not commit succeeds
    CDC_TRY(sink->commit(id));
    if (replay) start_from_done_ = true;  // the replay's start is pinned: restarts resume here
    source->acknowledge(written);
    committed = written;
    dirty = false;
    *made_progress = true;
    ++checkpoints_committed_;
    if (control_ != nullptr) {
      control_->update([&](PipelineStatus& s) {
        s.committed = written;
        s.last_checkpoint_id = id;
        s.last_checkpoint_ms = record.wall_time_ms;
      });
    }
    last_record = std::move(record);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    if (metrics_ != nullptr) {
      metrics_->checkpoints.Increment();
      metrics_->checkpoint_seconds.Observe(secs);
      metrics_->last_checkpoint_time.Set(static_cast<double>(record.wall_time_ms) / 1000.0);
    }
    logger->debug("[pipeline={}] checkpoint {} at {} ({:.1f} ms)", name, id, to_string(written),
                  secs * 1000);
    return {};
  };

  if (auto st = checkpoint(); !st) return std::move(st).error().with_context("first checkpoint");
  ready_ = true;
  if (metrics_ != nullptr) metrics_->running.Set(1);
  if (control_ != nullptr) {
    control_->update([&](PipelineStatus& s) {
      s.state = PipelineState::running;
      s.source_server = source->server();
      s.written = written;
      if (last_record) {
        s.committed = last_record->position;
        s.last_checkpoint_id = last_record->id;
        s.last_checkpoint_ms = last_record->wall_time_ms;
      }
    });
    control_->set_streaming(true);
    control_->set_source(source.get());
  }

  Queue queue(options_.queue_max_events, options_.queue_max_bytes);
  // Declared after source/sink/queue so that it is joined before they are destroyed.
  std::jthread reader([&](std::stop_token reader_stop) {
    read_loop(reader_stop, *source, queue, options_, metrics_, control_);
  });
  auto finish = [&](Status st) -> Status {
    reader.request_stop();
    queue.close();
    reader.join();
    if (control_ != nullptr) control_->set_source(nullptr);
    source->close();
    sink->close();
    return st;
  };

  while (true) {
    if (stop.stop_requested()) {
      // SIGTERM: what the sink has is committed as a final checkpoint; the rest is re-read.
      auto st = checkpoint();
      logger->info("[pipeline={}] stopped at {}", name, to_string(committed));
      return finish(std::move(st));
    }
    if (control_ != nullptr && control_->checkpoint_wanted()) {
      // The control API's checkpoint (a savepoint): everything written so far, or the last one.
      auto st = checkpoint();
      if (st && last_record) {
        control_->answer_checkpoints(*last_record);
      } else {
        control_->answer_checkpoints(st ? make_error(Errc::internal, "no checkpoint recorded")
                                        : st.error());
      }
      if (!st) return finish(std::move(st).error().with_context("checkpoint"));
    }
    auto item = queue.pop(std::chrono::milliseconds(200), stop);
    report_queue_depth(queue, metrics_, control_);
    if (control_ != nullptr) control_->sample_rate(Clock::now());
    if (!item) continue;
    if (auto* batch_ptr = std::get_if<std::unique_ptr<Batch>>(&*item)) {
      Batch& batch = **batch_ptr;
      if (!sink_wants_schema_changes) {
        std::erase_if(batch.events, [](const ChangeEvent& e) { return e.op == Op::schema_change; });
      }
      for (auto& stage : stages) {
        if (auto st = stage->process(batch); !st)
          return finish(std::move(st).error().with_context("stage"));
      }
      if (auto st = sink->write(batch); !st)
        return finish(std::move(st).error().with_context("sink write"));
      written = batch.end;
      dirty = true;
      if (queue.items() == 0) {
        if (auto st = sink->on_idle(written); !st)
          return finish(std::move(st).error().with_context("sink write"));
      }
      if (control_ != nullptr) {
        control_->update([&](PipelineStatus& s) {
          s.written = written;
          s.events_written += batch.events.size();
          if (!batch.events.empty() && batch.events.back().source.commit_ts_ms > 0) {
            s.lag_seconds =
                static_cast<double>(unix_ms() - batch.events.back().source.commit_ts_ms) / 1000.0;
          }
        });
      }
      if (metrics_ != nullptr) {
        metrics_->count_written(batch);
        metrics_->bytes_written.Increment(static_cast<double>(batch.memory_bytes()));
        if (!batch.events.empty() && batch.events.back().source.commit_ts_ms > 0) {
          metrics_->lag_seconds.Set(
              static_cast<double>(unix_ms() - batch.events.back().source.commit_ts_ms) / 1000.0);
        }
      }
    } else if (std::holds_alternative<Barrier>(*item)) {
      if (auto st = checkpoint(); !st)
        return finish(std::move(st).error().with_context("checkpoint"));
    } else if (std::holds_alternative<EndOfStream>(*item)) {
      auto st = checkpoint();
      logger->info("[pipeline={}] source finished; final checkpoint at {}", name,
                   to_string(committed));
      return finish(std::move(st));
    } else {
      return finish(std::get<ReaderFailed>(std::move(*item)).error.with_context("source"));
    }
  }
}

}  // namespace cdc::pipeline
