#include "sinks/doris/type_mapping.h"

#include <algorithm>

#include "cdc/core/text.h"

namespace cdc::sinks::doris {
namespace {

// Doris VARCHAR holds at most 65533 bytes and CHAR 255.
constexpr uint32_t kMaxVarchar = 65533;
constexpr uint32_t kMaxChar = 255;

std::string base_type(std::string_view source_type) {
  std::string t = lower_ascii(source_type);
  const size_t cut = t.find_first_of("( ");
  return cut == std::string::npos ? t : t.substr(0, cut);
}

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace

std::string quote_ident(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

std::string doris_type(const Column& c, bool key) {
  const std::string base = base_type(c.source_type);
  // Text lengths are characters in MySQL and bytes in Doris: x3 for UTF-8 (Flink CDC's rule).
  const auto text = [&](uint32_t chars, bool fixed) -> std::string {
    const uint64_t bytes = static_cast<uint64_t>(chars) * 3;
    if (fixed && bytes <= kMaxChar)
      return "CHAR(" + std::to_string(std::max<uint64_t>(bytes, 1)) + ")";
    if (bytes <= kMaxVarchar)
      return "VARCHAR(" + std::to_string(std::max<uint64_t>(bytes, 1)) + ")";
    return key ? "VARCHAR(65533)" : "STRING";
  };
  if (base == "tinyint") {
    if (lower_ascii(c.source_type).starts_with("tinyint(1)")) return "BOOLEAN";
    return c.is_unsigned ? "SMALLINT" : "TINYINT";
  }
  if (base == "bool" || base == "boolean") return "BOOLEAN";
  if (base == "smallint") return c.is_unsigned ? "INT" : "SMALLINT";
  if (base == "mediumint") return "INT";
  if (base == "int" || base == "integer") return c.is_unsigned ? "BIGINT" : "INT";
  if (base == "bigint") return c.is_unsigned ? "LARGEINT" : "BIGINT";
  if (base == "float") return "FLOAT";
  if (base == "double" || base == "real") return "DOUBLE";
  if (base == "decimal" || base == "numeric") {
    // Doris DECIMAL holds at most 38 digits; wider values go as text.
    if (c.precision >= 1 && c.precision <= 38) {
      return "DECIMAL(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
    }
    return key ? "VARCHAR(65533)" : "STRING";
  }
  if (base == "date") return "DATE";
  if (base == "datetime" || base == "timestamp") {
    return c.fsp == 0 ? "DATETIME" : "DATETIME(" + std::to_string(c.fsp) + ")";
  }
  if (base == "year") return "INT";
  if (base == "time") return "VARCHAR(30)";
  if (base == "bit") return c.length <= 1 ? "BOOLEAN" : "BIGINT";
  if (base == "char") return text(c.length, true);
  if (base == "varchar") return text(c.length, false);
  if (base == "json") return key ? "VARCHAR(65533)" : "JSON";
  if (base == "enum" || base == "set") {
    size_t longest = 1;
    if (base == "enum") {
      for (const std::string& l : c.labels) longest = std::max(longest, l.size());
    } else {
      longest = c.labels.size();
      for (const std::string& l : c.labels) longest += l.size();
    }
    return text(static_cast<uint32_t>(longest), false);
  }
  // TEXT, BLOB, BINARY, VARBINARY, GEOMETRY...: text (binary as base64).
  return key ? "VARCHAR(65533)" : "STRING";
}

Result<std::string> create_table_sql(const std::string& db, const std::string& table,
                                     const TableSchema& schema,
                                     const std::map<std::string, std::string>& properties) {
  if (schema.primary_key.empty()) {
    return make_error(Errc::unsupported,
                      "table " + schema.id.to_string() +
                          " has no primary key: a Doris Unique Key table needs one (add a "
                          "primary key, or create " +
                          db + "." + table + " yourself)");
  }
  std::string sql =
      "CREATE TABLE IF NOT EXISTS " + quote_ident(db) + "." + quote_ident(table) + " (";
  std::string keys;
  bool first = true;
  const auto add = [&](const Column& c, bool key) {
    sql += first ? "\n  " : ",\n  ";
    first = false;
    sql += quote_ident(c.name) + " " + doris_type(c, key) +
           (key || !c.nullable ? " NOT NULL" : " NULL");
  };
  for (uint32_t k : schema.primary_key) {
    add(schema.columns[k], true);
    keys += (keys.empty() ? "" : ", ") + quote_ident(schema.columns[k].name);
  }
  for (uint32_t i = 0; i < schema.columns.size(); ++i) {
    if (std::find(schema.primary_key.begin(), schema.primary_key.end(), i) ==
        schema.primary_key.end()) {
      add(schema.columns[i], false);
    }
  }
  sql +=
      "\n) UNIQUE KEY(" + keys + ")\nDISTRIBUTED BY HASH(" + keys + ") BUCKETS AUTO\nPROPERTIES (";
  std::map<std::string, std::string> props = properties;
  props.emplace("replication_num", "1");
  props.emplace("enable_unique_key_merge_on_write", "true");
  bool first_prop = true;
  for (const auto& [k, v] : props) {
    sql += (first_prop ? "" : ", ") + quote_literal(k) + " = " + quote_literal(v);
    first_prop = false;
  }
  return sql + ")";
}

std::string add_column_sql(const std::string& db, const std::string& table, const Column& c) {
  // Added columns are nullable: existing rows have no value for them (Doris refuses a NOT NULL
  // column without a default).
  return "ALTER TABLE " + quote_ident(db) + "." + quote_ident(table) + " ADD COLUMN " +
         quote_ident(c.name) + " " + doris_type(c, false) + " NULL";
}

std::string drop_column_sql(const std::string& db, const std::string& table,
                            const std::string& column) {
  return "ALTER TABLE " + quote_ident(db) + "." + quote_ident(table) + " DROP COLUMN " +
         quote_ident(column);
}

}  // namespace cdc::sinks::doris
