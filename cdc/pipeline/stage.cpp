#include "cdc/pipeline/stage.h"

namespace cdc::pipeline {

std::vector<StageProblem> check_stages(StageChain& stages,
                                       const std::vector<TableSchemaPtr>& schemas) {
  std::vector<StageProblem> problems;
  for (const TableSchemaPtr& known : schemas) {
    TableSchemaPtr schema = known;
    for (auto& stage : stages) {
      auto checked = stage->check(schema);
      if (!checked) {
        problems.push_back({known->id, std::move(checked).error()});
        break;
      }
      schema = std::move(*checked);
    }
  }
  return problems;
}

}  // namespace cdc::pipeline
