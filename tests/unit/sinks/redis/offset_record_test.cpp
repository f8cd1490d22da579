// OffsetRecord: round trip, and every truncation or corruption of the bytes is an error naming
// the key, never a crash.
#include "sinks/redis/offset_record.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::redis;

TEST_CASE("offset record: round trip of a MariaDB position") {
  OffsetRecord r{3, 42, MysqlPosition{{"mysql-bin.000007", 1337}, "0-1-100", 2, 5}};
  const std::string bytes = encode_offset(r);
  auto back = decode_offset(bytes, "k");
  REQUIRE(back);
  CHECK(back->epoch == 3);
  CHECK(back->checkpoint_id == 42);
  CHECK(back->position == r.position);
  auto empty = decode_offset(encode_offset(OffsetRecord{1, 0, {}}), "k");
  REQUIRE(empty);
  CHECK(std::holds_alternative<std::monostate>(empty->position));
}

TEST_CASE("offset record: no prefix of a valid record decodes, and a foreign version is refused") {
  const std::string bytes = encode_offset(OffsetRecord{9, 8, DatagenPosition{77}});
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_offset(std::string_view(bytes).substr(0, n), "sluice:offset:p");
    REQUIRE_FALSE(r);
    CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
    CHECK(r.error().message.find("redis offset key 'sluice:offset:p'") != std::string::npos);
  }
  std::string v2 = bytes;
  v2[0] = 2;
  auto r = decode_offset(v2, "k");
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "redis offset key 'k': unknown record version 2 (written by another program or a newer "
        "sluice?)");
}
