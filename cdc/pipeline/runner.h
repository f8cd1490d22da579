// PipelineRunner: wires one source → stage chain → sink with a bounded queue between the
// reader thread and the sink thread, takes checkpoints, and restarts the pipeline with
// exponential backoff and jitter after a retryable failure (ARCHITECTURE.md, "The data path").
//
// Checkpoint protocol: the reader thread puts a barrier into the queue every
// `checkpoint_interval`; when the sink thread reaches it, everything before it has been
// written, so: sink.prepare(id, pos) → log.record({id, pos, sink_state}) → sink.commit(id)
// → source.acknowledge(pos). On (re)start the sink reconciles itself with the log's history
// and names the checkpoint to resume from.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "cdc/core/sink.h"
#include "cdc/core/source.h"
#include "cdc/pipeline/checkpoint_log.h"
#include "cdc/pipeline/pipeline_control.h"
#include "cdc/pipeline/pipeline_metrics.h"
#include "cdc/pipeline/stage.h"

namespace cdc::pipeline {

struct RunnerOptions {
  std::string pipeline_name;
  // Time between checkpoint barriers. Default: 1 s.
  std::chrono::milliseconds checkpoint_interval{1000};
  // Events and bytes the queue between reader and sink may hold. Defaults: 10000, 64 MiB.
  size_t queue_max_events = 10000;
  size_t queue_max_bytes = 64u << 20;
  // Backoff after a retryable failure: initial, doubled per attempt up to max, with jitter.
  std::chrono::milliseconds restart_initial_backoff{1000};
  std::chrono::milliseconds restart_max_backoff{60000};
  // Consecutive failed attempts before giving up; 0 = retry forever. A committed checkpoint
  // resets the count.
  uint32_t restart_max_attempts = 0;
  // How long one source poll may block; bounds the latency of barriers and shutdown.
  std::chrono::milliseconds poll_timeout{100};
  // `sluice run --from-savepoint`: the first attempt reads from this record's position instead
  // of the checkpoint the sink holds (the sink is opened with its history as always, so an
  // exactly-once sink receives the range after the savepoint again). Later attempts resume
  // from the checkpoints as usual.
  std::optional<CheckpointRecord> start_from;
};

struct PipelineParts {
  std::function<Result<std::unique_ptr<Source>>()> make_source;
  std::function<Result<std::unique_ptr<Sink>>()> make_sink;
  std::function<Result<StageChain>()> make_stages;  // may be empty
};

class PipelineRunner {
 public:
  // `log`, `metrics` and `control` must outlive the runner; metrics and control may be null.
  PipelineRunner(RunnerOptions options, PipelineParts parts, CheckpointLog& log,
                 PipelineMetrics* metrics, PipelineControl* control = nullptr);

  // Runs until a bounded source ends (returns OK after a final checkpoint), `stop` is
  // requested (finishes the in-flight checkpoint, returns OK), or a non-retryable error.
  Status run(std::stop_token stop);

  // True while the pipeline is streaming (source and sink open, first checkpoint done).
  bool ready() const { return ready_.load(); }
  uint64_t checkpoints_committed() const { return checkpoints_committed_.load(); }

 private:
  struct Attempt;
  Status run_once(std::stop_token stop, bool* made_progress);

  RunnerOptions options_;
  PipelineParts parts_;
  CheckpointLog& log_;
  PipelineMetrics* metrics_;
  PipelineControl* control_;
  uint64_t source_opens_ = 0;     // run_once() calls that opened a source (run() thread only)
  bool start_from_done_ = false;  // options_.start_from's replay is pinned (run() thread only)
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> checkpoints_committed_{0};
};

}  // namespace cdc::pipeline
