// MySQL binary JSON (column type 245, MySQL 5.7+): a pure decoder of the server's binary
// document format into a small DOM (MysqlJson), and the rendering of that DOM as the text MySQL
// itself prints (`CAST(col AS CHAR)`, mysqlbinlog -v). The DOM exists so that the JSON diffs of
// PARTIAL_UPDATE_ROWS can be applied to a before image (json_diff.h). Values own their bytes;
// nothing here keeps a reference into the input. Pure functions; thread-safe.
//
// Format: MySQL sql-common/json_binary.cc (header comment "Binary format for JSON documents"):
//   doc     ::= type value
//   type    ::= 0x00 small object | 0x01 large object | 0x02 small array | 0x03 large array
//             | 0x04 literal (0 null, 1 true, 2 false) | 0x05 int16 | 0x06 uint16 | 0x07 int32
//             | 0x08 uint32 | 0x09 int64 | 0x0a uint64 | 0x0b double | 0x0c utf8mb4 string
//             | 0x0f opaque (a MySQL field type byte, a length, the bytes)
//   object  ::= count size key-entry* value-entry* key* value*   (count/size/offsets are 2 bytes
//               in small, 4 bytes in large containers; offsets count from the container start)
//   key-entry   ::= key-offset key-length(2 bytes)
//   value-entry ::= type offset-or-inline   (literals, int16, uint16 inline; in large
//               containers int32 and uint32 too)
//   string  ::= data-length(1..5 bytes, 7 bits each, low group first, high bit = more) utf8mb4
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::mysql {

// One JSON value. Scalars keep their rendered MySQL text in `token` (a quoted string, a number,
// `true`/`false`/`null`, an opaque value rendered as MySQL does), so rendering a document is
// concatenation and a diff can splice values without re-reading bytes.
struct MysqlJsonMember;

struct MysqlJson {
  enum class Kind : uint8_t { object, array, scalar };
  Kind kind = Kind::scalar;
  std::string token;                     // scalar only
  std::vector<MysqlJsonMember> members;  // object, in stored order
  std::vector<MysqlJson> elements;       // array

  static MysqlJson scalar(std::string t);
};

// Not std::pair<std::string, MysqlJson>: pair's constraints need MysqlJson complete where the
// vector is declared, which clang (with libstdc++) enforces and the libFuzzer build uses.
struct MysqlJsonMember {
  std::string key;  // raw, as stored
  MysqlJson value;
};

inline MysqlJson MysqlJson::scalar(std::string t) {
  MysqlJson j;
  j.token = std::move(t);
  return j;
}

// MySQL's limit on nesting (JSON_DOCUMENT_MAX_DEPTH = 100 levels of arrays/objects); deeper
// input is malformed (and this bounds our recursion on untrusted bytes).
inline constexpr int kMysqlJsonMaxDepth = 100;

// Parses one binary document (type byte first). An empty document is JSON null (what MySQL's
// Field_json returns for a zero-length value). Errors: truncated (a declared size or length
// runs past the document), malformed (bad type byte, offset or length, too deep), each naming
// the byte offset in the document. Bytes after the top-level value are ignored, as MySQL does.
Result<MysqlJson> parse_mysql_json(std::span<const std::byte> doc);

// Renders as MySQL's Json_wrapper::to_string: `{"a": 1, "b": [1, 2]}`.
std::string render_mysql_json(const MysqlJson& json);
void render_mysql_json(const MysqlJson& json, std::string& out);

// parse + render.
Result<std::string> decode_mysql_json(std::span<const std::byte> doc);

// Building blocks, exposed for tests.
// A JSON string literal escaped as json_dom.cc double_quote() does.
void append_mysql_json_string(std::string_view s, std::string& out);
// A double as MySQL prints a JSON double (shortest round-trip digits, ".0" added to integers).
std::string format_mysql_json_double(double d);

}  // namespace cdc::mysql
