#include "cdc/mysql/binlog/table_map.h"

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog/table_id.h"

namespace cdc::mysql {

namespace {

// Reads the per-column metadata block (sql/log_event.cc Table_map_log_event::save_field_metadata).
void read_column_meta(ByteReader& r, TableMapColumn& col) {
  switch (static_cast<ColumnType>(col.type)) {
    case ColumnType::float_:
    case ColumnType::double_:
    case ColumnType::blob:
    case ColumnType::tiny_blob:
    case ColumnType::medium_blob:
    case ColumnType::long_blob:
    case ColumnType::geometry:
    case ColumnType::json:
    case ColumnType::time2:
    case ColumnType::datetime2:
    case ColumnType::timestamp2:
    case ColumnType::vector: col.meta = r.u8(); break;
    case ColumnType::varchar:
    case ColumnType::var_string:
    case ColumnType::bit: col.meta = r.u16le(); break;
    case ColumnType::newdecimal:
    case ColumnType::string:
    case ColumnType::enum_:
    case ColumnType::set: col.meta = r.u16be(); break;
    default: col.meta = 0; break;
  }
  col.real_type = col.type;
  if (col.type == static_cast<uint8_t>(ColumnType::string)) {
    const uint8_t byte0 = col.meta >> 8;
    // A CHAR longer than 255 bytes folds length bits into byte0 (MySQL bug #37426); its real
    // type is then STRING. Otherwise byte0 is the real type (STRING, ENUM or SET).
    col.real_type = (byte0 & 0x30) != 0x30 ? static_cast<uint8_t>(ColumnType::string) : byte0;
  }
}

// Bit i of an MSB-first bitmap (optional metadata bitmaps).
bool msb_bit(std::span<const std::byte> bits, size_t i) {
  return ((static_cast<uint8_t>(bits[i / 8]) >> (7 - i % 8)) & 1) != 0;
}

Status read_labels(ByteReader& f, std::vector<TableMapColumn*>& cols) {
  for (auto* col : cols) {
    const uint64_t count = f.lenenc();
    if (count > f.remaining()) return make_error(Errc::malformed, "enum/set label count");
    col->labels.clear();
    col->labels.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t len = f.lenenc();
      col->labels.emplace_back(f.string(len));
    }
  }
  return f.finish(/*allow_trailing=*/true);
}

Status read_charsets(ByteReader& f, std::vector<TableMapColumn*>& cols, bool with_default) {
  if (with_default) {
    const uint64_t def = f.lenenc();
    for (auto* col : cols) col->collation = static_cast<uint32_t>(def);
    while (f.remaining() > 0) {
      const uint64_t idx = f.lenenc();
      const uint64_t coll = f.lenenc();
      if (!f.ok()) break;
      if (idx >= cols.size()) return make_error(Errc::malformed, "charset column index");
      cols[idx]->collation = static_cast<uint32_t>(coll);
    }
  } else {
    for (auto* col : cols) col->collation = static_cast<uint32_t>(f.lenenc());
  }
  return f.finish(/*allow_trailing=*/true);
}

Status read_optional_metadata(ByteReader& r, TableMapEvent& ev) {
  std::vector<TableMapColumn*> numeric, character, enum_set, enums, sets, geometry;
  for (auto& c : ev.columns) {
    if (is_numeric_type(c.type)) numeric.push_back(&c);
    if (is_character_type(c.real_type)) character.push_back(&c);
    if (is_enum_or_set_type(c.real_type)) enum_set.push_back(&c);
    if (c.real_type == static_cast<uint8_t>(ColumnType::enum_)) enums.push_back(&c);
    if (c.real_type == static_cast<uint8_t>(ColumnType::set)) sets.push_back(&c);
    if (c.type == static_cast<uint8_t>(ColumnType::geometry)) geometry.push_back(&c);
  }
  while (r.remaining() > 0) {
    const uint8_t type = r.u8();
    const uint64_t len = r.lenenc();
    if (!r.ok()) break;
    if (len > r.remaining()) {
      return make_error(Errc::truncated, "TABLE_MAP metadata field " + std::to_string(type) +
                                             " of " + std::to_string(len) + " bytes");
    }
    ByteReader f = r.sub(len);
    switch (static_cast<TableMapMetadata>(type)) {
      case TableMapMetadata::signedness: {
        auto bits = f.bytes((numeric.size() + 7) / 8);
        if (!f.ok()) break;
        for (size_t i = 0; i < numeric.size(); ++i) numeric[i]->is_unsigned = msb_bit(bits, i);
        ev.has_signedness = true;
        CDC_TRY(f.finish(/*allow_trailing=*/true));
        break;
      }
      case TableMapMetadata::default_charset: CDC_TRY(read_charsets(f, character, true)); break;
      case TableMapMetadata::column_charset: CDC_TRY(read_charsets(f, character, false)); break;
      case TableMapMetadata::enum_and_set_default_charset:
        CDC_TRY(read_charsets(f, enum_set, true));
        break;
      case TableMapMetadata::enum_and_set_column_charset:
        CDC_TRY(read_charsets(f, enum_set, false));
        break;
      case TableMapMetadata::column_name:
        for (auto& c : ev.columns) c.name = std::string(f.string(f.lenenc()));
        CDC_TRY(f.finish());
        ev.has_column_names = true;
        break;
      case TableMapMetadata::set_str_value: CDC_TRY(read_labels(f, sets)); break;
      case TableMapMetadata::enum_str_value: CDC_TRY(read_labels(f, enums)); break;
      case TableMapMetadata::geometry_type:
        for (auto* c : geometry) c->geometry_type = static_cast<uint32_t>(f.lenenc());
        CDC_TRY(f.finish(/*allow_trailing=*/true));
        break;
      case TableMapMetadata::simple_primary_key:
        ev.primary_key.clear();
        while (f.remaining() > 0) {
          const uint64_t idx = f.lenenc();
          if (f.ok() && idx >= ev.columns.size()) f.mark_malformed("primary key column index");
          if (f.ok()) ev.primary_key.push_back(static_cast<uint32_t>(idx));
        }
        CDC_TRY(f.finish());
        ev.has_primary_key = true;
        break;
      case TableMapMetadata::primary_key_with_prefix:
        ev.primary_key.clear();
        while (f.remaining() > 0) {
          const uint64_t idx = f.lenenc();
          const uint64_t prefix = f.lenenc();
          if (f.ok() && idx >= ev.columns.size()) f.mark_malformed("primary key column index");
          if (!f.ok()) break;
          ev.primary_key.push_back(static_cast<uint32_t>(idx));
          ev.columns[idx].pk_prefix = static_cast<uint32_t>(prefix);
        }
        CDC_TRY(f.finish());
        ev.has_primary_key = true;
        break;
      case TableMapMetadata::column_visibility: {
        auto bits = f.bytes((ev.columns.size() + 7) / 8);
        if (!f.ok()) break;
        for (size_t i = 0; i < ev.columns.size(); ++i) ev.columns[i].visible = msb_bit(bits, i);
        CDC_TRY(f.finish(/*allow_trailing=*/true));
        break;
      }
      default:
        // Optional metadata is TLV so that newer servers can add fields (MySQL 9 VECTOR
        // dimensions): an unknown field is skipped whole, it never shifts the others.
        break;
    }
    if (!f.ok()) CDC_TRY(f.finish());
  }
  return r.finish();
}

// ENUM/SET labels arrive in their column's charset (ENUM_AND_SET_*_CHARSET); from here on they
// are UTF-8, as the schema history has them. A column whose collation is unknown keeps its bytes
// (building its schema refuses it, naming the id).
Status labels_to_utf8(TableMapEvent& ev) {
  Arena arena(1024);
  for (auto& c : ev.columns) {
    if (c.labels.empty() || !c.collation) continue;
    const Charset* cs = charset_of_collation(*c.collation);
    if (!cs || is_binary(*cs)) continue;
    for (size_t i = 0; i < c.labels.size(); ++i) {
      auto text = to_utf8(c.labels[i], *cs, InvalidText::fail, arena);
      if (!text) {
        const auto index = static_cast<size_t>(&c - ev.columns.data());
        return std::move(text).error().with_context(
            "label " + std::to_string(i + 1) + " of column " +
            (c.name.empty() ? "#" + std::to_string(index + 1) : "`" + c.name + "`") + " of " +
            ev.db + "." + ev.table);
      }
      c.labels[i] = std::string(*text);
    }
  }
  return {};
}

}  // namespace

