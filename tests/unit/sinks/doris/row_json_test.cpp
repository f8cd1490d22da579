#include "sinks/doris/row_json.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::doris;

TEST_CASE("doris row JSON: the after image for upserts, the before image with the delete sign") {
  TableSchema s;
  s.id = {"db", "t"};
  s.columns.resize(3);
  s.columns[0].name = "id";
  s.columns[1].name = "price";
  s.columns[2].name = "at";
  Value after[3];
  after[0].kind = ValueKind::int64;
  after[0].i = 7;
  after[1].kind = ValueKind::decimal;
  after[1].text = "12.50";
  after[2].kind = ValueKind::null;
  ChangeEvent e;
  e.schema = &s;
  e.op = Op::insert;
  e.after = RowImage(std::span<const Value>(after, 3));
  std::string out;
  REQUIRE(append_row_json(out, e));
  CHECK(out == "{\"id\":\"7\",\"price\":\"12.50\",\"at\":null,\"__DORIS_DELETE_SIGN__\":0}\n");
  e.op = Op::erase;
  e.before = e.after;
  e.after = RowImage();
  out.clear();
  REQUIRE(append_row_json(out, e));
  CHECK(out == "{\"id\":\"7\",\"price\":\"12.50\",\"at\":null,\"__DORIS_DELETE_SIGN__\":1}\n");
  out.clear();
  REQUIRE(append_row_json(out, e, "4294967303"));
  CHECK(out ==
        "{\"id\":\"7\",\"price\":\"12.50\",\"at\":null,\"__DORIS_DELETE_SIGN__\":1,"
        "\"__DORIS_SEQUENCE_COL__\":\"4294967303\"}\n");
  e.op = Op::update;
  CHECK(append_row_json(out, e).error().code == Errc::malformed);
}

TEST_CASE("doris row JSON: an update that changes the primary key deletes the old key first") {
  TableSchema s;
  s.id = {"db", "t"};
  s.columns.resize(2);
  s.columns[0].name = "id";
  s.columns[1].name = "v";
  s.primary_key = {0};
  Value before[2], after[2];
  before[0].kind = after[0].kind = before[1].kind = after[1].kind = ValueKind::int64;
  before[0].i = 1;
  after[0].i = 2;
  before[1].i = after[1].i = 5;
  ChangeEvent e;
  e.schema = &s;
  e.op = Op::update;
  e.before = RowImage(std::span<const Value>(before, 2));
  e.after = RowImage(std::span<const Value>(after, 2));
  std::string out;
  REQUIRE(append_row_json(out, e));
  CHECK(out ==
        "{\"id\":\"1\",\"v\":\"5\",\"__DORIS_DELETE_SIGN__\":1}\n"
        "{\"id\":\"2\",\"v\":\"5\",\"__DORIS_DELETE_SIGN__\":0}\n");
  after[0].i = 1;  // same key: one upsert
  out.clear();
  REQUIRE(append_row_json(out, e));
  CHECK(out == "{\"id\":\"1\",\"v\":\"5\",\"__DORIS_DELETE_SIGN__\":0}\n");
}

TEST_CASE("doris row JSON: unchanged columns are left out, not a key-changing update's") {
  TableSchema s;
  s.id = {"db", "t"};
  s.columns.resize(3);
  s.columns[0].name = "id";
  s.columns[1].name = "big";
  s.columns[2].name = "n";
  s.primary_key = {0};
  Value before[3], after[3];
  for (Value* v : {before, after}) {
    v[0].kind = ValueKind::int64;
    v[0].i = 1;
    v[1].kind = ValueKind::null;
    v[2].kind = ValueKind::int64;
    v[2].i = 2;
  }
  const uint32_t unchanged[] = {1};
  ChangeEvent e;
  e.schema = &s;
  e.op = Op::update;
  e.before = RowImage(std::span<const Value>(before, 3));
  e.after = RowImage(std::span<const Value>(after, 3));
  std::string out;
  REQUIRE(append_row_json(out, e, "", unchanged));
  CHECK(out == "{\"id\":\"1\",\"n\":\"2\",\"__DORIS_DELETE_SIGN__\":0}\n");
  after[0].i = 5;  // the key changes: the new key's row would lack `big`
  const auto r = append_row_json(out, e, "", unchanged);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message.find("REPLICA IDENTITY FULL") != std::string::npos);
}
