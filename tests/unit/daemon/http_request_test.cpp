#include "cdc/daemon/http_request.h"

#include <doctest/doctest.h>

using namespace cdc::daemon;

TEST_CASE("percent_decode and percent_encode") {
  std::string out;
  CHECK(percent_decode("orders%20to%20kafka", out));
  CHECK(out == "orders to kafka");
  CHECK(percent_decode("a+b", out));
  CHECK(out == "a+b");
  CHECK(percent_decode("a+b", out, true));
  CHECK(out == "a b");
  CHECK(percent_decode("%c3%A9", out));
  CHECK(out == "\xc3\xa9");
  for (const char* bad : {"%", "%4", "%zz", "a%g1"}) CHECK_FALSE(percent_decode(bad, out));
  CHECK(percent_encode("MySQL to Kafka/Pipeline~1.x_y-z") ==
        "MySQL%20to%20Kafka%2FPipeline~1.x_y-z");
  CHECK(percent_decode(percent_encode("\x01\xff?&="), out));
  CHECK(out == "\x01\xff?&=");
}

TEST_CASE("query_param") {
  bool found = false;
  CHECK(query_param("savepoint=true&name=a%20b", "name", &found) == "a b");
  CHECK(found);
  CHECK(query_param("savepoint=true&name=a+b", "name") == "a b");
  CHECK(query_param("savepoint=true", "name", &found).empty());
  CHECK_FALSE(found);
  CHECK(query_param("flag", "flag", &found).empty());
  CHECK(found);
  CHECK(query_param("", "x", &found).empty());
  CHECK_FALSE(found);
  CHECK(query_param("name=%zz", "name").empty());
}