bool TableMapEvent::same_shape(const TableMapEvent& o) const {
  if (db != o.db || table != o.table || columns.size() != o.columns.size() ||
      primary_key != o.primary_key) {
    return false;
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& a = columns[i];
    const auto& b = o.columns[i];
    if (a.type != b.type || a.meta != b.meta || a.nullable != b.nullable ||
        a.is_unsigned != b.is_unsigned || a.collation != b.collation || a.name != b.name ||
        a.labels != b.labels || a.visible != b.visible) {
      return false;
    }
  }
  return true;
}

Result<TableMapEvent> decode_table_map(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  TableMapEvent ev;
  ev.table_id = read_table_id(r, ctx, code(EventType::table_map));
  ev.flags = r.u16le();
  const uint8_t db_len = r.u8();
  ev.db = std::string(r.string(db_len));
  if (r.u8() != 0 && r.ok()) r.mark_malformed("TABLE_MAP database name is not NUL-terminated");
  const uint8_t table_len = r.u8();
  ev.table = std::string(r.string(table_len));
  if (r.u8() != 0 && r.ok()) r.mark_malformed("TABLE_MAP table name is not NUL-terminated");
  const uint64_t n = r.lenenc();
  if (!r.ok()) return r.finish().error();
  if (n > r.remaining()) {
    return make_error(Errc::truncated, "TABLE_MAP of " + std::to_string(n) + " columns");
  }
  ev.columns.resize(n);
  auto types = r.bytes(n);
  for (size_t i = 0; i < n; ++i) ev.columns[i].type = static_cast<uint8_t>(types[i]);
  const uint64_t meta_len = r.lenenc();
  if (meta_len > r.remaining()) return make_error(Errc::truncated, "TABLE_MAP metadata block");
  ByteReader meta = r.sub(meta_len);
  for (auto& c : ev.columns) read_column_meta(meta, c);
  CDC_TRY(meta.finish());
  auto nulls = r.bytes((n + 7) / 8);
  if (!r.ok()) return r.finish().error();
  for (size_t i = 0; i < n; ++i) {
    ev.columns[i].nullable = ((static_cast<uint8_t>(nulls[i / 8]) >> (i % 8)) & 1) != 0;
  }
  CDC_TRY(read_optional_metadata(r, ev));
  CDC_TRY(labels_to_utf8(ev));
  return ev;
}

}  // namespace cdc::mysql
