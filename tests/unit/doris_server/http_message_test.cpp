#include "tests/fakes/doris/http_message.h"

#include <doctest/doctest.h>

using namespace cdc::testing::doris;

TEST_CASE("http: the head is parsed with lower-case header names and a decoded query") {
  HttpRequest r;
  REQUIRE(
      parse_head("GET /api/db/get_load_state?label=a%3Ab HTTP/1.1\r\nHost: x\r\nAuthorization: "
                 "Basic cm9vdDo=\r\n",
                 r));
  CHECK(r.method == "GET");
  CHECK(r.path == "/api/db/get_load_state");
  CHECK(r.query.at("label") == "a:b");
  CHECK(*r.header("authorization") == "Basic cm9vdDo=");
  HttpRequest bad;
  CHECK_FALSE(parse_head("garbage\r\n", bad));
}

TEST_CASE("http: chunked bodies are decoded, incomplete and malformed ones recognised") {
  std::string body;
  size_t used = 0;
  CHECK(decode_chunked("3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\nNEXT", body, used) ==
        ChunkedState::done);
  CHECK(body == "abcde");
  CHECK(used == std::string_view("3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").size());
  CHECK(decode_chunked("3\r\nabc\r\n", body, used) == ChunkedState::incomplete);
  CHECK(decode_chunked("zz\r\nabc\r\n", body, used) == ChunkedState::malformed);
  CHECK(decode_chunked("3\r\nabcX\r\n0\r\n\r\n", body, used) == ChunkedState::malformed);
}
