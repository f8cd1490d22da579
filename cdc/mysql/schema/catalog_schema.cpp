#include "cdc/mysql/schema/catalog_schema.h"

#include <map>

#include "cdc/core/text.h"
#include "cdc/mysql/schema/ddl_parser.h"

namespace cdc::mysql {

namespace {

uint32_t to_u32(const std::optional<std::string>& v) {
  if (!v) return 0;
  uint64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > UINT32_MAX) return UINT32_MAX;
  }
  return static_cast<uint32_t>(n);
}

// ENUM/SET labels from COLUMN_TYPE "enum('a','it''s')", read with the DDL tokenizer.
std::vector<std::string> labels_of(const std::string& column_type) {
  std::vector<std::string> labels;
  ddl::Parser p(column_type, "COLUMN_TYPE");
  auto statements = p.tokenize();
  if (!statements) return labels;
  for (const auto& s : *statements) {
    for (const auto& t : s) {
      if (t.kind == ddl::Token::Kind::string) labels.push_back(t.text);
    }
  }
  return labels;
}

std::string in_list(MysqlConnection& conn, const std::vector<TableId>& tables) {
  std::string out;
  for (const auto& t : tables) {
    out += out.empty() ? "" : ",";
    out += "('" + conn.escape(t.db) + "','" + conn.escape(t.table) + "')";
  }
  return out;
}

}  // namespace

std::optional<std::string> catalog_default(const std::optional<std::string>& column_default) {
  if (!column_default || *column_default == "NULL") return std::nullopt;
  const std::string& d = *column_default;
  if (d.size() >= 2 && d.front() == '\'' && d.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < d.size(); ++i) {
      if (d[i] == '\'' && i + 2 < d.size() && d[i + 1] == '\'') ++i;
      out += d[i];
    }
    return out;
  }
  return d;
}

Result<std::vector<TableSchema>> read_catalog_schemas(
    MysqlConnection& conn, Flavor flavor, const std::function<bool(const TableId&)>& included,
    const std::vector<TableId>* only) {
  std::vector<TableSchema> out;
  if (only && only->empty()) return out;
  const std::string where =
      only ? "(TABLE_SCHEMA, TABLE_NAME) IN (" + in_list(conn, *only) + ")"
           : "TABLE_SCHEMA NOT IN ('mysql','sys','information_schema','performance_schema')";
  const std::string base_tables =
      " AND (TABLE_SCHEMA, TABLE_NAME) IN (SELECT TABLE_SCHEMA, TABLE_NAME FROM "
      "information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND " +
      where + ")";
  auto cols = conn.query(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, "
      "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, "
      "CHARACTER_SET_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE " +
      where + base_tables + " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION");
  if (!cols) return std::move(cols).error().with_context("reading information_schema.COLUMNS");
  auto keys = conn.query(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE "
      "INDEX_NAME = 'PRIMARY' AND " +
      where + " ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX");
  if (!keys) return std::move(keys).error().with_context("reading information_schema.STATISTICS");
  std::map<TableId, std::vector<std::string>> json;  // MariaDB: LONGTEXT CHECK (json_valid(`c`))
  if (flavor == Flavor::mariadb) {
    auto checks = conn.query(
        "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
        "information_schema.CHECK_CONSTRAINTS WHERE " +
        (only ? "(CONSTRAINT_SCHEMA, TABLE_NAME) IN (" + in_list(conn, *only) + ")"
              : std::string("CONSTRAINT_SCHEMA NOT IN ('mysql','sys')")));
    if (!checks) {
      return std::move(checks).error().with_context("reading information_schema.CHECK_CONSTRAINTS");
    }
    for (const auto& r : *checks) {
      if (r.size() < 4 || !r[0] || !r[1] || !r[2] || !r[3]) continue;
      if (*r[3] == "json_valid(`" + *r[2] + "`)") json[TableId{*r[0], *r[1]}].push_back(*r[2]);
    }
  }
  for (const auto& r : *cols) {
    if (r.size() < 12 || !r[0] || !r[1] || !r[2] || !r[5] || !r[11]) {
      return make_error(Errc::malformed,
                        "information_schema.COLUMNS returned a row without names or types");
    }
    TableId id{*r[0], *r[1]};
    if (!included(id)) continue;
    if (out.empty() || out.back().id != id) {
      out.emplace_back();
      out.back().id = id;
    }
    Column c;
    c.name = *r[2];
    c.default_value = catalog_default(r[3]);
    c.nullable = r[4] && *r[4] == "YES";
    const std::string data_type = lower_ascii(*r[5]);
    c.source_type = *r[11];
    c.is_unsigned = c.source_type.find(" unsigned") != std::string::npos;
    c.charset = r[10] ? *r[10] : "";
    c.kind = ddl::value_kind_of(data_type, c.is_unsigned, c.charset);
    if (data_type == "binary" || data_type == "varbinary" ||
        data_type.find("blob") != std::string::npos) {
      c.charset = "binary";
    }
    switch (c.kind) {
      case ValueKind::decimal:
        c.precision = to_u32(r[7]);
        c.scale = to_u32(r[8]);
        break;
      case ValueKind::bit: c.length = to_u32(r[7]); break;
      case ValueKind::time:
      case ValueKind::datetime:
      case ValueKind::timestamp:
        c.fsp = static_cast<uint8_t>(std::min<uint32_t>(to_u32(r[9]), 6));
        break;
      case ValueKind::enum_label:
      case ValueKind::set_labels: c.labels = labels_of(c.source_type); break;
      case ValueKind::string:
      case ValueKind::bytes:
        if (data_type.find("char") != std::string::npos ||
            data_type.find("binary") != std::string::npos) {
          c.length = to_u32(r[6]);
        }
        break;
      default: break;
    }
    if (auto j = json.find(id); j != json.end() && c.kind == ValueKind::string) {
      for (const auto& name : j->second) {
        if (name == c.name) {
          c.kind = ValueKind::json;
          c.source_type = "json";
        }
      }
    }
    out.back().columns.push_back(std::move(c));
  }
  for (const auto& r : *keys) {
    if (r.size() < 3 || !r[0] || !r[1] || !r[2]) continue;
    const TableId id{*r[0], *r[1]};
    for (auto& s : out) {
      if (s.id != id) continue;
      if (auto k = s.column_index(*r[2])) s.primary_key.push_back(*k);
    }
  }
  return out;
}

}  // namespace cdc::mysql
