// Stage: one step of the route → filter → transform chain. A stage edits a batch in place
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
};

using StageChain = std::vector<std::unique_ptr<Stage>>;

}  // namespace cdc::pipeline
