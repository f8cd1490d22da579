#include "cdc/core/byte_reader.h"

#include <doctest/doctest.h>

#include <string>

using cdc::ByteReader;
using cdc::Errc;

TEST_CASE("ByteReader reads little- and big-endian integers") {
  const std::string b("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  ByteReader r(b);
  CHECK(r.u16le() == 0x0201);
  CHECK(r.u16be() == 0x0304);
  CHECK(r.u32le() == 0x08070605u);
  CHECK(r.remaining() == 0);
  CHECK(r.finish());
  ByteReader r2(b);
  CHECK(r2.u64be() == 0x0102030405060708ull);
  ByteReader r3(b);
  CHECK(r3.u48le() == 0x060504030201ull);
  CHECK(r3.u24be() == 0);  // only 2 bytes left: fails closed
  CHECK_FALSE(r3.ok());
}

TEST_CASE(
    "ByteReader fails closed: after the first underflow every read is zero and finish reports it") {
  const std::string b("\xff\x01", 2);
  ByteReader r(b);
  CHECK(r.u32le() == 0);
  CHECK(r.u8() == 0);  // would succeed on its own, but the reader has failed
  CHECK(r.offset() == 0);
  auto st = r.finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::truncated);
  CHECK(st.error().message == "needed 4 bytes at offset 0, 2 left");
}

TEST_CASE("ByteReader trailing bytes are malformed unless allowed") {
  const std::string b("abc");
  ByteReader r(b);
  CHECK(r.string(2) == "ab");
  auto st = r.finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(r.finish(/*allow_trailing=*/true));
}

TEST_CASE("ByteReader lenenc covers every prefix and rejects 0xfb/0xff") {
  CHECK(ByteReader(std::string("\xfa", 1)).lenenc() == 250);
  CHECK(ByteReader(std::string("\xfc\x34\x12", 3)).lenenc() == 0x1234);
  CHECK(ByteReader(std::string("\xfd\x56\x34\x12", 4)).lenenc() == 0x123456);
  CHECK(ByteReader(std::string("\xfe\x01\x00\x00\x00\x00\x00\x00\x80", 9)).lenenc() ==
        0x8000000000000001ull);
  for (const char* bad : {"\xfb", "\xff"}) {
    const std::string bytes(bad, 1);
    ByteReader r(bytes);
    CHECK(r.lenenc() == 0);
    auto st = r.finish();
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::malformed);
  }
  // Every truncation of a 9-byte lenenc fails as truncated.
  const std::string full("\xfe\x01\x02\x03\x04\x05\x06\x07\x08", 9);
  for (size_t n = 0; n < full.size(); ++n) {
    ByteReader r(std::string_view(full).substr(0, n));
    (void)r.lenenc();
    auto st = r.finish();
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::truncated);
  }
}

TEST_CASE("ByteReader cstring, sub-readers and skip") {
  const std::string b("name\0rest", 9);
  ByteReader r(b);
  CHECK(r.cstring() == "name");
  auto child = r.sub(2);
  CHECK(child.string(2) == "re");
  CHECK(child.finish());
  CHECK(r.rest() == "st");
  CHECK(r.finish());

  ByteReader no_nul(std::string_view("abc"));
  CHECK(no_nul.cstring().empty());
  CHECK_FALSE(no_nul.finish());

  ByteReader s(std::string_view("abc"));
  s.skip(4);
  CHECK_FALSE(s.ok());
  ByteReader sub_over(std::string_view("abc"));
  auto c = sub_over.sub(10);
  CHECK(c.remaining() == 0);
  CHECK_FALSE(c.finish());
}

TEST_CASE("ByteReader mark_malformed keeps the first reason") {
  ByteReader r(std::string_view("abcd"));
  r.u8();
  r.mark_malformed("bad tag 0x61");
  r.mark_malformed("second");
  auto st = r.finish();
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(st.error().message == "bad tag 0x61 at offset 1");
}
