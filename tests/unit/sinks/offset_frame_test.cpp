// The offset-record layout shared by the Kafka and Redis sinks: stored in Kafka, Redis and the
// state store, so its bytes never change within a version; every truncation is an error naming
// where the bytes were read.
#include "sinks/common/offset_frame.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks;

TEST_CASE("offset frame: version 1 is the version byte, the fields as u64le, then the position") {
  const Position position = DatagenPosition{77};
  const uint64_t fields[] = {0x0102030405060708ull, 42};
  const std::string bytes = encode_offset_frame(fields, position);
  const std::string head("\x01\x08\x07\x06\x05\x04\x03\x02\x01\x2a\x00\x00\x00\x00\x00\x00\x00",
                         17);
  CHECK(bytes == head + encode_position(position));
  uint64_t back[2] = {};
  auto decoded = decode_offset_frame(bytes, back, "here", "offset record");
  REQUIRE(decoded);
  CHECK(*decoded == position);
  CHECK(back[0] == fields[0]);
  CHECK(back[1] == fields[1]);
}

TEST_CASE("offset frame: no prefix decodes, and another version is named") {
  const uint64_t fields[] = {8};
  const std::string bytes =
      encode_offset_frame(fields, MysqlPosition{{"mysql-bin.000007", 1337}, "0-1-100", 2, 5});
  uint64_t back[1] = {};
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_offset_frame(std::string_view(bytes).substr(0, n), back,
                                 "offsets topic t offset 3", "x");
    REQUIRE_FALSE(r);
    CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
    CHECK(r.error().message.find("offsets topic t offset 3") != std::string::npos);
  }
  std::string other = bytes;
  other[0] = 2;
  auto r = decode_offset_frame(other, back, "k", "offset record");
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "k: unknown offset record version 2 (written by another program or a newer sluice?)");
}
