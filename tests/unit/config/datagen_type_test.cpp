#include "config/datagen_type.h"

#include <doctest/doctest.h>

using cdc::config::DatagenType;
using cdc::config::parse_datagen_type;
using B = DatagenType::Base;

TEST_CASE("parse_datagen_type: supported types") {
  struct Case {
    const char* text;
    DatagenType type;
  };
  const Case cases[] = {
      {"tinyint", {B::tinyint}},
      {"SMALLINT", {B::smallint}},
      {"int", {B::int_}},
      {"integer unsigned", {B::int_, true}},
      {"int(11)", {B::int_}},
      {"bigint", {B::bigint}},
      {"bigint unsigned", {B::bigint, true}},
      {"boolean", {B::boolean}},
      {"bool", {B::boolean}},
      {"float", {B::float_}},
      {"double", {B::double_}},
      {"decimal(10,2)", {B::decimal, false, 10, 2}},
      {"decimal(10, 2)", {B::decimal, false, 10, 2}},
      {"decimal(65)", {B::decimal, false, 65, 0}},
      {"char(1)", {B::char_, false, 1}},
      {"varchar(32)", {B::varchar, false, 32}},
      {"text", {B::text}},
      {"date", {B::date}},
      {"datetime", {B::datetime}},
      {"datetime(3)", {B::datetime, false, 3}},
      {"timestamp(6)", {B::timestamp, false, 6}},
      {"json", {B::json}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto t = parse_datagen_type(c.text);
    REQUIRE(t);
    CHECK(*t == c.type);
  }
  CHECK(parse_datagen_type("bigint")->is_integer());
  CHECK(parse_datagen_type("decimal(5,1)")->is_numeric());
  CHECK(parse_datagen_type("varchar(3)")->is_string());
  CHECK_FALSE(parse_datagen_type("json")->is_numeric());
}

TEST_CASE("parse_datagen_type: unsupported types") {
  const std::string tail =
      "; supported: tinyint, smallint, int, bigint (each optionally unsigned), boolean, float, "
      "double, decimal(p,s), char(n), varchar(n), text, date, datetime(fsp), timestamp(fsp), json";
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"blob", ""},
      {"", ""},
      {"varchar", " (a length or precision is required)"},
      {"varchar(0)", " (varchar length must be 1..65535)"},
      {"decimal(66,2)", " (precision must be 1..65)"},
      {"decimal(5,6)", " (scale must be 0..30 and <= precision)"},
      {"datetime(7)", " (fractional seconds precision must be 0..6)"},
      {"double unsigned", " (only integer types can be unsigned)"},
      {"varchar(a)", " (bad type arguments)"},
      {"decimal(10",
       " (unbalanced parentheses; inside {...} quote a type with a comma: \"decimal(10,2)\")"},
      {"json(1)", " (wrong number of type arguments)"},
      {"char(256)", " (char length must be 0..255)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto t = parse_datagen_type(c.text);
    REQUIRE_FALSE(t);
    CHECK(t.error().message ==
          "unsupported column type '" + std::string(c.text) + "'" + c.why + tail);
  }
}
