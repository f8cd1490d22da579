#include "cdc/mysql/schema/table_map_cache.h"

#include <algorithm>

#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/binlog/column_type.h"

namespace cdc::mysql {

namespace {

const Charset* column_charset(const TableMapColumn& c) {
  return c.collation ? charset_of_collation(*c.collation) : nullptr;
}

uint32_t mbmaxlen(const Charset* cs) { return cs ? cs->mbmaxlen : 1; }

uint32_t string_max_bytes(uint16_t meta) {
  const uint8_t byte0 = meta >> 8;
  return (byte0 & 0x30) != 0x30 ? (meta & 0xFF) | (((byte0 & 0x30) ^ 0x30) << 4) : (meta & 0xFF);
}

std::string quote_labels(const std::vector<std::string>& labels) {
  std::string out;
  for (const auto& l : labels) {
    if (!out.empty()) out += ",";
    out += "'";
    for (char c : l) {
      if (c == '\'') out += "'";
      out += c;
    }
    out += "'";
  }
  return out;
}

std::string int_type(const char* name, bool is_unsigned, int signed_width, int unsigned_width) {
  return std::string(name) + "(" + std::to_string(is_unsigned ? unsigned_width : signed_width) +
         ")" + (is_unsigned ? " unsigned" : "");
}

std::string with_fsp(const char* name, uint16_t fsp) {
  return fsp == 0 ? std::string(name) : std::string(name) + "(" + std::to_string(fsp) + ")";
}

ValueKind kind_of(const TableMapColumn& c, const Charset* cs) {
  switch (static_cast<ColumnType>(c.real_type)) {
    case ColumnType::tiny:
    case ColumnType::short_:
    case ColumnType::int24:
    case ColumnType::long_:
    case ColumnType::longlong:
      return c.is_unsigned.value_or(false) ? ValueKind::uint64 : ValueKind::int64;
    case ColumnType::float_: return ValueKind::float32;
    case ColumnType::double_: return ValueKind::float64;
    case ColumnType::newdecimal:
    case ColumnType::decimal: return ValueKind::decimal;
    case ColumnType::year: return ValueKind::year;
    case ColumnType::date:
    case ColumnType::newdate: return ValueKind::date;
    case ColumnType::time:
    case ColumnType::time2: return ValueKind::time;
    case ColumnType::datetime:
    case ColumnType::datetime2: return ValueKind::datetime;
    case ColumnType::timestamp:
    case ColumnType::timestamp2: return ValueKind::timestamp;
    case ColumnType::bit: return ValueKind::bit;
    case ColumnType::enum_: return ValueKind::enum_label;
    case ColumnType::set: return ValueKind::set_labels;
    case ColumnType::json:
    case ColumnType::vector: return ValueKind::json;
    case ColumnType::geometry: return ValueKind::geometry;
    default: break;
  }
  return !cs || is_binary(*cs) ? ValueKind::bytes : ValueKind::string;
}

}  // namespace

std::string source_type_text(const TableMapColumn& c) {
  const bool u = c.is_unsigned.value_or(false);
  const Charset* cs = column_charset(c);
  const bool binary = !cs || is_binary(*cs);
  switch (static_cast<ColumnType>(c.real_type)) {
    case ColumnType::tiny: return int_type("tinyint", u, 4, 3);
    case ColumnType::short_: return int_type("smallint", u, 6, 5);
    case ColumnType::int24: return int_type("mediumint", u, 9, 8);
    case ColumnType::long_: return int_type("int", u, 11, 10);
    case ColumnType::longlong: return int_type("bigint", u, 20, 20);
    case ColumnType::float_: return u ? "float unsigned" : "float";
    case ColumnType::double_: return u ? "double unsigned" : "double";
    case ColumnType::newdecimal:
      return "decimal(" + std::to_string(c.meta >> 8) + "," + std::to_string(c.meta & 0xFF) + ")" +
             (u ? " unsigned" : "");
    case ColumnType::year: return "year(4)";
    case ColumnType::date:
    case ColumnType::newdate: return "date";
    case ColumnType::time: return "time";
    case ColumnType::time2: return with_fsp("time", c.meta);
    case ColumnType::datetime: return "datetime";
    case ColumnType::datetime2: return with_fsp("datetime", c.meta);
    case ColumnType::timestamp: return "timestamp";
    case ColumnType::timestamp2: return with_fsp("timestamp", c.meta);
    case ColumnType::bit: return "bit(" + std::to_string((c.meta >> 8) * 8 + (c.meta & 0xFF)) + ")";
    case ColumnType::varchar:
    case ColumnType::var_string:
      return binary ? "varbinary(" + std::to_string(c.meta) + ")"
                    : "varchar(" + std::to_string(c.meta / mbmaxlen(cs)) + ")";
    case ColumnType::string: {
      const uint32_t bytes = string_max_bytes(c.meta);
      return binary ? "binary(" + std::to_string(bytes) + ")"
                    : "char(" + std::to_string(bytes / mbmaxlen(cs)) + ")";
    }
    case ColumnType::enum_: return "enum(" + quote_labels(c.labels) + ")";
    case ColumnType::set: return "set(" + quote_labels(c.labels) + ")";
    case ColumnType::blob:
    case ColumnType::tiny_blob:
    case ColumnType::medium_blob:
    case ColumnType::long_blob: {
      static const char* kText[] = {"text", "tinytext", "text", "mediumtext", "longtext"};
      static const char* kBlob[] = {"blob", "tinyblob", "blob", "mediumblob", "longblob"};
      const size_t i = c.meta <= 4 ? c.meta : 0;
      return binary ? kBlob[i] : kText[i];
    }
    case ColumnType::json: return "json";
    // The TABLE_MAP carries only the length prefix size, not the dimension.
    case ColumnType::vector: return "vector";
    case ColumnType::geometry: {
      static const char* kGeo[] = {
          "geometry",   "point",           "linestring",   "polygon",
          "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
      const uint32_t g = c.geometry_type.value_or(0);
      return g < 8 ? kGeo[g] : "geometry";
    }
    default: return std::string(column_type_name(c.real_type));
  }
}

Result<TableSchema> build_table_schema(const TableMapEvent& map) {
  const std::string table = map.db + "." + map.table;
  if (!map.has_column_names) {
    return make_error(Errc::invalid_config,
                      "TABLE_MAP of " + table +
                          " carries no column names: set binlog_row_metadata=FULL on the server "
                          "(SET GLOBAL binlog_row_metadata=FULL; binlogs written before the change "
                          "cannot be decoded by this version)");
  }
  bool has_numeric = false;
  for (const auto& c : map.columns) has_numeric |= is_numeric_type(c.type);
  if (has_numeric && !map.has_signedness) {
    return make_error(
        Errc::invalid_config,
        "TABLE_MAP of " + table + " carries no signedness: set binlog_row_metadata=FULL");
  }
  for (const auto& c : map.columns) {
    if (c.collation && !charset_of_collation(*c.collation)) {
      return make_error(Errc::unsupported,
                        "column `" + c.name + "` of " + table + " has collation id " +
                            std::to_string(*c.collation) +
                            ", which neither MariaDB nor MySQL 8 defines (a newer server's? "
                            "tools/gen_mysql_charsets.py regenerates the table)");
    }
  }
  TableSchema s;
  s.id = TableId{map.db, map.table};
  s.columns.reserve(map.columns.size());
  for (const auto& c : map.columns) {
    Column col;
    col.name = c.name;
    col.source_type = source_type_text(c);
    const Charset* cs = column_charset(c);
    col.kind = kind_of(c, cs);
    col.nullable = c.nullable;
    col.is_unsigned = c.is_unsigned.value_or(false);
    if (cs) col.charset = std::string(cs->name);
    switch (static_cast<ColumnType>(c.real_type)) {
      case ColumnType::newdecimal:
        col.precision = c.meta >> 8;
        col.scale = c.meta & 0xFF;
        break;
      case ColumnType::time2:
      case ColumnType::datetime2:
      case ColumnType::timestamp2: col.fsp = static_cast<uint8_t>(c.meta); break;
      case ColumnType::bit: col.length = (c.meta >> 8) * 8 + (c.meta & 0xFF); break;
      case ColumnType::varchar:
      case ColumnType::var_string: col.length = c.meta / mbmaxlen(cs); break;
      case ColumnType::string: col.length = string_max_bytes(c.meta) / mbmaxlen(cs); break;
      case ColumnType::enum_:
      case ColumnType::set: col.labels = c.labels; break;
      default: break;
    }
    s.columns.push_back(std::move(col));
  }
  s.primary_key = map.primary_key;
  return s;
}

Result<TableVersionPtr> TableMapCache::apply(TableMapEvent map, std::optional<uint64_t> version) {
  if (completer_) {  // first: the shape comparison below needs names
    CDC_TRY_ASSIGN(auto json, completer_(map));
    if (!json.empty()) set_json_columns(TableId{map.db, map.table}, std::move(json));
  }
  const TableId id{map.db, map.table};
  auto latest = latest_.find(id);
  const bool same = latest != latest_.end() && latest->second->map.same_shape(map) &&
                    (!version || latest->second->schema->version == *version);
  if (same && latest->second->map.table_id == map.table_id) {
    by_id_[map.table_id] = latest->second;
    return latest->second;
  }
  CDC_TRY_ASSIGN(TableSchema schema, build_table_schema(map));
  auto json_it = json_columns_.find(id);
  auto v = std::make_shared<TableVersion>();
  v->map = std::move(map);
  if (latest != latest_.end()) {
    schema.version = same ? latest->second->schema->version : latest->second->schema->version + 1;
  }
  if (version) schema.version = *version;
  v->columns.reserve(v->map.columns.size());
  for (size_t i = 0; i < v->map.columns.size(); ++i) {
    const auto& c = v->map.columns[i];
    ColumnDecodeInfo info;
    info.type = c.type;
    info.real_type = c.real_type;
    info.meta = c.meta;
    info.is_unsigned = c.is_unsigned.value_or(false);
    info.charset = column_charset(c);
    info.on_invalid = on_invalid_;
    info.labels = c.labels;
    info.name = c.name;
    info.geometry_wkt = geometry_wkt_;
    if (json_it != json_columns_.end() &&
        std::find(json_it->second.begin(), json_it->second.end(), c.name) !=
            json_it->second.end() &&
        is_character_type(c.real_type) && info.charset && !is_binary(*info.charset)) {
      info.json_text = true;
      schema.columns[i].kind = ValueKind::json;
      schema.columns[i].source_type = "json";
    }
    v->columns.push_back(info);
  }
  // BinlogStream, the plan's one user, holds each row event's bytes in the batch of its rows.
  v->plan = RowDecodePlan(v->columns, TextValues::viewed);
  if (same) {
    v->schema = latest->second->schema;  // same version, new table id: share the schema
  } else {
    v->schema = std::make_shared<const TableSchema>(std::move(schema));
  }
  TableVersionPtr out = v;
  by_id_[out->map.table_id] = out;
  latest_[id] = out;
  return out;
}

TableVersionPtr TableMapCache::find(uint64_t table_id) const {
  auto it = by_id_.find(table_id);
  return it == by_id_.end() ? nullptr : it->second;
}

void TableMapCache::set_json_columns(const TableId& table, std::vector<std::string> names) {
  json_columns_[table] = std::move(names);
}

}  // namespace cdc::mysql
