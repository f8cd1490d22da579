// The JSON diffs of PARTIAL_UPDATE_ROWS_EVENT (39, binlog_row_value_options=PARTIAL_JSON): their
// pure decoder, MySQL's JSON path text, and their application to a MysqlJson document with the
// server's semantics. Decoded diffs borrow the column bytes; documents own theirs. Pure
// functions; thread-safe.
//
// Format (MySQL sql/json_diff.cc Json_diff_vector::write_binary / read_binary): the column value
// is a length (the JSON column's 1..4 length bytes) and that many bytes of diffs, each
//   operation (1 byte: 0 REPLACE, 1 INSERT, 2 REMOVE, json_diff.h enum_json_diff_operation)
//   path-length (net_field_length) path (Json_path::to_string text: `$.a[1]."b c"`)
//   [REPLACE/INSERT only: value-length (net_field_length) value (binary JSON, mysql_json.h)]
// Semantics (json_diff.cc apply_json_diffs + seek_exact_path): paths are exact (no wildcards,
// no auto-wrapping of scalars); REPLACE needs the path to exist; INSERT needs the parent to
// exist and, in an object, the key to be new (JSON_INSERT), in an array it inserts before the
// index, appending past the end (JSON_ARRAY_INSERT); REMOVE needs the path to exist. Anything
// else is "rejected" by MySQL (the replica is out of sync): here an error, never a guess.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/mysql_json.h"

namespace cdc::mysql {

enum class JsonDiffOp : uint8_t { replace = 0, insert = 1, remove = 2 };
std::string_view json_diff_op_name(JsonDiffOp op);  // "REPLACE", "INSERT", "REMOVE"

struct JsonDiff {
  JsonDiffOp op = JsonDiffOp::replace;
  std::string_view path;             // text, into the column bytes
  std::span<const std::byte> value;  // binary JSON; empty for REMOVE
};

// Decodes the diff list of one partial column (the bytes after its length prefix).
// Errors: truncated, malformed (unknown operation), each naming the diff index and byte offset.
Result<std::vector<JsonDiff>> decode_json_diffs(std::span<const std::byte> bytes);

// One leg of a path: an object member, or an array cell counted from the start or, for
// `[last]` / `[last-N]`, from the end.
struct JsonPathLeg {
  enum class Kind : uint8_t { member, cell };
  Kind kind = Kind::member;
  std::string key;        // member: unescaped key
  uint32_t index = 0;     // cell
  bool from_end = false;  // cell: `last-index`
};

// Parses the path text MySQL writes (json_path.cc Json_path::to_string, read back by
// parse_path): `$`, `.key`, `."quoted key"` (JSON string escapes), `[n]`, `[last]`,
// `[last-n]`, with optional spaces between legs. Wildcards and ranges are malformed in a diff.
Result<std::vector<JsonPathLeg>> parse_mysql_json_path(std::string_view text);

// Applies one diff to `doc` (value already parsed). Errc::malformed naming the operation and
// the path when MySQL would reject it; `doc` is then unspecified.
Status apply_json_diff(MysqlJson& doc, JsonDiffOp op, std::string_view path, MysqlJson value);

// The full after value of a partial JSON column: `before` (a binary JSON document) with the
// encoded `diffs` applied in order, rendered as MySQL prints it.
Result<std::string> apply_json_diffs(std::span<const std::byte> before,
                                     std::span<const std::byte> diffs);

}  // namespace cdc::mysql
