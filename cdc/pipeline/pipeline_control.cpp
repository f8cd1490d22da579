#include "cdc/pipeline/pipeline_control.h"

namespace cdc::pipeline {

const char* state_name(PipelineState s) {
  switch (s) {
    case PipelineState::starting: return "starting";
    case PipelineState::running: return "running";
    case PipelineState::paused: return "paused";
    case PipelineState::restarting: return "restarting";
    case PipelineState::stopped: return "stopped";
    case PipelineState::failed: return "failed";
  }
  return "unknown";
}

bool PipelineControl::wait_parked(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return parked_cv_.wait_for(lock, timeout, [this] { return reader_parked_ || !pause_.load(); }) &&
         pause_.load();
}

Result<CheckpointRecord> PipelineControl::checkpoint_now(std::chrono::milliseconds timeout) {
  auto answer = std::make_shared<std::promise<Result<CheckpointRecord>>>();
  auto future = answer->get_future();
  {
    std::lock_guard lock(mu_);
    if (!streaming_) {
      return make_error(Errc::unavailable, std::string("the pipeline is ") +
                                               state_name(status_.state) +
                                               ", not streaming: no checkpoint can be taken now");
    }
    waiting_.push_back(std::move(answer));
    checkpoint_wanted_.store(true);
  }
  if (future.wait_for(timeout) != std::future_status::ready) {
    return make_error(Errc::unavailable, "the pipeline took no checkpoint within " +
                                             std::to_string(timeout.count()) + " ms");
  }
  return future.get();
}

PipelineStatus PipelineControl::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void PipelineControl::set_reader_parked(bool parked) {
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    changed = reader_parked_ != parked;
    reader_parked_ = parked;
    // Also when nothing changed: a pause that outlived a restart parks a new reader at once.
    if (status_.state == PipelineState::running || status_.state == PipelineState::paused) {
      status_.state = parked ? PipelineState::paused : PipelineState::running;
    }
  }
  if (changed) parked_cv_.notify_all();
}

void PipelineControl::set_source(Source* source) {
  std::lock_guard lock(mu_);
  source_ = source;
}

Status PipelineControl::request_snapshot(const std::vector<TableId>& tables) {
  std::lock_guard lock(mu_);  // the runner clears source_ under it before closing the source
  if (source_ == nullptr || !streaming_) {
    return make_error(Errc::unavailable, "the pipeline is not streaming: try again once it is");
  }
  return source_->request_snapshot(tables);
}

void PipelineControl::set_streaming(bool streaming) {
  std::vector<std::shared_ptr<std::promise<Result<CheckpointRecord>>>> orphans;
  {
    std::lock_guard lock(mu_);
    streaming_ = streaming;
    if (!streaming) {
      source_ = nullptr;
      orphans.swap(waiting_);
      checkpoint_wanted_.store(false);
      reader_parked_ = true;
    }
  }
  parked_cv_.notify_all();
  for (auto& p : orphans) {
    p->set_value(make_error(Errc::unavailable,
                            "the pipeline stopped streaming before the "
                            "checkpoint was taken"));
  }
}

void PipelineControl::answer_checkpoints(const Result<CheckpointRecord>& answer) {
  std::vector<std::shared_ptr<std::promise<Result<CheckpointRecord>>>> answered;
  {
    std::lock_guard lock(mu_);
    answered.swap(waiting_);
    checkpoint_wanted_.store(false);
  }
  for (auto& p : answered) p->set_value(answer);
}

void PipelineControl::sample_rate(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mu_);
  if (rate_since_ == std::chrono::steady_clock::time_point{}) {
    rate_since_ = now;
    rate_events_ = status_.events_written;
    return;
  }
  const double secs = std::chrono::duration<double>(now - rate_since_).count();
  if (secs < 1.0) return;
  status_.events_per_second = static_cast<double>(status_.events_written - rate_events_) / secs;
  rate_since_ = now;
  rate_events_ = status_.events_written;
}

}  // namespace cdc::pipeline
