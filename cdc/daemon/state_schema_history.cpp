#include "cdc/daemon/state_schema_history.h"

namespace cdc::daemon {

Status StateSchemaHistoryStore::put(const MysqlPosition& at, const TableSchema& schema) {
  return store_.put_schema(pipeline_, Position(at), schema);
}

Result<std::vector<std::pair<MysqlPosition, TableSchema>>> StateSchemaHistoryStore::load() {
  CDC_TRY_ASSIGN(auto all, store_.all_schemas(pipeline_));
  std::vector<std::pair<MysqlPosition, TableSchema>> out;
  out.reserve(all.size());
  for (auto& [at, schema] : all) {
    const auto* mysql_at = std::get_if<MysqlPosition>(&at);
    if (!mysql_at) {
      return make_error(Errc::malformed, "the state store holds a schema of " +
                                             schema.id.to_string() + " for pipeline " + pipeline_ +
                                             " at " + to_string(at) +
                                             ", which is not a MySQL position");
    }
    out.emplace_back(*mysql_at, std::move(schema));
  }
  return out;
}

}  // namespace cdc::daemon
