#include "sinks/doris/load_record.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::doris;

TEST_CASE("doris load record: round trip and refusals") {
  const std::vector<LoadRef> loads = {{"db", "t1", "p_db_t1_7_0", 1001},
                                      {"db", "t2", "p_db_t2_7_0", 1002}};
  const std::string text = encode_loads(loads);
  CHECK(text == "doris-loads v1\n1001\tdb\tt1\tp_db_t1_7_0\n1002\tdb\tt2\tp_db_t2_7_0\n");
  auto back = decode_loads(text);
  REQUIRE(back);
  CHECK(*back == loads);
  CHECK(decode_loads("doris-loads v1\n")->empty());
  // Every prefix of a valid record but the complete ones is refused.
  for (size_t n = 0; n < text.size(); ++n) {
    const std::string_view prefix(text.data(), n);
    if (prefix == "doris-loads v1\n" || prefix == "doris-loads v1\n1001\tdb\tt1\tp_db_t1_7_0\n")
      continue;
    CHECK_MESSAGE(!decode_loads(prefix), "prefix of " << n << " bytes");
  }
  CHECK(decode_loads("doris-loads v2\n").error().code == Errc::malformed);
  CHECK(!decode_loads("doris-loads v1\nx\tdb\tt\tl\n"));
  CHECK(!decode_loads("doris-loads v1\n1\tdb\tt\tl\textra\n"));
  CHECK(!decode_loads("doris-loads v1\n1\t\tt\tl\n"));
  // Numbers as encode_loads writes them: "0102" would re-encode as "102" (a fuzz finding).
  CHECK(!decode_loads("doris-loads v1\n0102\tdb\tt\tl\n"));
  // No sign either: "-0102" would re-encode as "-102" (the same campaign, later).
  CHECK(!decode_loads("doris-loads v1\n-0102\tdb\tt\tl\n"));
  CHECK(!decode_loads("doris-loads v1\n-5\tdb\tt\tl\n"));
  CHECK(!decode_loads("doris-loads v1\n+5\tdb\tt\tl\n"));
  CHECK(decode_loads("doris-loads v1\n0\tdb\tt\tl\n"));
}
