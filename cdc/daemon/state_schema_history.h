// StateSchemaHistoryStore: the MySQL source's schema history kept in the pipeline's state store
// (ARCHITECTURE.md, "Checkpoints and resume"), under the pipeline's name; StatePgSchemaStore the
// same for the PostgreSQL source's table versions. The StateStore outlives them; thread-safe as
// the StateStore is.
#pragma once

#include <string>

#include "cdc/mysql/schema/schema_history.h"
#include "cdc/postgres/schema/pg_schema_store.h"
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

class StatePgSchemaStore final : public postgres::PgSchemaStore {
 public:
  StatePgSchemaStore(state::StateStore& store, std::string pipeline)
      : store_(store), pipeline_(std::move(pipeline)) {}

  Status put(const PostgresPosition& at, const TableSchema& schema) override {
    return store_.put_schema(pipeline_, Position(at), schema);
  }
  Result<std::optional<TableSchema>> at(const TableId& table, const PostgresPosition& at) override {
    return store_.schema_at(pipeline_, table, Position(at));
  }

 private:
  state::StateStore& store_;
  const std::string pipeline_;
};

}  // namespace cdc::daemon
