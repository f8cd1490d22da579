// The offsets topic's record: round trip, every truncation is an error naming where it was
// read, never a crash; a foreign version is refused.
#include "sinks/kafka/offset_record.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::kafka;

TEST_CASE("kafka offset record: round trip of a MariaDB position") {
  const OffsetRecord r{42, MysqlPosition{{"mysql-bin.000007", 1337}, "0-1-100", 2, 5}};
  auto back = decode_offset(encode_offset(r), "t");
  REQUIRE(back);
  CHECK(back->checkpoint_id == 42);
  CHECK(back->position == r.position);
}

TEST_CASE("kafka offset record: no prefix decodes; a foreign version is refused") {
  const std::string bytes = encode_offset(OffsetRecord{8, DatagenPosition{77}});
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r =
        decode_offset(std::string_view(bytes).substr(0, n), "offsets topic p.offsets offset 3");
    REQUIRE_FALSE(r);
    CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
    CHECK(r.error().message.find("offsets topic p.offsets offset 3") != std::string::npos);
  }
  std::string other = bytes;
  other[0] = 9;
  auto r = decode_offset(other, "x");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("unknown offset record version 9") != std::string::npos);
}
