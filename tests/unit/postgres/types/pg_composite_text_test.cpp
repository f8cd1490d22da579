#include "cdc/postgres/types/pg_composite_text.h"

#include <doctest/doctest.h>

#include "cdc/postgres/types/pg_builtin_types.h"
#include "cdc/postgres/types/pg_json_text.h"

using namespace cdc;
using namespace cdc::postgres;

namespace {

// The array's events as text: [ ] for dimensions, 'x' for elements, N for NULL.
std::string events(std::string_view text, char delim = ',') {
  std::string out;
  PgArrayVisitor v;
  v.begin = [&] {
    out += "[";
    return Status{};
  };
  v.end = [&] {
    out += "]";
    return Status{};
  };
  v.element = [&](std::optional<std::string_view> e) {
    out += e ? "'" + std::string(*e) + "'" : std::string("N");
    return Status{};
  };
  auto s = parse_pg_array(text, delim, v);
  return s ? out : "error";
}

std::string fields(std::string_view text) {
  std::string out;
  auto s = parse_pg_record(text, [&](std::optional<std::string_view> f) {
    out += f ? "'" + std::string(*f) + "'" : std::string("N");
    return Status{};
  });
  return s ? out : "error";
}

std::string range(std::string_view text) {
  std::string out;
  PgRangeText r;
  auto s = parse_pg_range(text, r, [&](std::optional<std::string_view> b) {
    out += b ? "'" + std::string(*b) + "'" : std::string("-");
    return Status{};
  });
  if (!s) return "error";
  if (r.empty) return "empty";
  return (r.lower_inclusive ? "[" : "(") + out + (r.upper_inclusive ? "]" : ")");
}

std::string json(uint32_t type_oid, std::string_view text) {
  static const PgTypeRegistry registry;
  std::string out;
  auto s = append_pg_json(registry, type_oid, -1, text, out);
  return s ? out : "error: " + s.error().message;
}

}  // namespace

TEST_CASE("array_out: quoting, escapes, NULL, dimensions") {
  CHECK(events("{}") == "[]");
  CHECK(events("{1,NULL,3}") == "['1'N'3']");
  CHECK(events("{NULL,NULL}") == "[NN]");
  CHECK(events("{\"NULL\",null,\"\"}") == "['NULL'N'']");
  CHECK(events("{\"a b\",\"x\\\"y\",\"back\\\\slash\",\"{}\"}") ==
        "['a b''x\"y''back\\slash''{}']");
  CHECK(events("{{1,2},{3,4}}") == "[['1''2']['3''4']]");
  CHECK(events("{{{1}},{{2}}}") == "[[['1']][['2']]]");
  CHECK(events("[0:1]={7,8}") == "['7''8']");
  CHECK(events("[1:1][-2:-1]={{7,8}}") == "[['7''8']]");
  CHECK(events("{(1,1),(0,0);(2,2),(1,1)}", ';') == "['(1,1),(0,0)''(2,2),(1,1)']");
  for (const char* bad :
       {"", "{", "}", "{1,}", "{,1}", "{1,2", "{1}}", "{1} ", "{{1},2}", "{1,{2}}", "{\"a}",
        "{a b}", "{{}}", "[1:2]{1,2}", "[1:2={1}", "{{{{{{{1}}}}}}}", "{a\"b}", "{1\\"}) {
    INFO(bad);
    CHECK(events(bad) == "error");
  }
}

TEST_CASE("record_out: empty is NULL, \"\" is empty, doubled quotes and backslashes") {
  CHECK(fields("(1,,\"\")") == "'1'N''");
  CHECK(fields("()") == "");
  CHECK(fields("(,)") == "NN");
  CHECK(fields("(\"a,b\",\"x\"\"y\",\"c\\\\d\",\"(p)\")") == "'a,b''x\"y''c\\d''(p)'");
  CHECK(fields("(\"{1,2}\")") == "'{1,2}'");
  for (const char* bad : {"", "(", "(1", "(1,2", "1,2)", "(1)x", "(\"a)", "(a\\"}) {
    INFO(bad);
    CHECK(fields(bad) == "error");
  }
}

