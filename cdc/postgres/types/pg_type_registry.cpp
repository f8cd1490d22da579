#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

PgTypeRegistry::PgTypeRegistry() {
  const struct {
    uint32_t oid;
    const char* name;
  } kBuiltins[] = {{16, "bool"}, {20, "int8"}, {21, "int2"}, {23, "int4"}, {25, "text"}};
  for (const auto& b : kBuiltins) {
    PgTypeInfo info;
    info.oid = b.oid;
    info.schema = "pg_catalog";
    info.name = b.name;
    add(std::move(info));
  }
}

const PgTypeInfo* PgTypeRegistry::find(uint32_t oid) const {
  auto it = types_.find(oid);
  return it == types_.end() ? nullptr : &it->second;
}

void PgTypeRegistry::add(PgTypeInfo info) { types_[info.oid] = std::move(info); }

const char* PgTypeRegistry::catalog_query() {
  return "SELECT t.oid, n.nspname, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype,"
         " t.typtypmod FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
         " WHERE t.oid = ANY($1::oid[])";
}

Status PgTypeRegistry::add_from_row(const std::vector<std::optional<std::string>>& row) {
  return make_error(Errc::unsupported, "catalog rows are not read yet");
}

std::vector<uint32_t> PgTypeRegistry::unknown_oids(std::span<const uint32_t> oids) const {
  std::vector<uint32_t> out;
  for (uint32_t oid : oids) {
    if (find(oid) == nullptr) out.push_back(oid);
  }
  return out;
}

}  // namespace cdc::postgres
