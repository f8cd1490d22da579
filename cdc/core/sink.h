// Sink: where change events go. Owned by the pipeline runner and called from the sink thread
// only. The checkpoint protocol (ARCHITECTURE.md, "Checkpoints and resume"): write* → prepare(id) →
// the state store records {id, position, prepare's result} → commit(id). After a crash, open() is
// given the state store's history and returns the checkpoint it really holds.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "cdc/core/batch.h"
#include "cdc/core/checkpoint.h"
#include "cdc/core/result.h"

namespace cdc {

class Sink {
 public:
  virtual ~Sink() = default;
  // Connects and reconciles with the sink's own durable record. `history` holds the state
  // store's checkpoints, newest first. Returns the checkpoint to resume from, with the sink's
  // data rolled back or forward to exactly it; nullopt when nothing was ever committed.
  virtual Result<std::optional<CheckpointRecord>> open(
      std::span<const CheckpointRecord> history) = 0;
  // Takes the batch's events. May buffer; must not keep views into the batch after returning.
  virtual Status write(const Batch& batch) = 0;
  // Makes everything written so far durable (or pre-committed) as checkpoint `id` at
  // `position`; returns the sink's state to keep in the checkpoint record.
  virtual Result<std::string> prepare(uint64_t id, const Position& position) = 0;
  // Makes checkpoint `id` visible. Called only after its record is in the state store.
  virtual Status commit(uint64_t id) = 0;
  // The source has nothing more waiting: hand what write() buffered to the destination now,
  // so that consumers see it without waiting for the next checkpoint (a sink whose records
  // only become visible at commit cannot, and keeps the default). Promises nothing about
  // durability: that is prepare()'s job. Under load the queue is rarely empty, so buffering
  // still batches; at a steady low rate this is what keeps commit-to-visible latency low.
  // `written`: the end of the last batch written, where what is handed over leads.
  virtual Status on_idle(const Position& written) { return {}; }
  // `sluice run --from-savepoint`, after open(): whether the sink can take the changes after
  // `savepoint` again (its sink state says what it held then). An error, with the reason,
  // refuses the restore. Default: it can.
  virtual Status check_replay(const CheckpointRecord& savepoint) {
    (void)savepoint;
    return {};
  }
  virtual void close() {}
  // True when a checkpoint is atomic in the sink (nothing lost, nothing repeated on restart).
  virtual bool exactly_once() const = 0;
  // True when the sink records Op::schema_change events (e.g. Kafka's schema-change topic).
  virtual bool wants_schema_changes() const { return false; }
};

}  // namespace cdc