TEST_CASE("range_out and multirange_out") {
  CHECK(range("empty") == "empty");
  CHECK(range("[1,5)") == "['1''5')");
  CHECK(range("(,5]") == "(-'5']");
  CHECK(range("[1,)") == "['1'-)");
  CHECK(range("[\"2024-01-01 00:00:00\",infinity)") == "['2024-01-01 00:00:00''infinity')");
  for (const char* bad : {"", "Empty", "[1,5", "1,5)", "[1,5)x", "[1 5)"}) {
    INFO(bad);
    CHECK(range(bad) == "error");
  }
  std::vector<std::string> seen;
  auto collect = [&](std::string_view r) {
    seen.emplace_back(r);
    return Status{};
  };
  REQUIRE(parse_pg_multirange("{}", collect));
  CHECK(seen.empty());
  REQUIRE(parse_pg_multirange("{[1,3),[5,7)}", collect));
  CHECK(seen == std::vector<std::string>{"[1,3)", "[5,7)"});
  seen.clear();
  REQUIRE(parse_pg_multirange("{[\"a)\",b]}", collect));
  CHECK(seen == std::vector<std::string>{"[\"a)\",b]"});
  CHECK_FALSE(parse_pg_multirange("{[1,3)", collect));
  CHECK_FALSE(parse_pg_multirange("[1,3)}", collect));
  CHECK_FALSE(parse_pg_multirange("{[1,3);[5,7)}", collect));
}

TEST_CASE("arrays as to_json prints them") {
  using namespace cdc::postgres::oid;
  CHECK(json(1007, "{}") == "[]");
  CHECK(json(1007, "{1,NULL,-3}") == "[1,null,-3]");
  CHECK(json(1007, "{{1,2},{3,4}}") == "[[1,2],[3,4]]");
  CHECK(json(1007, "[0:1]={1,2}") == "[1,2]");
  CHECK(json(1022, "{NaN,Infinity,-Infinity,1e+300,-0}") ==
        "[\"NaN\",\"Infinity\",\"-Infinity\",1e+300,-0]");
  CHECK(json(1231, "{1.50,NaN}") == "[1.50,\"NaN\"]");
  CHECK(json(1000, "{t,f,NULL}") == "[true,false,null]");
  CHECK(json(1009, "{\"a \\\"q\\\"\",\"\\\\\",\"line\nbreak\",\"\x01\"}") ==
        "[\"a \\\"q\\\"\",\"\\\\\",\"line\\nbreak\",\"\\u0001\"]");
  CHECK(json(1182, "{2024-01-01,\"0044-03-15 BC\",infinity}") ==
        "[\"2024-01-01\",\"0044-03-15 BC\",\"infinity\"]");
  CHECK(json(1115, "{\"2024-01-01 12:00:00.5\",\"0001-01-01 00:00:00 BC\"}") ==
        "[\"2024-01-01T12:00:00.5\",\"0001-01-01T00:00:00 BC\"]");
  CHECK(json(1185, "{\"2024-01-01 12:00:00+00\",\"2024-01-01 12:00:00-05:30:15 BC\"}") ==
        "[\"2024-01-01T12:00:00+00:00\",\"2024-01-01T12:00:00-05:30:15 BC\"]");
  CHECK(json(3807, "{\"{\\\"a\\\": [1, 2]}\",null}") == "[{\"a\": [1, 2]},null]");
  CHECK(json(1001, "{\"\\\\x00ff\"}") == "[\"\\\\x00ff\"]");
  CHECK(json(1020, "{(1,1),(0,0);(3,3),(2,2)}") == "[\"(1,1),(0,0)\",\"(3,3),(2,2)\"]");
  CHECK(json(1005, "{1,32768}").starts_with("error: not an integer in [-32768, 32767]"));
  CHECK(json(1182, "{2023-02-29}").starts_with("error: not a date"));
  CHECK(json(1000, "{t,NUL}").starts_with("error: not a boolean"));
}

TEST_CASE("escape_json: PostgreSQL's, not the JSON writer's") {
  std::string out;
  append_pg_json_string(out, "\x7f\u2028\"\\\b\f\n\r\t\x1f");
  CHECK(out == "\"\x7f\u2028\\\"\\\\\\b\\f\\n\\r\\t\\u001f\"");
}
