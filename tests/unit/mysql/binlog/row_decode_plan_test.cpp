// The row plan's steps (row_decode_plan.h) against decode_column, the decoder they stand in
// for: the same value and length where a step accepts, a refusal wherever decode_column
// refuses, and decode_row_image's values and errors the same through the plan and without it.
#include <doctest/doctest.h>

#include <bit>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog/row_decode_plan.h"
#include "cdc/mysql/binlog/rows_event.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using testing::bytes_of;

ColumnDecodeInfo column(ColumnType type, uint16_t meta, bool is_unsigned = false,
                        const char* charset = nullptr) {
  ColumnDecodeInfo c;
  c.type = c.real_type = static_cast<uint8_t>(type);
  c.meta = meta;
  c.is_unsigned = is_unsigned;
  c.charset = charset ? charset_named(charset) : nullptr;
  c.name = "c";
  return c;
}

struct Case {
  const char* what;
  ColumnDecodeInfo col;
  std::vector<std::byte> bytes;
};

const std::vector<std::string> kLabels = {"small", "large"};

std::vector<Case> cases() {
  auto en = column(ColumnType::enum_, 1);
  en.labels = kLabels;
  auto json = column(ColumnType::blob, 4, false, "utf8mb4");
  json.json_text = true;
  return {
      {"TINYINT -1", column(ColumnType::tiny, 0), bytes_of({0xFF})},
      {"TINYINT UNSIGNED 255", column(ColumnType::tiny, 0, true), bytes_of({0xFF})},
      {"SMALLINT -2", column(ColumnType::short_, 0), bytes_of({0xFE, 0xFF})},
      {"MEDIUMINT -1", column(ColumnType::int24, 0), bytes_of({0xFF, 0xFF, 0xFF})},
      {"MEDIUMINT UNSIGNED", column(ColumnType::int24, 0, true), bytes_of({0xFF, 0xFF, 0x80})},
      {"INT min", column(ColumnType::long_, 0), bytes_of({0, 0, 0, 0x80})},
      {"INT UNSIGNED max", column(ColumnType::long_, 0, true), bytes_of({0xFF, 0xFF, 0xFF, 0xFF})},
      {"BIGINT -1", column(ColumnType::longlong, 0),
       bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})},
      {"FLOAT 1.5", column(ColumnType::float_, 4), bytes_of({0, 0, 0xC0, 0x3F})},
      {"DOUBLE -2", column(ColumnType::double_, 8), bytes_of({0, 0, 0, 0, 0, 0, 0, 0xC0})},
      // DECIMAL(18,4) -1234.5678 (decimal2bin, as column_decoder_test encodes it)
      {"DECIMAL(18,4)", column(ColumnType::newdecimal, 18 << 8 | 4),
       bytes_of({0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFB, 0x2D, 0xE9, 0xD1})},
      {"DECIMAL(5,2) 0.00", column(ColumnType::newdecimal, 5 << 8 | 2), bytes_of({0x80, 0, 0})},
      {"DATE 2024-02-29", column(ColumnType::newdate, 0), bytes_of({0x5D, 0xD0, 0x0F})},
      {"DATETIME(6)", column(ColumnType::datetime2, 6),
       bytes_of({0x99, 0xB2, 0x7A, 0x7B, 0x0C, 0x01, 0xE2, 0x40})},
      {"TIMESTAMP(3) zero", column(ColumnType::timestamp2, 3), bytes_of({0, 0, 0, 0, 0, 0})},
      {"TIMESTAMP(3)", column(ColumnType::timestamp2, 3),
       bytes_of({0x65, 0x00, 0x00, 0x01, 0x00, 0x7B})},
      {"VARCHAR utf8mb4", column(ColumnType::varchar, 80, false, "utf8mb4"),
       bytes_of({4, 'h', 0xC3, 0xA9, '!'})},
      {"VARCHAR(300) utf8mb3", column(ColumnType::varchar, 900, false, "utf8mb3"),
       bytes_of({2, 0, 'o', 'k'})},
      {"VARBINARY", column(ColumnType::varchar, 16, false, "binary"), bytes_of({2, 0x00, 0xFF})},
      {"JSON text", json, bytes_of({2, 0, 0, 0, '{', '}'})},
      {"BLOB", column(ColumnType::blob, 2), bytes_of({1, 0, 0x80})},
      {"ENUM 2", en, bytes_of({2})},
      {"ENUM 0", en, bytes_of({0})},
      {"latin1 (converted by decode_column)", column(ColumnType::varchar, 10, false, "latin1"),
       bytes_of({1, 0xE9})},
  };
}

bool same(const Value& a, const Value& b) {
  if (a.kind == b.kind && (a.kind == ValueKind::float32 || a.kind == ValueKind::float64)) {
    return std::bit_cast<uint64_t>(a.d) == std::bit_cast<uint64_t>(b.d);
  }
  return a == b;
}

TEST_CASE("row plan: every step decodes as decode_column does") {
  for (const auto& c : cases()) {
    CAPTURE(c.what);
    Arena arena;
    ByteReader slow(c.bytes);
    auto expected = decode_column(slow, c.col, arena);
    REQUIRE(expected);
    ByteReader fast(c.bytes);
    Value got;
    REQUIRE(compile_column(c.col).decode(fast, c.col, arena, got));
    CHECK(same(got, *expected));
    CHECK(fast.offset() == c.bytes.size());
    CHECK(slow.offset() == c.bytes.size());
  }
}

