#include <algorithm>

#include "cdc/postgres/types/pg_builtin_types.h"
#include "cdc/postgres/types/pg_composite_text.h"
#include "cdc/postgres/types/pg_scalar_text.h"
#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

PgTypeRegistry::PgTypeRegistry() {
  for (const BuiltinType& b : builtin_types()) {
    PgTypeInfo info;
    info.oid = b.oid;
    info.schema = "pg_catalog";
    info.name = b.name;
    info.typtype = b.typtype;
    info.category = b.category;
    info.element_oid = b.element_oid;
    info.range_subtype = b.range_subtype;
    info.delimiter = b.oid == oid::kBox || b.element_oid == oid::kBox ? ';' : ',';  // typdelim
    add(std::move(info));
  }
}

const PgTypeInfo* PgTypeRegistry::find(uint32_t oid) const {
  auto it = types_.find(oid);
  return it == types_.end() ? nullptr : &it->second;
}

void PgTypeRegistry::add(PgTypeInfo info) { types_[info.oid] = std::move(info); }

const char* pg_session_options() {
  return "-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3"
         " -c bytea_output=hex -c client_encoding=UTF8 -c lc_monetary=C -c TimeZone=UTC";
}

// The columns, in add_from_row's order: oid, schema, name, typtype, typcategory, typelem,
// typbasetype, typtypmod, typdelim, range subtype (of a range or multirange), enum labels
// (text[] in sort order), attribute names (text[]) and types (oid[]) of a composite.
const char* PgTypeRegistry::catalog_query() {
  return "SELECT t.oid, n.nspname, t.typname, t.typtype, t.typcategory, t.typelem,"
         " t.typbasetype, t.typtypmod, t.typdelim, COALESCE(r.rngsubtype, mr.rngsubtype, 0),"
         " (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e"
         "   WHERE e.enumtypid = t.oid),"
         " (SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
         "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),"
         " (SELECT array_agg(a.atttypid ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
         "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)"
         " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
         " LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid"
         " LEFT JOIN pg_catalog.pg_range mr ON mr.rngmultitypid = t.oid"
         " WHERE t.oid = ANY($1::pg_catalog.oid[])";
}

namespace {

constexpr size_t kCatalogColumns = 13;

Result<uint32_t> read_oid(const std::optional<std::string>& cell, const char* what) {
  if (!cell) return make_error(Errc::malformed, std::string(what) + " is NULL");
  auto v = parse_pg_int(*cell, 0, UINT32_MAX);
  if (!v) return std::move(v).error().with_context(what);
  return static_cast<uint32_t>(*v);
}

Result<char> read_char(const std::optional<std::string>& cell, const char* what) {
  if (!cell || cell->size() != 1) {
    return make_error(Errc::malformed, std::string(what) + " is not one character");
  }
  return (*cell)[0];
}

// A text[] or oid[] cell (NULL = none) as its elements; NULL elements are refused.
Result<std::vector<std::string>> read_array(const std::optional<std::string>& cell,
                                            const char* what) {
  std::vector<std::string> out;
  if (!cell) return out;
  PgArrayVisitor v;
  v.begin = [] { return Status{}; };
  v.end = [] { return Status{}; };
  v.element = [&](std::optional<std::string_view> e) -> Status {
    if (!e) return make_error(Errc::malformed, std::string(what) + " holds a NULL");
    out.emplace_back(*e);
    return {};
  };
  CDC_TRY(parse_pg_array(*cell, ',', v));
  return out;
}

}  // namespace

Status PgTypeRegistry::add_from_row(const std::vector<std::optional<std::string>>& row) {
  if (row.size() != kCatalogColumns) {
    return make_error(Errc::malformed, "type catalog row of " + std::to_string(row.size()) +
                                           " columns, not " + std::to_string(kCatalogColumns));
  }
  PgTypeInfo info;
  CDC_TRY_ASSIGN(info.oid, read_oid(row[0], "oid"));
  if (!row[1] || !row[2]) return make_error(Errc::malformed, "type catalog row without a name");
  info.schema = *row[1];
  info.name = *row[2];
  auto with_type = [&](Error e) { return std::move(e).with_context("type " + info.name); };
  auto typtype = read_char(row[3], "typtype");
  auto category = read_char(row[4], "typcategory");
  auto element = read_oid(row[5], "typelem");
  auto base = read_oid(row[6], "typbasetype");
  auto typmod = row[7] ? parse_pg_int(*row[7], INT32_MIN, INT32_MAX)
                       : Result<int64_t>(make_error(Errc::malformed, "typtypmod is NULL"));
  auto delimiter = read_char(row[8], "typdelim");
  auto subtype = read_oid(row[9], "range subtype");
  auto labels = read_array(row[10], "enum labels");
  auto names = read_array(row[11], "attribute names");
  auto types = read_array(row[12], "attribute types");
  if (!typtype) return with_type(std::move(typtype).error());
  if (!category) return with_type(std::move(category).error());
  if (!element) return with_type(std::move(element).error());
  if (!base) return with_type(std::move(base).error());
  if (!typmod) return with_type(std::move(typmod).error());
  if (!delimiter) return with_type(std::move(delimiter).error());
  if (!subtype) return with_type(std::move(subtype).error());
  if (!labels) return with_type(std::move(labels).error());
  if (!names) return with_type(std::move(names).error());
  if (!types) return with_type(std::move(types).error());
  if (names->size() != types->size()) {
    return with_type(make_error(Errc::malformed, "attribute names and types differ in count"));
  }
  info.typtype = *typtype;
  info.category = *category;
  info.element_oid = *element;
  info.base_oid = *base;
  info.base_typmod = static_cast<int32_t>(*typmod);
  info.delimiter = *delimiter;
  info.range_subtype = *subtype;
  info.enum_labels = std::move(*labels);
  for (size_t i = 0; i < names->size(); ++i) {
    auto field_type = parse_pg_int((*types)[i], 0, UINT32_MAX);
    if (!field_type) return with_type(std::move(field_type).error());
    info.fields.emplace_back(std::move((*names)[i]), static_cast<uint32_t>(*field_type));
  }
  add(std::move(info));
  return {};
}

std::vector<uint32_t> PgTypeRegistry::unknown_oids(std::span<const uint32_t> oids) const {
  std::vector<uint32_t> out;
  std::vector<uint32_t> to_visit(oids.begin(), oids.end());
  std::vector<uint32_t> seen;
  while (!to_visit.empty()) {
    const uint32_t oid = to_visit.back();
    to_visit.pop_back();
    if (oid == 0 || std::find(seen.begin(), seen.end(), oid) != seen.end()) continue;
    seen.push_back(oid);
    const PgTypeInfo* t = find(oid);
    if (t == nullptr) {
      out.push_back(oid);
      continue;
    }
    // What the type is made of, which its values' text holds.
    if (t->category == 'A') to_visit.push_back(t->element_oid);
    to_visit.push_back(t->base_oid);
    to_visit.push_back(t->range_subtype);
    for (const auto& field : t->fields) to_visit.push_back(field.second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cdc::postgres
