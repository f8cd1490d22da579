// PARTIAL_UPDATE_ROWS (39): hand-built events following MySQL's layout (log_event.cc
// print_verbose_one_row: value_options, then one partial bit per JSON column of the table, then
// the null bitmap), diffs applied to the before image, errors naming the column and path, and a
// truncation sweep. (No captured PARTIAL_UPDATE_ROWS binlog exists in the fixtures.)
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/json_diff.h"
#include "tests/unit/mysql/binlog/json_test_util.h"

namespace cdc::mysql {
namespace {

using namespace testing;

void put_json_column(std::vector<std::byte>& out, const std::vector<std::byte>& bytes) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(bytes.size() >> (8 * i)));
  out.insert(out.end(), bytes.begin(), bytes.end());
}
void put_u32(std::vector<std::byte>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
std::vector<std::byte> diff(JsonDiffOp op, const std::string& path, const J* value) {
  std::vector<std::byte> out{static_cast<std::byte>(op), static_cast<std::byte>(path.size())};
  for (char c : path) out.push_back(static_cast<std::byte>(c));
  if (value != nullptr) {
    const auto v = doc(*value);
    out.push_back(static_cast<std::byte>(v.size()));
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// Table (id INT, a JSON, b JSON, c JSON). One row: `a` is updated partially, `b` in full, `c`
// is not in the after image at all (its partial bit is still there), value_options = 1.
struct PartialEvent {
  std::vector<ColumnDecodeInfo> cols{{.type = 3, .real_type = 3},
                                     {.type = 245, .real_type = 245, .meta = 4, .name = "a"},
                                     {.type = 245, .real_type = 245, .meta = 4, .name = "b"},
                                     {.type = 245, .real_type = 245, .meta = 4, .name = "c"}};
  std::vector<std::byte> body;

  explicit PartialEvent(const std::vector<std::byte>& a_diffs, uint8_t partial_bits = 0b001) {
    auto b = [](int x) { return static_cast<std::byte>(x); };
    body = {b(1),    b(0),   b(0), b(0), b(0), b(0),  // table id
            b(0),    b(0),                            // flags
            b(2),    b(0),                            // extra data length (none)
            b(4),                                     // columns
            b(0x0f), b(0x07)};                        // before: all; after: id, a, b
    // Before image: nulls, id 7, a, b, c.
    body.push_back(b(0));
    put_u32(body, 7);
    put_json_column(body, doc(obj({{"k", i16(1)}, {"list", arr({str("x")})}})));
    put_json_column(body, doc(str("old b")));
    put_json_column(body, doc(lit(0)));
    // After image: value_options, partial bits (3 JSON columns -> 1 byte), nulls, id, a, b.
    body.push_back(b(1));
    body.push_back(b(partial_bits));
    body.push_back(b(0));
    put_u32(body, 7);
    put_json_column(body, a_diffs);
    put_json_column(body, doc(arr({i16(1), i16(2)})));
  }
};

std::vector<std::byte> good_diffs() {
  const J two = i16(2), y = str("y");
  auto d = diff(JsonDiffOp::replace, "$.k", &two);
  const auto d2 = diff(JsonDiffOp::insert, "$.list[1]", &y);
  d.insert(d.end(), d2.begin(), d2.end());
  return d;
}

struct Decoded {
  Status status;
  std::vector<Value> before, after;
  std::vector<uint32_t> unapplied;
};

Decoded decode(const PartialEvent& e, std::span<const std::byte> body, Arena& arena) {
  auto ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);
  ctx.post_header_len[39] = 10;
  auto ev = decode_event_body(39, body, ctx);
  if (!ev) return {std::move(ev).error(), {}, {}};
  const auto& re = std::get<RowsEvent>(*ev);
  REQUIRE(re.partial());
  REQUIRE(re.kind == RowsKind::update);
  Decoded out{{}, std::vector<Value>(4), std::vector<Value>(4), {}};
  std::vector<std::span<const std::byte>> docs(4);
  ByteReader r(re.rows);
  out.status = decode_row_image(r, e.cols, re.present, arena, out.before, docs);
  if (out.status) {
    out.status = decode_partial_after_image(r, e.cols, re.present_after, re.present, docs, arena,
                                            out.after, out.unapplied);
  }
  if (out.status) out.status = r.finish();
  return out;
}

TEST_CASE("PARTIAL_UPDATE_ROWS: a partial JSON column becomes the full after value") {
  PartialEvent e(good_diffs());
  Arena arena;
  auto d = decode(e, e.body, arena);
  REQUIRE_MESSAGE(d.status, d.status.error().to_string());
  CHECK(d.before[0].i == 7);
  CHECK(d.before[1].text == R"({"k": 1, "list": ["x"]})");
  CHECK(d.before[2].text == R"("old b")");
  CHECK(d.before[3].text == "null");
  CHECK(d.after[0].i == 7);
  CHECK(d.after[1].kind == ValueKind::json);
  CHECK(d.after[1].text == R"({"k": 2, "list": ["x", "y"]})");
  CHECK(d.after[2].text == "[1, 2]");
  CHECK(d.after[3].is_null());  // not in the after image
}

TEST_CASE("PARTIAL_UPDATE_ROWS: value_options without partial bits reads full documents") {
  // No partial bit set: `a` carries a full document, as in an UPDATE_ROWS_V2.
  PartialEvent e(doc(obj({{"k", i16(3)}})), 0b000);
  Arena arena;
  auto d = decode(e, e.body, arena);
  REQUIRE_MESSAGE(d.status, d.status.error().to_string());
  CHECK(d.after[1].text == R"({"k": 3})");
}

TEST_CASE("PARTIAL_UPDATE_ROWS: a diff that cannot be applied names the column and the path") {
  const J v = i16(1);
  PartialEvent e(diff(JsonDiffOp::replace, "$.missing", &v));
  Arena arena;
  auto d = decode(e, e.body, arena);
  REQUIRE_FALSE(d.status);
  CHECK(d.status.error().code == Errc::malformed);
  CHECK(d.status.error().message ==
        "column 2 (a): REPLACE of $.missing rejected: the path does not exist in the before image");
}

TEST_CASE("PARTIAL_UPDATE_ROWS: partial update of a NULL before value is an error") {
  PartialEvent e(good_diffs());
  // Make `a` NULL in the before image: set its null bit and drop its bytes.
  const size_t a_at = 13 + 1 + 4;
  const size_t a_len = 4 + doc(obj({{"k", i16(1)}, {"list", arr({str("x")})}})).size();
  e.body[13] = std::byte{0x02};
  e.body.erase(e.body.begin() + static_cast<std::ptrdiff_t>(a_at),
               e.body.begin() + static_cast<std::ptrdiff_t>(a_at + a_len));
  Arena arena;
  auto d = decode(e, e.body, arena);
  REQUIRE_FALSE(d.status);
  CHECK(d.status.error().message ==
        "column 2 (a): partial JSON update of a column whose before image is NULL");
}

// MySQL with binlog_row_image=MINIMAL and binlog_row_value_options=PARTIAL_JSON: the before
// image holds the key only, the after image `a` as diffs. Nothing to apply them to.
std::vector<std::byte> minimal_partial_body(const std::vector<std::byte>& a_diffs) {
  auto b = [](int x) { return static_cast<std::byte>(x); };
  std::vector<std::byte> body = {b(1),    b(0),   b(0), b(0), b(0), b(0),  // table id
                                 b(0),    b(0),                            // flags
                                 b(2),    b(0),                            // extra data length
                                 b(4),                                     // columns
                                 b(0x01), b(0x03)};  // before: id; after: id, a
  body.push_back(b(0));                              // before: nulls, id
  put_u32(body, 7);
  body.push_back(b(1));      // value_options: PARTIAL_JSON_UPDATES
  body.push_back(b(0b001));  // `a` is partial
  body.push_back(b(0));      // nulls
  put_u32(body, 7);
  put_json_column(body, a_diffs);
  return body;
}

TEST_CASE("PARTIAL_UPDATE_ROWS: diffs of a column the MINIMAL before image leaves out: absent") {
  PartialEvent e(good_diffs());
  e.body = minimal_partial_body(good_diffs());
  Arena arena;
  auto d = decode(e, e.body, arena);
  REQUIRE_MESSAGE(d.status, d.status.error().to_string());
  CHECK(d.after[0].i == 7);
  CHECK(d.after[1].is_null());
  CHECK(d.unapplied == std::vector<uint32_t>{1});

  // The diffs are still checked: an unknown operation is an error naming the column.
  auto bad = good_diffs();
  bad[0] = std::byte{9};
  e.body = minimal_partial_body(bad);
  d = decode(e, e.body, arena);
  REQUIRE_FALSE(d.status);
  CHECK(d.status.error().message.rfind("column 2 (a): ", 0) == 0);
}

TEST_CASE("PARTIAL_UPDATE_ROWS: truncation sweep") {
  PartialEvent e(good_diffs());
  for (size_t len = 0; len < e.body.size(); ++len) {
    CAPTURE(len);
    Arena arena;
    auto d = decode(e, std::span(e.body).first(len), arena);
    REQUIRE_FALSE(d.status);
    const auto code = d.status.error().code;
    CHECK_MESSAGE((code == Errc::truncated || code == Errc::malformed),
                  d.status.error().to_string());
  }
}

TEST_CASE("UPDATE_ROWS with partial images (binlog_row_image=MINIMAL): absent columns listed") {
  // MariaDB's MINIMAL update of t (id INT, name INT, qty INT) SET qty = 5 WHERE id = 1: the
  // before image holds the key, the after image the assigned column (log_event.cc: one
  // bitmap per image, then per row a null bitmap over the present columns only).
  auto b = [](int x) { return static_cast<std::byte>(x); };
  std::vector<std::byte> body = {b(1),    b(0),   b(0), b(0), b(0), b(0),  // table id
                                 b(1),    b(0),                            // flags: STMT_END
                                 b(3),                                     // columns
                                 b(0x01), b(0x04)};                        // before: id; after: qty
  body.push_back(b(0));  // nulls of the 1 present column
  put_u32(body, 1);
  body.push_back(b(0));
  put_u32(body, 5);
  const std::vector<ColumnDecodeInfo> cols(3, ColumnDecodeInfo{.type = 3, .real_type = 3});
  const auto ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mariadb);
  // Every prefix up to the bitmaps is refused (the rows are read image by image, below).
  for (size_t len = 0; len <= 11; ++len) {
    CAPTURE(len);
    CHECK_FALSE(decode_event_body(24, std::span(body).first(len), ctx));
  }
  auto ev = decode_event_body(24, body, ctx);
  REQUIRE(ev);
  const auto& re = std::get<RowsEvent>(*ev);
  CHECK_FALSE(re.full_image());
  CHECK(re.absent_columns(re.present) == std::vector<uint32_t>{1, 2});
  CHECK(re.absent_columns(re.present_after) == std::vector<uint32_t>{0, 1});
  Arena arena;
  std::vector<Value> before(3), after(3);
  ByteReader r(re.rows);
  REQUIRE(decode_row_image(r, cols, re.present, arena, before));
  REQUIRE(decode_row_image(r, cols, re.present_after, arena, after));
  CHECK(r.finish());
  CHECK(before[0].i == 1);
  CHECK(before[1].is_null());
  CHECK(after[2].i == 5);

  // moved_to: the same event over a copy of its bytes (what BinlogStream keeps across batches).
  const std::vector<std::byte> copy(body.begin(), body.end());
  const RowsEvent moved = re.moved_to(body, copy);
  auto in_copy = [&](std::span<const std::byte> s) {
    return s.data() >= copy.data() && s.data() + s.size() <= copy.data() + copy.size();
  };
  for (auto [was, now] :
       {std::pair{re.present, moved.present}, std::pair{re.present_after, moved.present_after},
        std::pair{re.rows, moved.rows}}) {
    CHECK(in_copy(now));
    CHECK(std::equal(was.begin(), was.end(), now.begin(), now.end()));
  }
  CHECK(moved.extra_data.empty());
  CHECK(moved.table_id == re.table_id);
  CHECK(moved.kind == re.kind);
  CHECK(after[0].is_null());
  // One byte short inside the rows: the image decoder refuses it.
  ByteReader short_r(re.rows.first(re.rows.size() - 1));
  REQUIRE(decode_row_image(short_r, cols, re.present, arena, before));
  CHECK_FALSE(decode_row_image(short_r, cols, re.present_after, arena, after));
}

}  // namespace
}  // namespace cdc::mysql