TEST_CASE("row plan: a step refuses every truncation decode_column refuses") {
  for (const auto& c : cases()) {
    for (size_t len = 0; len < c.bytes.size(); ++len) {
      CAPTURE(c.what);
      CAPTURE(len);
      Arena arena;
      const std::span<const std::byte> cut(c.bytes.data(), len);
      ByteReader slow(cut);
      REQUIRE_FALSE(decode_column(slow, c.col, arena));
      ByteReader fast(cut);
      Value got;
      CHECK_FALSE(compile_column(c.col).decode(fast, c.col, arena, got));
    }
  }
}

TEST_CASE("row plan: values decode_column refuses are refused") {
  auto en = column(ColumnType::enum_, 1);
  en.labels = kLabels;
  const auto bad_enum = bytes_of({3});                    // index 3 of 2 labels
  const auto bad_decimal = bytes_of({0x80, 0x86, 0xA0});  // DECIMAL(5,2) group 100000 > 5 digits
  struct Bad {
    ColumnDecodeInfo col;
    std::vector<std::byte> bytes;
  };
  for (const auto& b :
       {Bad{en, bad_enum}, Bad{column(ColumnType::newdecimal, 5 << 8 | 2), bad_decimal},
        Bad{column(ColumnType::varchar, 80, false, "utf8mb4"), bytes_of({2, 0xC3, '('})}}) {
    Arena arena;
    ByteReader slow(b.bytes);
    REQUIRE_FALSE(decode_column(slow, b.col, arena));
    ByteReader fast(b.bytes);
    Value got;
    CHECK_FALSE(compile_column(b.col).decode(fast, b.col, arena, got));
  }
}

// decode_row_image with a compiled plan: NULLs, and a value a step leaves to decode_column
// (invalid UTF-8 with charset.invalid: replace) in the middle of the row.
TEST_CASE("row plan: decode_row_image through the plan falls back to decode_column") {
  std::vector<ColumnDecodeInfo> cols = {column(ColumnType::long_, 0),
                                        column(ColumnType::varchar, 80, false, "utf8mb4"),
                                        column(ColumnType::tiny, 0)};
  const RowDecodePlan plan(cols);
  const auto present = bytes_of({0x07});
  // null bitmap (column 3 NULL), INT 7, VARCHAR "\xC3(" (invalid)
  const auto row = bytes_of({0x04, 7, 0, 0, 0, 2, 0xC3, '('});
  SUBCASE("replace") {
    cols[1].on_invalid = InvalidText::replace;
    Arena arena;
    std::vector<Value> out(3);
    ByteReader r(row);
    REQUIRE(decode_row_image(r, cols, plan, present, arena, out));
    CHECK(r.offset() == row.size());
    CHECK(out[0] == Value::int64(7));
    CHECK(out[1].text == "\xEF\xBF\xBD(");
    CHECK(out[2].is_null());
  }
  SUBCASE("fail: the error decode_column gives, with the column") {
    Arena arena;
    std::vector<Value> out(3);
    ByteReader r(row);
    const Status planned = decode_row_image(r, cols, plan, present, arena, out);
    REQUIRE_FALSE(planned);
    CHECK(planned.error().message.find("column 2 (c)") != std::string::npos);
    CHECK(planned.error().message.find("invalid utf8mb4 byte sequence at byte 0") !=
          std::string::npos);
  }
}

// TextValues::viewed: text and byte values point into the row's bytes (BinlogStream keeps the
// event's buffer in the batch); copied: into the arena. The values are equal either way.
TEST_CASE("row plan: text values viewed in the row's bytes or copied into the arena") {
  const std::vector<ColumnDecodeInfo> cols = {column(ColumnType::varchar, 80, false, "utf8mb4"),
                                              column(ColumnType::varchar, 16, false, "binary"),
                                              column(ColumnType::long_, 0)};
  const auto present = bytes_of({0x07});
  // null bitmap (none), VARCHAR "héllo", VARBINARY 00 FF, INT 9
  const auto row = bytes_of({0x00, 6, 'h', 0xC3, 0xA9, 'l', 'l', 'o', 2, 0x00, 0xFF, 9, 0, 0, 0});
  const auto* first = reinterpret_cast<const char*>(row.data());
  const auto* last = first + row.size();
  auto inside_row = [&](std::string_view v) { return v.data() >= first && v.data() < last; };
  for (const TextValues mode : {TextValues::viewed, TextValues::copied}) {
    CAPTURE(static_cast<int>(mode));
    const RowDecodePlan plan(cols, mode);
    CHECK(plan.text_values() == mode);
    Arena arena;
    std::vector<Value> out(3);
    ByteReader r(row);
    REQUIRE(decode_row_image(r, cols, plan, present, arena, out));
    CHECK(r.offset() == row.size());
    CHECK(out[0] == Value::string("h\xC3\xA9llo"));
    CHECK(out[1] == Value::bytes(std::string_view("\x00\xFF", 2)));
    CHECK(out[2] == Value::int64(9));
    CHECK(inside_row(out[0].text) == (mode == TextValues::viewed));
    CHECK(inside_row(out[1].text) == (mode == TextValues::viewed));
  }
}

}  // namespace
}  // namespace cdc::mysql
