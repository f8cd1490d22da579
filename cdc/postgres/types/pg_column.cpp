#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

Result<Column> pg_column(const PgTypeRegistry& registry, std::string name, uint32_t type_oid,
                         int32_t typmod) {
  Column c;
  c.name = std::move(name);
  const PgTypeInfo* info = registry.find(type_oid);
  c.source_type = info != nullptr ? info->name : "oid " + std::to_string(type_oid);
  switch (type_oid) {
    case 16: c.kind = ValueKind::boolean; break;
    case 20:
    case 21:
    case 23: c.kind = ValueKind::int64; break;
    default: c.kind = ValueKind::string; break;
  }
  return c;
}

}  // namespace cdc::postgres
