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
  Result<std::optional<std::string>> get_value(std::string_view key) override {
    return store_.get_value(pipeline_, key);
  }
  Status put_value(std::string_view key, std::string_view value) override {
    return store_.put_value(pipeline_, key, value);
  }

 private:
  state::StateStore& store_;
  const std::string pipeline_;
};

}  // namespace cdc::daemon
