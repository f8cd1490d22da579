// PipelineControl: what the control API (cdc/daemon/control_api.cpp) asks of one running
// pipeline (pause, resume, a checkpoint on demand) and what the runner tells it back (a status).
// It outlives the runner's attempts, so a pause holds across a restart. Every method is
// thread-safe: the control side runs on the HTTP thread, the runner side on the pipeline and
// reader threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cdc/core/checkpoint.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/source.h"

namespace cdc::pipeline {

enum class PipelineState : uint8_t { starting, running, paused, restarting, stopped, failed };
const char* state_name(PipelineState s);

// A copy of what the runner last reported. Wall times are ms since the epoch; 0 = never.
struct PipelineStatus {
  PipelineState state = PipelineState::starting;
  Position written;    // resume position after the last batch the sink took
  Position committed;  // position of the last checkpoint
  uint64_t last_checkpoint_id = 0;
  int64_t last_checkpoint_ms = 0;
  double lag_seconds = -1;  // now minus the commit time of the last written event; -1 = unknown
  uint64_t events_written = 0;
  double events_per_second = 0;  // over the last second or more of the pipeline thread
  size_t queue_events = 0;
  size_t queue_bytes = 0;
  size_t queue_max_events = 0;
  size_t queue_max_bytes = 0;
  SnapshotProgress snapshot;
  std::string snapshot_table;  // the table the snapshot reads now ("db.table"), else empty
  std::vector<TableSnapshotProgress> snapshot_tables;  // refreshed every 250 ms while reading
  std::string last_error;
  int64_t last_error_ms = 0;
  uint64_t restarts = 0;
  std::string source_server;  // Source::server() of the last open ("host:port"), else empty
};

class PipelineControl {
 public:
  // --- control side ---------------------------------------------------------------------------
  // The reader stops polling once the poll in hand returns (at most one more batch).
  void pause() { pause_.store(true); }
  void resume() { pause_.store(false); }
  bool pause_requested() const { return pause_.load(); }
  // True once the reader is parked (or no reader runs), within `timeout`.
  bool wait_parked(std::chrono::milliseconds timeout) const;
  // Asks the pipeline thread for a checkpoint of everything written so far (or, when nothing
  // was written since the last one, that one) and waits for it. Errc::unavailable when the
  // pipeline is not streaming or does not answer within `timeout`.
  Result<CheckpointRecord> checkpoint_now(std::chrono::milliseconds timeout);
  PipelineStatus status() const;
  // Asks the running source to read `tables` again while it streams (Source::request_snapshot:
  // the re-snapshot of ARCHITECTURE.md "Snapshots"). Errc::unavailable when no source is
  // streaming; the source's own errors otherwise (a table it does not capture, a source that
  // cannot).
  Status request_snapshot(const std::vector<TableId>& tables);

  // --- runner side ----------------------------------------------------------------------------
  void set_reader_parked(bool parked);
  void set_streaming(bool streaming);
  // The source the reader polls while streaming; nullptr before it is closed.
  void set_source(Source* source);
  bool checkpoint_wanted() const { return checkpoint_wanted_.load(); }
  // Answers every waiting checkpoint_now.
  void answer_checkpoints(const Result<CheckpointRecord>& answer);
  // Edits the status under the lock; `edit` must be quick.
  template <class F>
  void update(F&& edit) {
    std::lock_guard lock(mu_);
    edit(status_);
  }
  // Pipeline thread: recomputes events_per_second when a second has passed since the last time.
  void sample_rate(std::chrono::steady_clock::time_point now);

 private:
  std::atomic<bool> pause_{false};
  std::atomic<bool> checkpoint_wanted_{false};
  mutable std::mutex mu_;  // guards everything below
  mutable std::condition_variable parked_cv_;
  bool reader_parked_ = true;  // no reader runs yet
  bool streaming_ = false;
  Source* source_ = nullptr;  // held under mu_ while request_snapshot calls it
  PipelineStatus status_;
  std::vector<std::shared_ptr<std::promise<Result<CheckpointRecord>>>> waiting_;
  std::chrono::steady_clock::time_point rate_since_{};
  uint64_t rate_events_ = 0;
};

}  // namespace cdc::pipeline
