// RelationCache: pgoutput Relation messages -> versioned TableSchemas, by relation id. A
// Relation whose columns differ from the table's last known version (from the catalog at
// start, or an earlier Relation) makes a new version: the source emits it as a schema-change
// event in stream order. Owned by PgStream (reader thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/postgres/pgoutput/pgoutput_message.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

struct RelationInfo {
  uint32_t relation_id = 0;
  TableSchemaPtr schema;
  std::vector<uint32_t> type_oids;  // per column
  std::vector<int32_t> typmods;
  // Per column, resolved once here rather than per value (unset when the registry cannot
  // resolve it: pg_text_value by oid then gives the error per value, as before).
  std::vector<std::optional<PgResolved>> types;
  std::vector<uint8_t> is_key;  // per column: part of schema->primary_key
  char replica_identity = 'd';
  bool captured = false;  // matched by the `tables` patterns
};

class RelationCache {
 public:
  struct Hooks {
    // Whether "schema.table" is captured.
    std::function<bool(const TableId&)> captured;
    // Loads the types the registry does not know (the source's catalog query).
    std::function<Status(const std::vector<uint32_t>&)> load_types;
    // The table's primary key column names from the catalog (empty: none).
    std::function<Result<std::vector<std::string>>(const TableId&)> primary_key;
  };
  RelationCache(PgTypeRegistry& registry, Hooks hooks)
      : registry_(registry), hooks_(std::move(hooks)) {}

  // The table's version known before streaming (a restart's first Relation then matches it).
  void seed(TableSchemaPtr schema);
  // Applies a Relation. `changed` is true when a captured table got a new version.
  Result<const RelationInfo*> apply(const RelationMessage& m, bool& changed);
  const RelationInfo* find(uint32_t relation_id) const;
  // The table's version in force now: its last Relation's (`from_relation` set, with the column
  // types), else the one seed() gave (`from_relation` null), else none.
  TableSchemaPtr latest(const TableId& table, const RelationInfo** from_relation) const;
  std::vector<TableSchemaPtr> current() const;

 private:
  PgTypeRegistry& registry_;
  Hooks hooks_;
  std::unordered_map<uint32_t, RelationInfo> by_id_;
  std::map<TableId, TableSchemaPtr> latest_;
};

}  // namespace cdc::postgres
