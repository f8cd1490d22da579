#include "cdc/mysql/schema/schema_history.h"

#include <algorithm>
#include <cctype>

#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/schema/ddl_parser.h"
#include "cdc/mysql/schema/table_map_cache.h"

namespace cdc::mysql {

namespace {

bool same_name(std::string_view a, std::string_view b) {  // column names are case-insensitive
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<size_t> find_column(const std::vector<Column>& cols, std::string_view name) {
  for (size_t i = 0; i < cols.size(); ++i) {
    if (same_name(cols[i].name, name)) return i;
  }
  return std::nullopt;
}

// Versions read on one server and on the replica promoted after it (a failover) have files and
// offsets of different servers, which do not compare: their MariaDB GTID states do. Equal states
// (positions inside one transaction, or a DDL and the point before it) fall back to the file.
bool after(const MysqlPosition& a, const MysqlPosition& b) {
  if (a.gtid_set != b.gtid_set && !a.gtid_set.empty() && !b.gtid_set.empty()) {
    const auto ga = GtidSet::parse(a.gtid_set);
    const auto gb = GtidSet::parse(b.gtid_set);
    if (ga && gb) {
      const std::partial_ordering order = mariadb_order(*ga, *gb);
      if (order == std::partial_ordering::greater) return true;
      if (order == std::partial_ordering::less) return false;
    }
  }
  return compare(Position(a), Position(b)) == std::partial_ordering::greater;
}

Error cannot_apply(const TableId& table, const std::string& why) {
  return make_error(Errc::unsupported, "cannot apply the DDL to " + table.to_string() + ": " + why);
}

}  // namespace

Status SchemaHistory::load() {
  if (!store_) return {};
  CDC_TRY_ASSIGN(auto stored, store_->load());
  tables_.clear();
  for (auto& [at, schema] : stored) {
    const TableId id = schema.id;
    ever_known_.insert(id);
    tables_[id].push_back(Version{std::move(at),
                                  std::make_shared<const TableSchema>(std::move(schema)),
                                  SchemaOrigin::stored});
  }
  for (auto& [id, versions] : tables_) {
    std::stable_sort(versions.begin(), versions.end(),
                     [](const Version& a, const Version& b) { return after(b.at, a.at); });
  }
  return {};
}

void SchemaHistory::rewind(const MysqlPosition& resume) {
  for (auto it = tables_.begin(); it != tables_.end();) {
    auto& v = it->second;
    v.erase(
        std::remove_if(v.begin(), v.end(), [&](const Version& x) { return after(x.at, resume); }),
        v.end());
    it = v.empty() ? tables_.erase(it) : std::next(it);
  }
}

TableSchemaPtr SchemaHistory::current(const TableId& table) const {
  auto it = tables_.find(table);
  if (it == tables_.end() || it->second.back().schema->columns.empty()) return nullptr;
  return it->second.back().schema;
}

SchemaOrigin SchemaHistory::origin(const TableId& table) const {
  auto it = tables_.find(table);
  return it == tables_.end() ? SchemaOrigin::catalog : it->second.back().origin;
}

std::vector<TableId> SchemaHistory::tables() const {
  std::vector<TableId> out;
  for (const auto& [id, versions] : tables_) {
    if (!versions.back().schema->columns.empty()) out.push_back(id);
  }
  return out;
}

std::vector<std::pair<MysqlPosition, TableSchemaPtr>> SchemaHistory::versions(
    const TableId& table) const {
  std::vector<std::pair<MysqlPosition, TableSchemaPtr>> out;
  auto it = tables_.find(table);
  if (it == tables_.end()) return out;
  for (const auto& v : it->second) out.emplace_back(v.at, v.schema);
  return out;
}

Result<TableSchemaPtr> SchemaHistory::install(const MysqlPosition& at, TableSchema schema,
                                              SchemaOrigin origin) {
  auto& versions = tables_[schema.id];
  // A version at the same position replaces that one (as the store does), keeping its number.
  if (!versions.empty() && !after(at, versions.back().at)) {
    schema.version = versions.back().schema->version;
  } else {
    schema.version = versions.empty() ? 1 : versions.back().schema->version + 1;
  }
  if (store_) {
    if (auto st = store_->put(at, schema); !st) {
      if (versions.empty()) tables_.erase(schema.id);
      return std::move(st).error().with_context("schema history of " + schema.id.to_string());
    }
  }
  ever_known_.insert(schema.id);
  auto ptr = std::make_shared<const TableSchema>(std::move(schema));
  if (!versions.empty() && !after(at, versions.back().at)) versions.pop_back();
  versions.push_back(Version{at, ptr, origin});
  return TableSchemaPtr(ptr);
}

namespace {

bool same_column(const Column& a, const Column& b) {
  return a.name == b.name && a.source_type == b.source_type && a.kind == b.kind &&
         a.nullable == b.nullable && a.is_unsigned == b.is_unsigned && a.charset == b.charset &&
         a.length == b.length && a.precision == b.precision && a.scale == b.scale &&
         a.fsp == b.fsp && a.labels == b.labels && a.default_value == b.default_value;
}

// Whether an ALTER left everything a row event or a sink reads unchanged.
bool same_row_schema(const TableSchema& a, const TableSchema& b) {
  return a.id == b.id && a.primary_key == b.primary_key &&
         std::equal(a.columns.begin(), a.columns.end(), b.columns.begin(), b.columns.end(),
                    same_column);
}

}  // namespace

Result<TableSchema> SchemaHistory::altered(const TableSchema& base, const DdlStatement& ddl) const {
  using K = AlterClause::Kind;
  TableSchema s = base;
  std::vector<std::string> key;  // by name while columns move
  for (uint32_t k : s.primary_key) key.push_back(s.columns[k].name);
  std::string text_charset;
  for (const auto& c : s.columns) {
    if (text_charset.empty() && c.kind == ValueKind::string && !c.charset.empty()) {
      text_charset = c.charset;
    }
  }
  if (text_charset.empty()) text_charset = default_charset_;
  auto place = [&](const AlterClause& c, Column col, std::optional<size_t> old) -> Status {
    size_t at = old.value_or(s.columns.size());
    if (old) s.columns.erase(s.columns.begin() + static_cast<std::ptrdiff_t>(*old));
    if (c.first) {
      at = 0;
    } else if (!c.after.empty()) {
      auto a = find_column(s.columns, c.after);
      if (!a) return cannot_apply(s.id, "AFTER names '" + c.after + "', which is not a column");
      at = *a + 1;
    }
    s.columns.insert(
        s.columns.begin() + static_cast<std::ptrdiff_t>(std::min(at, s.columns.size())),
        std::move(col));
    return {};
  };
  auto definition = [&](const AlterClause& c) {
    Column col = to_column(c.column);
    if (c.inherits_charset) {
      col.charset = text_charset;
      if (col.charset == "binary" && col.kind == ValueKind::string) col.kind = ValueKind::bytes;
    }
    return col;
  };
  for (const auto& c : ddl.clauses) {
    const auto idx = find_column(s.columns, c.name);
    switch (c.kind) {
      case K::add_column:
        if (find_column(s.columns, c.column.name)) {
          if (c.if_exists) break;
          return cannot_apply(s.id, "ADD COLUMN '" + c.column.name + "': the column exists");
        }
        CDC_TRY(place(c, definition(c), std::nullopt));
        break;
      case K::drop_column:
        if (!idx) {
          if (c.if_exists) break;
          return cannot_apply(s.id, "DROP COLUMN '" + c.name + "': no such column");
        }
        s.columns.erase(s.columns.begin() + static_cast<std::ptrdiff_t>(*idx));
        // MySQL drops the column from the key (and the key with its last column).
        std::erase_if(key, [&](const std::string& k) { return same_name(k, c.name); });
        break;
      case K::modify_column:
      case K::change_column: {
        if (!idx) {
          if (c.if_exists) break;
          return cannot_apply(s.id, std::string(c.kind == K::modify_column ? "MODIFY" : "CHANGE") +
                                        " COLUMN '" + c.name + "': no such column");
        }
        Column col = definition(c);
        const bool in_key = std::any_of(key.begin(), key.end(),
                                        [&](const auto& k) { return same_name(k, c.name); });
        if (in_key) col.nullable = false;
        for (auto& k : key) {
          if (same_name(k, c.name)) k = col.name;
        }
        CDC_TRY(place(c, std::move(col), idx));
        break;
      }
      case K::rename_column:
        if (!idx) return cannot_apply(s.id, "RENAME COLUMN '" + c.name + "': no such column");
        if (find_column(s.columns, c.column.name) && !same_name(c.name, c.column.name)) {
          return cannot_apply(s.id, "RENAME COLUMN to '" + c.column.name + "': the column exists");
        }
        for (auto& k : key) {
          if (same_name(k, c.name)) k = c.column.name;
        }
        s.columns[*idx].name = c.column.name;
        break;
      case K::set_default:
        if (!idx) return cannot_apply(s.id, "ALTER COLUMN '" + c.name + "': no such column");
        s.columns[*idx].default_value = c.column.default_value;
        break;
      case K::add_primary_key:
        if (!key.empty()) return cannot_apply(s.id, "ADD PRIMARY KEY: the table has one");
        for (const auto& name : c.key_columns) {
          auto k = find_column(s.columns, name);
          if (!k) {
            return cannot_apply(s.id, "PRIMARY KEY names '" + name + "', which is not a column");
          }
          key.push_back(s.columns[*k].name);
        }
        break;
      case K::drop_primary_key: key.clear(); break;
      case K::rename_table: s.id = c.new_table; break;
      case K::convert_charset:
        // Every character column (CHAR, VARCHAR, TEXT, ENUM, SET) takes the new character set;
        // to binary they become BINARY/VARBINARY/BLOB. Binary columns stay as they are.
        for (auto& col : s.columns) {
          if (col.charset.empty() || col.charset == "binary") continue;
          col.charset = c.column.charset;
          if (col.charset == "binary" && col.kind == ValueKind::string) col.kind = ValueKind::bytes;
        }
        text_charset = c.column.charset;
        break;
      case K::table_charset:
        text_charset = c.column.charset;  // the columns this statement adds after it
        break;
      case K::no_column_change: break;
    }
  }
  if (s.columns.empty()) return cannot_apply(base.id, "the table would have no column left");
  s.primary_key.clear();
  for (const auto& name : key) {
    const auto k = find_column(s.columns, name);
    if (!k) return cannot_apply(s.id, "the primary key column '" + name + "' is gone");
    s.primary_key.push_back(static_cast<uint32_t>(*k));
    s.columns[*k].nullable = false;
  }
  return s;
}

Result<std::vector<SchemaHistory::Change>> SchemaHistory::apply(
    const DdlStatement& ddl, const MysqlPosition& at,
    const std::function<bool(const TableId&)>& captured) {
  using Kind = DdlStatement::Kind;
  std::vector<Change> changes;
  auto dropped = [](const TableId& id) {
    TableSchema s;
    s.id = id;
    return s;
  };
  switch (ddl.kind) {
    case Kind::other: return changes;
    case Kind::unparseable:
      return make_error(Errc::internal, "an unparseable statement cannot be applied: " + ddl.error);
    case Kind::create_table: {
      if (!captured(ddl.table)) return changes;
      // IF NOT EXISTS of a table that exists does nothing, unless the version is the catalog's
      // (read at start, so possibly of a table this statement created later in the binlog).
      if (ddl.if_exists && current(ddl.table) && origin(ddl.table) != SchemaOrigin::catalog) {
        return changes;
      }
      CDC_TRY_ASSIGN(auto v,
                     install(at, to_table_schema(ddl.table, ddl.created), SchemaOrigin::ddl));
      changes.push_back({Op::schema_change, v});
      return changes;
    }
    case Kind::create_table_like: {
      if (!captured(ddl.table)) return changes;
      if (ddl.if_exists && current(ddl.table) && origin(ddl.table) != SchemaOrigin::catalog) {
        return changes;
      }
      auto src = current(ddl.like);
      if (!src) {
        return cannot_apply(ddl.table, "CREATE TABLE ... LIKE " + ddl.like.to_string() +
                                           ", which is not in the schema history (not captured)");
      }
      TableSchema s = *src;
      s.id = ddl.table;
      CDC_TRY_ASSIGN(auto v, install(at, std::move(s), SchemaOrigin::ddl));
      changes.push_back({Op::schema_change, v});
      return changes;
    }
    case Kind::alter_table: {
      TableId target = ddl.table;
      for (const auto& c : ddl.clauses) {
        if (c.kind == AlterClause::Kind::rename_table) target = c.new_table;
      }
      const bool was = captured(ddl.table);
      const bool will = captured(target);
      if (!was && !will) return changes;
      auto base = current(ddl.table);
      if (!base) return cannot_apply(ddl.table, "the table is not in the schema history");
      CDC_TRY_ASSIGN(TableSchema s, altered(*base, ddl));
      // ADD INDEX, ENGINE=, ALGORITHM=, partitioning, ...: the row schema is the same, no event.
      if (same_row_schema(*base, s)) return changes;
      if (target != ddl.table) {
        CDC_TRY(install(at, dropped(ddl.table), SchemaOrigin::ddl));
        if (!will) {
          changes.push_back({Op::schema_change, base});
          return changes;
        }
      }
      CDC_TRY_ASSIGN(auto v, install(at, std::move(s), SchemaOrigin::ddl));
      changes.push_back({Op::schema_change, v});
      return changes;
    }
    case Kind::rename_tables: {
      // In order: RENAME TABLE a TO tmp, b TO a, tmp TO b swaps a and b.
      for (const auto& [from, to] : ddl.renames) {
        const bool was = captured(from);
        const bool will = captured(to);
        auto base = current(from);
        if (known(from)) CDC_TRY(install(at, dropped(from), SchemaOrigin::ddl));
        if (!will) {
          if (was && base) changes.push_back({Op::schema_change, base});
          continue;
        }
        if (!base) {
          return cannot_apply(
              to, "renamed from " + from.to_string() + ", which is not in the schema history");
        }
        TableSchema s = *base;
        s.id = to;
        CDC_TRY_ASSIGN(auto v, install(at, std::move(s), SchemaOrigin::ddl));
        changes.push_back({Op::schema_change, v});
      }
      return changes;
    }
    case Kind::drop_tables:
      for (const auto& t : ddl.tables) {
        auto last = current(t);
        if (!last) continue;  // not captured, or IF EXISTS of a table that is not there
        CDC_TRY(install(at, dropped(t), SchemaOrigin::ddl));
        if (captured(t)) changes.push_back({Op::schema_change, last});
      }
      return changes;
    case Kind::drop_database:
      for (const TableId& t : tables()) {
        if (t.db != ddl.table.db) continue;
        auto last = current(t);
        CDC_TRY(install(at, dropped(t), SchemaOrigin::ddl));
        if (captured(t)) changes.push_back({Op::schema_change, last});
      }
      return changes;
    case Kind::truncate_table:
      if (!captured(ddl.table)) return changes;
      if (auto s = current(ddl.table)) changes.push_back({Op::truncate, s});
      return changes;
  }
  return changes;
}

bool same_column_names(const TableMapEvent& map, const TableSchema& schema) {
  if (map.columns.size() != schema.columns.size()) return false;
  for (size_t i = 0; i < map.columns.size(); ++i) {
    if (!same_name(map.columns[i].name, schema.columns[i].name)) return false;
  }
  return true;
}

namespace {

// The first word of a type as information_schema prints it: "int" of "int(11) unsigned".
std::string type_word(std::string_view source_type) {
  std::string w;
  for (char c : source_type) {
    if (c == '(' || c == ' ') break;
    w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return w;
}

// Whether a history column whose type starts with `word` can be the TABLE_MAP column `c`: the
// binlog type decides how the bytes decode, the history only names them, so a column whose
// type family differs means the history is not at this TABLE_MAP's version.
bool compatible(const TableMapColumn& c, std::string_view word) {
  auto any = [&](std::initializer_list<std::string_view> words) {
    return std::find(words.begin(), words.end(), word) != words.end();
  };
  if (word.empty()) return true;  // the history does not know the type
  switch (static_cast<ColumnType>(c.real_type)) {
    case ColumnType::tiny: return any({"tinyint", "bool", "boolean"});
    case ColumnType::short_: return word == "smallint";
    case ColumnType::int24: return word == "mediumint";
    case ColumnType::long_: return any({"int", "integer"});
    case ColumnType::longlong: return word == "bigint";
    case ColumnType::float_: return word == "float";
    case ColumnType::double_: return any({"double", "real"});
    case ColumnType::newdecimal:
    case ColumnType::decimal: return any({"decimal", "numeric", "dec", "fixed"});
    case ColumnType::year: return word == "year";
    case ColumnType::date:
    case ColumnType::newdate: return word == "date";
    case ColumnType::time:
    case ColumnType::time2: return word == "time";
    case ColumnType::datetime:
    case ColumnType::datetime2: return word == "datetime";
    case ColumnType::timestamp:
    case ColumnType::timestamp2: return word == "timestamp";
    case ColumnType::bit: return word == "bit";
    case ColumnType::enum_: return word == "enum";
    case ColumnType::set: return word == "set";
    case ColumnType::json: return word == "json";
    case ColumnType::vector: return word == "vector";
    case ColumnType::geometry:
      return any({"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
                  "multipolygon", "geometrycollection", "geomcollection"});
    case ColumnType::string:
    case ColumnType::varchar:
    case ColumnType::var_string:
    case ColumnType::blob:
    case ColumnType::tiny_blob:
    case ColumnType::medium_blob:
    case ColumnType::long_blob:
      // MariaDB's JSON is a LONGTEXT and its UUID/INET4/INET6 plugins are stored as strings.
      return any({"char", "varchar", "binary", "varbinary", "tinytext", "text", "mediumtext",
                  "longtext", "tinyblob", "blob", "mediumblob", "longblob", "json", "uuid", "inet4",
                  "inet6", "nchar", "nvarchar", "long"});
    default: return true;
  }
}

std::string map_columns(const TableMapEvent& map) {
  std::string out;
  for (const auto& c : map.columns) {
    out += (out.empty() ? "" : ", ") + (c.name.empty() ? std::string() : c.name + " ") +
           source_type_text(c);
  }
  return "(" + out + ")";
}

std::string history_columns(const TableSchema& schema) {
  std::string out;
  for (const auto& c : schema.columns)
    out += (out.empty() ? "" : ", ") + c.name + " " + c.source_type;
  return "(" + out + ")";
}

}  // namespace

Status complete_table_map(TableMapEvent& map, const TableSchema& schema) {
  bool fits = map.columns.size() == schema.columns.size();
  for (size_t i = 0; fits && i < map.columns.size(); ++i) {
    fits = compatible(map.columns[i], type_word(schema.columns[i].source_type));
  }
  if (!fits) {
    return make_error(Errc::malformed,
                      "TABLE_MAP of " + map.db + "." + map.table + " has the columns " +
                          map_columns(map) + ", the schema history's version " +
                          std::to_string(schema.version) + " has " + history_columns(schema) +
                          " (a DDL the history missed? the binlog was written with "
                          "binlog_row_metadata=MINIMAL, so only the history names its columns)");
  }
  for (size_t i = 0; i < map.columns.size(); ++i) {
    auto& c = map.columns[i];
    const Column& h = schema.columns[i];
    if (!map.has_column_names) c.name = h.name;
    if (!map.has_signedness && is_numeric_type(c.type)) c.is_unsigned = h.is_unsigned;
    if (c.labels.empty() && is_enum_or_set_type(c.real_type)) c.labels = h.labels;
    if (!c.geometry_type && c.type == static_cast<uint8_t>(ColumnType::geometry)) {
      static constexpr std::string_view kGeometry[] = {
          "geometry",   "point",           "linestring",   "polygon",
          "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
      const std::string word = type_word(h.source_type);
      for (uint32_t g = 0; g < 8; ++g) {
        if (word == kGeometry[g]) c.geometry_type = g;
      }
    }
    if (!c.collation && (is_character_type(c.real_type) || is_enum_or_set_type(c.real_type)) &&
        !h.charset.empty()) {
      c.collation = ddl::collation_of(h.charset);
    }
  }
  if (!map.has_primary_key) map.primary_key = schema.primary_key;
  map.has_column_names = map.has_signedness = map.has_primary_key = true;
  return {};
}

}  // namespace cdc::mysql
