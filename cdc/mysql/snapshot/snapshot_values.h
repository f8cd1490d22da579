// The one conversion from a snapshot's SELECT to Values: per column, the expression the chunk
// query selects and the conversion of the server's text of it to the Value the binlog decoder
// (binlog/column_decoder.cpp) gives for the same stored value, so that a row reads the same
// from a snapshot as from the binlog, byte for byte (mysql_snapshot_it checks every type of
// the type matrix). Also the SQL literal of a key value for the keyset predicate. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/arena.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"
#include "cdc/mysql/binlog/charset.h"

namespace cdc::mysql {

// `name` quoted as a MySQL identifier: `a``b`.
std::string quote_identifier(std::string_view name);

// What the chunk query selects for `column`: the column itself, or an exact form of it where
// its default text is not (FLOAT: CAST AS DOUBLE; ENUM/SET: the index/bitmap; text columns:
// their stored bytes, converted here as the binlog decoder converts them).
std::string select_expression(const Column& column);

// How a column's text becomes a Value, decided once per chunk rather than for every value (the
// type's name and character set, looked up by name: once 40 % of a snapshot's instructions).
// Points into the column, which must outlive it.
struct TextColumn {
  enum class Shape : uint8_t { by_kind, geometry, plugin_bytes };
  const Column* column = nullptr;
  Shape shape = Shape::by_kind;
  const Charset* charset = nullptr;  // text and labels: nullptr = bytes (binary or unknown)
};
TextColumn text_column(const Column& column);

// The Value of `column` from the server's text of select_expression (nullopt: NULL), in
// `arena`. `geometry_wkt`: the source option geometry.format is wkt; `on_invalid`: its
// charset.invalid. Text the column's kind cannot hold: Errc::malformed naming the column.
Result<Value> value_from_text(const TextColumn& column, std::optional<std::string_view> text,
                              bool geometry_wkt, InvalidText on_invalid, Arena& arena);
inline Result<Value> value_from_text(const Column& column, std::optional<std::string_view> text,
                                     bool geometry_wkt, InvalidText on_invalid, Arena& arena) {
  return value_from_text(text_column(column), text, geometry_wkt, on_invalid, arena);
}

// `value` as a SQL literal comparable with `column` in a WHERE clause (the key of a keyset
// predicate). Kinds that cannot be a key: Errc::unsupported naming the column.
Result<std::string> sql_literal(const Column& column, const Value& value);

}  // namespace cdc::mysql
