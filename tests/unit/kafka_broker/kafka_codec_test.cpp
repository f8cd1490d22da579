#include "tests/fakes/kafka/kafka_codec.h"

#include <doctest/doctest.h>

#include <limits>

#include "tests/fakes/kafka/request_header.h"

using cdc::ByteReader;
using cdc::Errc;
namespace kafka = cdc::testing::kafka;

namespace {
std::string hex(const std::string& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}
std::string varint_bytes(int32_t v) {
  kafka::Writer w;
  w.varint(v);
  return w.data();
}
}  // namespace

TEST_CASE("varint: zigzag encoding matches the protobuf examples, round trips") {
  CHECK(hex(varint_bytes(0)) == "00");
  CHECK(hex(varint_bytes(-1)) == "01");
  CHECK(hex(varint_bytes(1)) == "02");
  CHECK(hex(varint_bytes(-64)) == "7f");
  CHECK(hex(varint_bytes(64)) == "8001");
  CHECK(hex(varint_bytes(std::numeric_limits<int32_t>::min())) == "ffffffff0f");
  for (int32_t v : {0, 1, -1, 63, -64, 300, -300, std::numeric_limits<int32_t>::max(),
                    std::numeric_limits<int32_t>::min()}) {
    const std::string b = varint_bytes(v);
    ByteReader r(b);
    CHECK(kafka::read_varint(r) == v);
    CHECK(r.finish());
  }
  kafka::Writer w;
  w.varlong(std::numeric_limits<int64_t>::min());
  CHECK(hex(w.data()) == "ffffffffffffffffff01");
  ByteReader r(w.data());
  CHECK(kafka::read_varlong(r) == std::numeric_limits<int64_t>::min());
  CHECK(r.finish());
}

TEST_CASE("varint: truncated and over-long input are errors") {
  ByteReader truncated(std::string_view("\x80", 1));
  (void)kafka::read_varint(truncated);
  CHECK(truncated.finish().error().code == Errc::truncated);

  const std::string six_bytes("\x80\x80\x80\x80\x80\x01", 6);
  ByteReader too_long(six_bytes);
  CHECK(kafka::read_varint(too_long) == 0);
  const auto st = too_long.finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(st.error().message.find("VARINT is longer than 5 bytes") != std::string::npos);
}

TEST_CASE("strings, bytes and arrays: nulls and counts from the wire are checked") {
  kafka::Writer w;
  w.string("topic");
  w.nullable_string(std::nullopt);
  w.bytes("xyz");
  w.null_bytes();
  ByteReader r(w.data());
  CHECK(kafka::read_string(r, "name") == "topic");
  CHECK_FALSE(kafka::read_nullable_string(r).has_value());
  const auto b = kafka::read_nullable_bytes(r);
  REQUIRE(b.has_value());
  CHECK(cdc::as_chars(*b) == "xyz");
  CHECK_FALSE(kafka::read_nullable_bytes(r).has_value());
  CHECK(r.finish());

  ByteReader null_string(std::string_view("\xff\xff", 2));
  (void)kafka::read_string(null_string, "Produce topic name");
  CHECK(null_string.finish().error().message.find("Produce topic name is a null STRING") == 0);

  // 1,000,000 elements of at least 4 bytes cannot follow in 4 bytes.
  ByteReader huge(std::string_view("\x00\x0f\x42\x40\x00\x00\x00\x00", 8));
  CHECK(kafka::read_array_length(huge, 4, "Fetch partitions") == 0);
  const auto st = huge.finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find(
            "Fetch partitions has 1000000 elements but only 4 bytes are left") == 0);
}

TEST_CASE("crc32c: the standard check value") {
  CHECK(kafka::crc32c(cdc::as_bytes("123456789")) == 0xE3069283u);
  CHECK(kafka::crc32c(cdc::as_bytes("")) == 0u);
}

TEST_CASE("request header v1 and ApiVersions v3's header v2; truncation sweep") {
  kafka::Writer w;
  w.i16(3);  // Metadata
  w.i16(4);
  w.i32(77);
  w.string("sluice");
  w.raw("body");
  ByteReader r(w.data());
  auto h = kafka::decode_request_header(r);
  REQUIRE(h);
  CHECK(h->api_key == 3);
  CHECK(h->api_version == 4);
  CHECK(h->correlation_id == 77);
  CHECK(h->client_id == std::optional<std::string>("sluice"));
  CHECK(r.rest() == "body");

  kafka::Writer v3;
  v3.i16(18);  // ApiVersions v3: header v2 ends in a TAG_BUFFER
  v3.i16(3);
  v3.i32(1);
  v3.nullable_string(std::nullopt);
  v3.uvarint(1);  // one tagged field: tag 0, 2 bytes
  v3.uvarint(0);
  v3.uvarint(2);
  v3.raw("ab");
  v3.raw("B");
  ByteReader r3(v3.data());
  auto h3 = kafka::decode_request_header(r3);
  REQUIRE(h3);
  CHECK_FALSE(h3->client_id.has_value());
  CHECK(r3.rest() == "B");

  const std::string full = w.data().substr(0, w.size() - 4);  // header only
  for (size_t n = 0; n < full.size(); ++n) {
    ByteReader prefix(std::string_view(full).substr(0, n));
    const auto e = kafka::decode_request_header(prefix);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == Errc::truncated);
    CHECK(e.error().message.find("request header: needed") == 0);
  }
}
