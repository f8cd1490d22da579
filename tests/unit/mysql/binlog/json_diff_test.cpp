// JSON diffs of PARTIAL_UPDATE_ROWS: MySQL's path text, the diff list decoder, application with
// json_diff.cc apply_json_diffs semantics (exact expected text), rejection of diffs MySQL would
// reject, and a truncation sweep over an encoded diff list.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cdc/mysql/binlog/json_diff.h"
#include "tests/unit/mysql/binlog/json_test_util.h"

namespace cdc::mysql {
namespace {

using namespace testing;

// Json_diff::write_binary: operation, net_field_length path length, path, and for
// REPLACE/INSERT net_field_length value length and the binary value.
void put_diff(std::vector<std::byte>& out, JsonDiffOp op, const std::string& path,
              const J* value = nullptr) {
  out.push_back(static_cast<std::byte>(op));
  REQUIRE(path.size() < 251);
  out.push_back(static_cast<std::byte>(path.size()));
  for (char c : path) out.push_back(static_cast<std::byte>(c));
  if (value != nullptr) {
    const auto v = doc(*value);
    REQUIRE(v.size() < 251);
    out.push_back(static_cast<std::byte>(v.size()));
    out.insert(out.end(), v.begin(), v.end());
  }
}

std::string applied(const J& before, const std::vector<std::byte>& diffs) {
  auto r = apply_json_diffs(doc(before), diffs);
  REQUIRE_MESSAGE(r, r.error().to_string());
  return *r;
}

Error rejected(const J& before, const std::vector<std::byte>& diffs) {
  auto r = apply_json_diffs(doc(before), diffs);
  REQUIRE_FALSE(r);
  return r.error();
}

TEST_CASE("MySQL JSON path text: members, quoted members, cells, last") {
  auto p = parse_mysql_json_path("$.a[1].\"b c\"[last][last-2].$x_1");
  REQUIRE_MESSAGE(p, p.error().to_string());
  REQUIRE(p->size() == 6);
  CHECK(((*p)[0].kind == JsonPathLeg::Kind::member && (*p)[0].key == "a"));
  CHECK(((*p)[1].kind == JsonPathLeg::Kind::cell && (*p)[1].index == 1 && !(*p)[1].from_end));
  CHECK((*p)[2].key == "b c");
  CHECK(((*p)[3].from_end && (*p)[3].index == 0));
  CHECK(((*p)[4].from_end && (*p)[4].index == 2));
  CHECK((*p)[5].key == "$x_1");

  auto esc = parse_mysql_json_path(R"($."q\"uo\\te\u00e9\ud83d\ude00")");
  REQUIRE_MESSAGE(esc, esc.error().to_string());
  CHECK((*esc)[0].key == "q\"uo\\te\xc3\xa9\xf0\x9f\x98\x80");

  auto spaced = parse_mysql_json_path(" $ . a [ 3 ] ");
  REQUIRE(spaced);
  CHECK(spaced->size() == 2);
  CHECK((*spaced)[1].index == 3);
  CHECK(parse_mysql_json_path("$")->empty());

  for (const char* bad : {"", "a", "$.", "$.*", "$[*]", "$**.a", "$[1 to 2]", "$[", "$[x]",
                          "$.\"open", "$.\"bad\\q\"", "$.\"\\udc00\"", "$[-1]"}) {
    CAPTURE(bad);
    auto r = parse_mysql_json_path(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
    CHECK(r.error().message.find("JSON path") != std::string::npos);
  }
}

TEST_CASE("JSON diff REPLACE: a member, an array cell, [last], nested") {
  const J before = obj(
      {{"a", i16(1)}, {"b", arr({str("x"), str("y"), str("z")})}, {"cc", obj({{"d", lit(1)}})}});
  std::vector<std::byte> d;
  const J two = i16(2), w = str("w"), last = str("L"), nul = lit(0);
  put_diff(d, JsonDiffOp::replace, "$.a", &two);
  put_diff(d, JsonDiffOp::replace, "$.b[0]", &w);
  put_diff(d, JsonDiffOp::replace, "$.b[last]", &last);
  put_diff(d, JsonDiffOp::replace, "$.cc.d", &nul);
  CHECK(applied(before, d) == R"({"a": 2, "b": ["w", "y", "L"], "cc": {"d": null}})");
}

TEST_CASE("JSON diff INSERT: new keys go where MySQL sorts them, array insert and append") {
  const J before = obj({{"b", i16(1)}, {"dd", arr({i16(10), i16(20)})}});
  std::vector<std::byte> d;
  const J a = str("A"), ccc = lit(1), e = obj({{"k", i16(5)}}), x = i16(15), y = i16(99),
          z = i16(0), t = str("t");
  put_diff(d, JsonDiffOp::insert, "$.a", &a);      // length 1: before "b"
  put_diff(d, JsonDiffOp::insert, "$.ccc", &ccc);  // length 3: after "dd"
  put_diff(d, JsonDiffOp::insert, "$.e", &e);      // length 1: after "b"
  put_diff(d, JsonDiffOp::insert, "$.dd[1]", &x);  // before index 1
  put_diff(d, JsonDiffOp::insert, "$.dd[7]", &y);  // past the end: appended
  put_diff(d, JsonDiffOp::insert, "$.dd[0]", &z);
  put_diff(d, JsonDiffOp::insert, "$.\"x y\"", &t);  // length 3, sorts before "ccc"
  CHECK(applied(before, d) ==
        R"({"a": "A", "b": 1, "e": {"k": 5}, "dd": [0, 10, 15, 20, 99], "ccc": true, "x y": "t"})");
}

TEST_CASE("JSON diff REMOVE: members and array cells, [last-1]") {
  const J before = obj({{"a", i16(1)}, {"b", arr({i16(1), i16(2), i16(3), i16(4)})}});
  std::vector<std::byte> d;
  put_diff(d, JsonDiffOp::remove, "$.a");
  put_diff(d, JsonDiffOp::remove, "$.b[0]");
  put_diff(d, JsonDiffOp::remove, "$.b[last-1]");
  CHECK(applied(before, d) == R"({"b": [2, 4]})");
}

TEST_CASE("JSON diffs MySQL would reject are errors naming the operation and the path") {
  const J before = obj({{"a", i16(1)}, {"b", arr({i16(1)})}});
  const J v = i16(7);
  struct Case {
    JsonDiffOp op;
    std::string path;
    std::string why;
  };
  for (const auto& c : std::vector<Case>{
           {JsonDiffOp::replace, "$.zz", "the path does not exist"},
           {JsonDiffOp::replace, "$.b[1]", "the path does not exist"},
           {JsonDiffOp::replace, "$.a[0]", "the path does not exist"},  // no auto-wrapping
           {JsonDiffOp::replace, "$", "whole document"},
           {JsonDiffOp::insert, "$.a", "the key already exists"},
           {JsonDiffOp::insert, "$.q.r", "its parent does not exist"},
           {JsonDiffOp::insert, "$.b.k", "not an object/array matching"},
           {JsonDiffOp::remove, "$.zz", "the key does not exist"},
           {JsonDiffOp::remove, "$.b[1]", "outside the array"},
           {JsonDiffOp::remove, "$.b[last-1]", "outside the array"},
           {JsonDiffOp::remove, "$[0]", "not an object/array matching"},
       }) {
    CAPTURE(c.path);
    std::vector<std::byte> d;
    put_diff(d, c.op, c.path, c.op == JsonDiffOp::remove ? nullptr : &v);
    const auto e = rejected(before, d);
    CHECK(e.code == Errc::malformed);
    CHECK(e.message.find(std::string(json_diff_op_name(c.op)) + " of " + c.path + " rejected") !=
          std::string::npos);
    CHECK(e.message.find(c.why) != std::string::npos);
  }
}

TEST_CASE("JSON diff list: unknown operation, bad value, truncation sweep") {
  const J before = obj({{"a", i16(1)}});
  std::vector<std::byte> bad_op{std::byte{3}, std::byte{3}, std::byte{'$'}, std::byte{'.'},
                                std::byte{'a'}};
  auto e = rejected(before, bad_op);
  CHECK(e.code == Errc::malformed);
  CHECK(e.message == "JSON diff 0 at byte 0: unknown operation 3");

  std::vector<std::byte> bad_value;
  const J junk{0x42, {}};
  put_diff(bad_value, JsonDiffOp::replace, "$.a", &junk);
  e = rejected(before, bad_value);
  CHECK(e.message.find("value of JSON diff 0 (REPLACE $.a)") == 0);

  std::vector<std::byte> d;
  const J s = str("long enough value"), n = i16(3);
  put_diff(d, JsonDiffOp::replace, "$.a", &s);
  put_diff(d, JsonDiffOp::insert, "$.b", &n);
  put_diff(d, JsonDiffOp::remove, "$.a");
  REQUIRE(applied(before, d) == R"({"b": 3})");
  const auto decoded = decode_json_diffs(d);
  REQUIRE(decoded);
  REQUIRE(decoded->size() == 3);
  CHECK((*decoded)[1].path == "$.b");
  CHECK((*decoded)[2].value.empty());
  // A prefix ends either on a diff boundary (a shorter valid list) or inside one: truncated.
  const std::vector<size_t> boundaries{
      0, 1 + 1 + 3 + 1 + doc(s).size(),
      1 + 1 + 3 + 1 + doc(s).size() + 1 + 1 + 3 + 1 + doc(n).size()};
  for (size_t len = 0; len < d.size(); ++len) {
    CAPTURE(len);
    auto r = decode_json_diffs(std::span(d).first(len));
    if (std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end()) {
      CHECK(r);
    } else {
      REQUIRE_FALSE(r);
      CHECK(r.error().code == Errc::truncated);
    }
  }
}

}  // namespace
}  // namespace cdc::mysql
