#include "cdc/postgres/schema/relation_cache.h"

#include <algorithm>

namespace cdc::postgres {

namespace {

bool same_columns(const TableSchema& a, const TableSchema& b) {
  if (a.columns.size() != b.columns.size() || a.primary_key != b.primary_key) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const Column& x = a.columns[i];
    const Column& y = b.columns[i];
    if (x.name != y.name || x.source_type != y.source_type || x.kind != y.kind) return false;
  }
  return true;
}

}  // namespace

void RelationCache::seed(TableSchemaPtr schema) { latest_[schema->id] = std::move(schema); }

Result<const RelationInfo*> RelationCache::apply(const RelationMessage& m, bool& changed) {
  changed = false;
  RelationInfo info;
  info.relation_id = m.relation_id;
  info.replica_identity = m.replica_identity;
  TableSchema schema;
  schema.id = TableId{std::string(m.nspname), std::string(m.relname)};
  info.captured = hooks_.captured ? hooks_.captured(schema.id) : true;
  std::vector<uint32_t> oids;
  for (const auto& c : m.columns) oids.push_back(c.type_oid);
  if (auto unknown = registry_.unknown_oids(oids); !unknown.empty() && hooks_.load_types) {
    CDC_TRY(hooks_.load_types(unknown));
  }
  std::vector<std::string> pk_names;
  if (info.captured && hooks_.primary_key) {
    CDC_TRY_ASSIGN(pk_names, hooks_.primary_key(schema.id));
  }
  for (size_t i = 0; i < m.columns.size(); ++i) {
    const auto& c = m.columns[i];
    auto col = pg_column(registry_, std::string(c.name), c.type_oid, c.typmod);
    if (!col) {
      return std::move(col).error().with_context("column " + std::string(c.name) + " of " +
                                                 schema.id.to_string());
    }
    schema.columns.push_back(std::move(*col));
    info.type_oids.push_back(c.type_oid);
    info.typmods.push_back(c.typmod);
    auto resolved = resolve_pg_type(registry_, c.type_oid, c.typmod);
    info.types.push_back(resolved ? std::optional<PgResolved>(*resolved) : std::nullopt);
  }
  // The key: the catalog's primary key; without one, the replica identity's columns (an index
  // for REPLICA IDENTITY USING INDEX; FULL flags every column, which is no key).
  for (const auto& name : pk_names) {
    if (auto idx = schema.column_index(name)) schema.primary_key.push_back(*idx);
  }
  if (schema.primary_key.empty() && m.replica_identity != 'f') {
    for (size_t i = 0; i < m.columns.size(); ++i) {
      if (m.columns[i].key) schema.primary_key.push_back(static_cast<uint32_t>(i));
    }
  }
  info.is_key.assign(schema.columns.size(), 0);
  for (uint32_t k : schema.primary_key) info.is_key[k] = 1;
  auto& last = latest_[schema.id];
  if (last && same_columns(*last, schema)) {
    info.schema = last;
  } else {
    schema.version = last ? last->version + 1 : 1;
    changed = info.captured;
    last = std::make_shared<const TableSchema>(std::move(schema));
    info.schema = last;
  }
  auto& slot = by_id_[m.relation_id];
  slot = std::move(info);
  return &slot;
}

const RelationInfo* RelationCache::find(uint32_t relation_id) const {
  auto it = by_id_.find(relation_id);
  return it == by_id_.end() ? nullptr : &it->second;
}

TableSchemaPtr RelationCache::latest(const TableId& table,
                                     const RelationInfo** from_relation) const {
  *from_relation = nullptr;
  const auto it = latest_.find(table);
  if (it == latest_.end()) return nullptr;
  // Only on a re-snapshot request: a scan of the relations is cheap enough.
  for (const auto& [id, info] : by_id_) {
    if (info.schema == it->second) *from_relation = &info;
  }
  return it->second;
}

std::vector<TableSchemaPtr> RelationCache::current() const {
  std::vector<TableSchemaPtr> out;
  for (const auto& [id, s] : latest_) out.push_back(s);
  return out;
}

}  // namespace cdc::postgres
