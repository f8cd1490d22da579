#include "cdc/mysql/schema/ddl_schema.h"

#include "cdc/mysql/schema/ddl_parser.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/binlog/column_type.h"

namespace cdc::mysql {

using ddl::collation_of;

Result<DdlSchema> DdlSchema::parse(std::string_view text, std::string_view file) {
  DdlSchema schema;
  CDC_TRY(ddl::Parser(text, file).run(schema.tables_));
  return schema;
}

Result<DdlSchema> DdlSchema::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io, "cannot read the schema file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(Errc::io, "cannot read the schema file " + path);
  return parse(text.str(), path);
}

const DdlTable* DdlSchema::find(std::string_view db, std::string_view table) const {
  const DdlTable* unqualified = nullptr;
  for (auto it = tables_.rbegin(); it != tables_.rend(); ++it) {
    if (it->table != table) continue;
    if (it->db == db) return &*it;
    if (it->db.empty() && !unqualified) unqualified = &*it;
  }
  return unqualified;
}

Result<std::vector<std::string>> complete_table_map(TableMapEvent& map, const DdlSchema* ddl) {
  const DdlTable* t = ddl ? ddl->find(map.db, map.table) : nullptr;
  // A binlog that names its columns does not need the DDL, which may describe the table after
  // a later ALTER: then the binlog's names stand and the DDL is not used for this table.
  if (t && t->columns.size() != map.columns.size() && map.has_column_names) t = nullptr;
  if (t && t->columns.size() != map.columns.size()) {
    return make_error(
        Errc::invalid_config,
        t->where + ": " + map.db + "." + map.table + " is declared with " +
            std::to_string(t->columns.size()) + " columns, but the binlog's TABLE_MAP has " +
            std::to_string(map.columns.size()) +
            " (the DDL must describe the table as it was when the binlog was written)");
  }
  std::vector<std::string> json;
  for (size_t i = 0; i < map.columns.size(); ++i) {
    auto& c = map.columns[i];
    if (!map.has_column_names) c.name = t ? t->columns[i].name : "col_" + std::to_string(i + 1);
    if (!map.has_signedness && is_numeric_type(c.type))
      c.is_unsigned = t && t->columns[i].is_unsigned;
    if (t && c.labels.empty() && is_enum_or_set_type(c.real_type)) c.labels = t->columns[i].labels;
    if (t && !c.collation && is_character_type(c.real_type) && !t->columns[i].charset.empty()) {
      c.collation = collation_of(t->columns[i].charset);
    }
    if (t && t->columns[i].json && is_character_type(c.real_type)) json.push_back(c.name);
  }
  if (!map.has_primary_key && t) map.primary_key = t->primary_key;
  map.has_column_names = map.has_signedness = true;
  map.has_primary_key = map.has_primary_key || t;
  return json;
}

}  // namespace cdc::mysql
