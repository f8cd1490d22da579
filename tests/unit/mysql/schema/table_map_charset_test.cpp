// Character sets through a hand-built TABLE_MAP (binlog_row_metadata=FULL layout, MySQL
// rows_event.h Optional_metadata_field_type): DEFAULT_CHARSET with a per-column exception,
// ENUM_AND_SET_DEFAULT_CHARSET, ENUM labels in big5. Checks the schema TableMapCache builds
// (charset names, lengths in characters, labels as UTF-8) and that a row value whose bytes are
// invalid in its column's charset stops decoding naming the column, or becomes U+FFFD with
// charset.invalid: replace.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/rows_event.h"
#include "cdc/mysql/binlog/table_map.h"
#include "cdc/mysql/schema/table_map_cache.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using namespace testing;
using namespace std::string_view_literals;  // "\x00" inside test bytes

const DecodeContext kCtx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mariadb);
const std::string kBig5Label1 = "\xB9\xCF";  // 圖
const std::string kBig5Label2 = "\xA7\xCE";  // 形

void field(Bytes& b, uint8_t type, const Bytes& value) {
  b.push_back(static_cast<std::byte>(type));
  b.push_back(static_cast<std::byte>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
}

// t.cs (id INT, u VARCHAR(10) CHARACTER SET ujis, e ENUM('圖','形') CHARACTER SET big5,
//       c CHAR(4) CHARACTER SET ucs2)
Bytes table_map() {
  Bytes b;
  put_int(b, 7, 6);
  put_int(b, 1, 2);
  for (std::string_view s : {"t", "cs"}) {
    b.push_back(static_cast<std::byte>(s.size()));
    put_str(b, s);
    b.push_back(std::byte{0});
  }
  b.push_back(std::byte{4});
  for (int t : {3, 15, 254, 254}) b.push_back(static_cast<std::byte>(t));
  Bytes meta;
  put_int(meta, 30, 2);             // VARCHAR: 10 characters * 3 bytes (ujis mbmaxlen)
  meta.push_back(std::byte{0xF7});  // ENUM, pack length 1
  meta.push_back(std::byte{1});
  meta.push_back(std::byte{0xFE});  // CHAR, 8 bytes (4 ucs2 characters)
  meta.push_back(std::byte{8});
  b.push_back(static_cast<std::byte>(meta.size()));
  b.insert(b.end(), meta.begin(), meta.end());
  b.push_back(std::byte{0x0E});  // all but id nullable
  field(b, 1, {std::byte{0}});   // SIGNEDNESS: id signed
  // DEFAULT_CHARSET: ujis_japanese_ci (12); character column 1 (c) is ucs2_general_ci (35).
  field(b, 2, {std::byte{12}, std::byte{1}, std::byte{35}});
  Bytes names;
  for (std::string_view n : {"id", "u", "e", "c"}) {
    names.push_back(static_cast<std::byte>(n.size()));
    put_str(names, n);
  }
  field(b, 4, names);
  Bytes labels{std::byte{2}};
  for (const auto& l : {kBig5Label1, kBig5Label2}) {
    labels.push_back(static_cast<std::byte>(l.size()));
    put_str(labels, l);
  }
  field(b, 6, labels);           // ENUM_STR_VALUE
  field(b, 10, {std::byte{1}});  // ENUM_AND_SET_DEFAULT_CHARSET: big5_chinese_ci
  return b;
}

TableVersionPtr install(TableMapCache& cache) {
  auto map = decode_table_map(table_map(), kCtx);
  REQUIRE_MESSAGE(map.has_value(), map.error().message);
  auto v = cache.apply(std::move(*map));
  REQUIRE_MESSAGE(v.has_value(), v.error().message);
  return *v;
}

// One row image: id, u (raw bytes), e (index), c (raw bytes).
Bytes row(std::string_view u, uint8_t e, std::string_view c) {
  Bytes b{std::byte{0}};  // no NULLs
  put_int(b, 1, 4);
  b.push_back(static_cast<std::byte>(u.size()));
  put_str(b, u);
  b.push_back(static_cast<std::byte>(e));
  b.push_back(static_cast<std::byte>(c.size()));
  put_str(b, c);
  return b;
}

Status decode(const TableVersion& v, const Bytes& image, Arena& arena, std::vector<Value>& out) {
  out.assign(4, Value::null_value());
  const Bytes present{std::byte{0x0F}};
  ByteReader r(image);
  return decode_row_image(r, v.columns, present, arena, out);
}

TEST_CASE("TABLE_MAP charsets: column charsets, lengths in characters, ENUM labels to UTF-8") {
  TableMapCache cache;
  const auto v = install(cache);
  const auto& s = *v->schema;
  CHECK(s.columns[1].charset == "ujis");
  CHECK(s.columns[1].kind == ValueKind::string);
  CHECK(s.columns[1].source_type == "varchar(10)");
  CHECK(s.columns[2].charset == "big5");
  CHECK(s.columns[2].labels == std::vector<std::string>{"圖", "形"});
  CHECK(s.columns[2].source_type == "enum('圖','形')");
  CHECK(s.columns[3].charset == "ucs2");
  CHECK(s.columns[3].source_type == "char(4)");

  Arena arena;
  std::vector<Value> out;
  // 日本 in ujis, label 2, "ЖA" in ucs2.
  REQUIRE(decode(*v, row("\xC6\xFC\xCB\xDC", 2, "\x04\x16\x00\x41"sv), arena, out));
  CHECK(out[1] == Value::string("日本"));
  CHECK(out[2].kind == ValueKind::enum_label);
  CHECK(out[2].text == "形");
  CHECK(out[3] == Value::string("ЖA"));
}

TEST_CASE("TABLE_MAP charsets: bytes invalid in the column's charset name the column") {
  TableMapCache cache;
  const auto v = install(cache);
  Arena arena;
  std::vector<Value> out;
  auto st = decode(*v, row("ok\xC6", 1, "\x04\x16"), arena, out);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(st.error().message ==
        "column 2 (u): invalid ujis byte sequence at byte 2 of 3 (C6); set charset.invalid: "
        "replace to write U+FFFD instead");
  st = decode(*v, row("a", 1, "\x04"), arena, out);  // half a ucs2 character
  REQUIRE_FALSE(st);
  CHECK(st.error().message.starts_with("column 4 (c): invalid ucs2 byte sequence at byte 0"));

  TableMapCache replacing;
  replacing.set_invalid_text(InvalidText::replace);
  const auto r = install(replacing);
  REQUIRE(decode(*r, row("ok\xC6", 1, "\x04\x16"), arena, out));
  CHECK(out[1] == Value::string("ok\xEF\xBF\xBD"));
  CHECK(out[3] == Value::string("Ж"));
}

TEST_CASE("TABLE_MAP charsets: a collation id neither server defines is refused by name") {
  Bytes b = table_map();
  // The per-column exception of DEFAULT_CHARSET, 35 -> 17: an id neither server uses.
  bool patched = false;
  for (size_t i = 0; i + 2 < b.size(); ++i) {
    if (b[i] == std::byte{12} && b[i + 1] == std::byte{1} && b[i + 2] == std::byte{35}) {
      b[i + 2] = std::byte{17};
      patched = true;
      break;
    }
  }
  REQUIRE(patched);
  auto map = decode_table_map(b, kCtx);
  REQUIRE(map.has_value());
  TableMapCache cache;
  auto v = cache.apply(std::move(*map));
  REQUIRE_FALSE(v.has_value());
  CHECK(v.error().code == Errc::unsupported);
  CHECK(v.error().message.starts_with("column `c` of t.cs has collation id 17, which neither"));
}

}  // namespace
}  // namespace cdc::mysql
