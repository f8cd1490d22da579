// StateSchemaHistoryStore: the MySQL source's schema history kept in the pipeline's state store
// (ARCHITECTURE.md, "Checkpoints and resume"), under the pipeline's name. The StateStore outlives
// it; thread-safe as the StateStore is.
#pragma once

#include <string>

#include "cdc/mysql/schema/schema_history.h"
#include "state/state_store.h"

namespace cdc::daemon {

class StateSchemaHistoryStore final : public mysql::SchemaHistoryStore {
 public:
  StateSchemaHistoryStore(state::StateStore& store, std::string pipeline)
      : store_(store), pipeline_(std::move(pipeline)) {}

  Status put(const MysqlPosition& at, const TableSchema& schema) override;
  Result<std::vector<std::pair<MysqlPosition, TableSchema>>> load() override;

 private:
  state::StateStore& store_;
  const std::string pipeline_;
};

}  // namespace cdc::daemon
