#include "config/environment.h"

#include <doctest/doctest.h>

using cdc::config::expand_env;
using cdc::config::map_environment;

TEST_CASE("expand_env: variables, defaults and escapes") {
  const auto env = map_environment({{"HOST", "db1"}, {"PORT", "3306"}, {"EMPTY", ""}});
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"${HOST}", "db1"},
      {"${HOST}:${PORT}", "db1:3306"},
      {"x${HOST}y", "xdb1y"},
      {"${MISSING:-fallback}", "fallback"},
      {"${MISSING:-}", ""},
      {"${HOST:-other}", "db1"},
      {"${EMPTY:-used when empty}", "used when empty"},
      {"${EMPTY}", ""},
      {"$${HOST}", "${HOST}"},
      {"a$$${HOST}", "a$${HOST}"},
      {"cost $5 and $HOME", "cost $5 and $HOME"},
      {"${MISSING:-a:-b}", "a:-b"},
      {"", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    auto r = expand_env(c.in, env);
    REQUIRE(r);
    CHECK(*r == c.out);
  }
}

TEST_CASE("expand_env: errors name the variable, never the text") {
  const auto env = map_environment({});
  auto unset = expand_env("secret-${PASSWORD}", env);
  REQUIRE_FALSE(unset);
  CHECK(unset.error().code == cdc::Errc::invalid_config);
  CHECK(
      unset.error().message ==
      "environment variable 'PASSWORD' is not set (write ${PASSWORD:-default} to give a default)");

  auto open = expand_env("abc ${HOST", env);
  REQUIRE_FALSE(open);
  CHECK(open.error().message == "unterminated '${' (write '$${' for a literal '${')");

  auto bad = expand_env("${1X}", env);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message ==
        "invalid environment variable name '1X' in '${...}' (expected [A-Za-z_][A-Za-z0-9_]*)");
  CHECK_FALSE(expand_env("${}", env));
}

TEST_CASE("process_environment reads getenv") {
  const auto env = cdc::config::process_environment();
  CHECK(env("PATH").has_value());
  CHECK_FALSE(env("SLUICE_TEST_SURELY_UNSET_VARIABLE_1234").has_value());
}
