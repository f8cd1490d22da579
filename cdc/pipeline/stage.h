// Stage: one step of the transform → route chain (a filter is part of a transform rule). A stage
// edits a batch in place (drops, rewrites or re-targets events); new strings and rows go into the
// batch's arena. Owned by the runner and called from the sink thread only.
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

// One problem of `stages` with the tables a source knows before reading: each schema passed
// through every stage's check() in order, as its first event would be.
struct StageProblem {
  TableId table;  // the source's table
  Error error;
};

// Every table's problem (at most one each: a stage's error ends that table's chain), in the
// order of `schemas`. What the runner checks at start, and `sluice validate --connect`.
std::vector<StageProblem> check_stages(StageChain& stages,
                                       const std::vector<TableSchemaPtr>& schemas);

}  // namespace cdc::pipeline
