// KeyTemplate: binding to a schema ({db}, {table}, composite {pk}, columns) and rendering.
#include "sinks/redis/key_template.h"

#include <doctest/doctest.h>

#include "tests/unit/sinks/redis/redis_test_util.h"

using namespace cdc;
using namespace cdc::sinks::redis;
using namespace cdc::sinks::redis::test;

TEST_CASE("key template: db, table and a composite primary key joined by the separator") {
  auto schema = users_schema();
  schema->primary_key = {0, 1};
  auto t = KeyTemplate::bind(
      key_parts({{true, "db"}, {false, ":"}, {true, "table"}, {false, ":"}, {true, "pk"}}), *schema,
      "|");
  REQUIRE(t);
  const auto row = user(7, "ann", "a@x");
  std::string out = "prefix/";
  CHECK(t->render(RowImage(row), out, nullptr));
  CHECK(out == "prefix/app:users:7|ann");
  CHECK(t->uses_columns());
}

TEST_CASE("key template: a NULL or absent key column renders nothing and names the column") {
  auto schema = users_schema();
  auto t = KeyTemplate::bind(key_parts({{false, "m:"}, {true, "email"}}), *schema, ":");
  REQUIRE(t);
  const auto row = user(7, "ann", std::nullopt);
  std::string out = "x";
  std::string_view column;
  CHECK_FALSE(t->render(RowImage(row), out, &column));
  CHECK(out == "x");
  CHECK(column == "email");
  CHECK_FALSE(t->render(RowImage(), out, &column));
  auto constant = KeyTemplate::bind(key_parts({{true, "db"}, {false, ".log"}}), *schema, ":");
  REQUIRE(constant);
  CHECK_FALSE(constant->uses_columns());
}

TEST_CASE("key template: unknown columns and {pk} without a primary key are refused") {
  auto schema = users_schema();
  auto t = KeyTemplate::bind(key_parts({{true, "nope"}}), *schema, ":");
  REQUIRE_FALSE(t);
  CHECK(t.error().message == "key placeholder {nope}: table app.users has no column 'nope'");
  schema->primary_key.clear();
  auto pk = KeyTemplate::bind(key_parts({{true, "pk"}}), *schema, ":");
  REQUIRE_FALSE(pk);
  CHECK(pk.error().message ==
        "key placeholder {pk}: table app.users has no primary key; name its columns instead");
}

TEST_CASE("parse_key_template: literals, placeholders and escaped braces") {
  using P = std::vector<KeyPart>;
  CHECK(parse_key_template("user:{id}").value() == P{{false, "user:"}, {true, "id"}});
  CHECK(parse_key_template("{db}:{table}:{pk}").value() ==
        P{{true, "db"}, {false, ":"}, {true, "table"}, {false, ":"}, {true, "pk"}});
  CHECK(parse_key_template("{{x}}:{a}{b}").value() == P{{false, "{x}:"}, {true, "a"}, {true, "b"}});
  CHECK(parse_key_template("plain").value() == P{{false, "plain"}});
  CHECK(parse_key_template("").error().message == "expected a key template, found ''");
  CHECK(parse_key_template("{a{b}").error().message ==
        "key template '{a{b}': '{' inside a placeholder at offset 0");
}
