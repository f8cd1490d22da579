#include "sinks/doris/load_body.h"

#include <doctest/doctest.h>

#include <string>

using cdc::sinks::doris::LoadBody;

namespace {

std::string read_all(const LoadBody& body, size_t step) {
  std::string out;
  std::string buf(step, '\0');
  for (size_t n; (n = body.read(out.size(), buf.data(), step)) > 0;) out.append(buf.data(), n);
  return out;
}

}  // namespace

TEST_CASE("load body: reads back exactly what was appended, across block boundaries") {
  LoadBody body;
  std::string expected;
  // Lines of varying length so that appends straddle the 1 MiB block boundaries.
  for (int i = 0; expected.size() < 3 * LoadBody::kBlockSize + 12345; ++i) {
    const std::string line = "{\"id\":" + std::to_string(i) + ",\"v\":\"" +
                             std::string(static_cast<size_t>(i % 97), 'x') + "\"}\n";
    body.append(line);
    expected += line;
  }
  REQUIRE(body.size() == expected.size());
  // Reads in curl-sized pieces (64 KiB) and in odd sizes that never align with a block.
  CHECK(read_all(body, 65536) == expected);
  CHECK(read_all(body, 7919) == expected);
  // A read starting mid-body (curl's rewind goes to 0, but any offset must work).
  std::string tail(100, '\0');
  const size_t at = LoadBody::kBlockSize - 40;
  REQUIRE(body.read(at, tail.data(), tail.size()) == 100);
  CHECK(tail == expected.substr(at, 100));
  CHECK(body.read(expected.size(), tail.data(), tail.size()) == 0);
}

TEST_CASE("load body: one append larger than several blocks, then clear") {
  LoadBody body;
  const std::string big(2 * LoadBody::kBlockSize + 1, 'a');
  body.append(big);
  body.append("b");
  CHECK(body.size() == big.size() + 1);
  CHECK(read_all(body, 1 << 20) == big + "b");
  body.clear();
  CHECK(body.empty());
  body.append("c\n");
  CHECK(read_all(body, 10) == "c\n");
}
