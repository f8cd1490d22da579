// Stage: one step of the transform → route chain (a filter is part of a transform rule). A stage edits a batch in place
// (drops, rewrites or re-targets events); new strings and rows go into the batch's arena.
// Owned by the runner and called from the sink thread only.
#pragma once

#include <memory>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/result.h"

namespace cdc::pipeline {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual Status process(Batch& batch) = 0;
  // What the stage makes of events of `table`: their schema after it, or the error the first
  // such event would stop the pipeline with (a transform's unknown column or type error). The
  // runner calls it at start for the tables the source already knows. Default: unchanged.
  virtual Result<TableSchemaPtr> check(const TableSchemaPtr& table) { return table; }
};

using StageChain = std::vector<std::unique_ptr<Stage>>;

// Points events at another schema without releasing their old schema reference one event at a
// time. The reader thread takes a reference to the same schema for every event it decodes
// while this thread works on the previous batch: releasing ours per event would move that
// reference count's cache line between the two cores for every event, slowing both threads.
// The old references are kept here and released together by release(), once per batch.
class SchemaRetargeter {
 public:
  void retarget(ChangeEvent& e, const TableSchemaPtr& schema) {
    if (e.schema == schema) return;
    parked_.push_back(std::move(e.schema));
    e.schema = schema;
  }
  // For an event about to be dropped from the batch: its reference is released with the rest.
  void park(ChangeEvent& e) { parked_.push_back(std::move(e.schema)); }
  void release() { parked_.clear(); }

 private:
  std::vector<TableSchemaPtr> parked_;
};

}  // namespace cdc::pipeline
