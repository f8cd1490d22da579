#include "cdc/postgres/snapshot/pg_visibility.h"

#include <doctest/doctest.h>

#include "cdc/postgres/snapshot/pg_watermark.h"

using namespace cdc;
using namespace cdc::postgres;

namespace {

PgSnapshot snap(std::string_view text) {
  auto s = PgSnapshot::parse(text);
  REQUIRE_MESSAGE(s, (s ? "" : s.error().to_string()));
  return *s;
}

}  // namespace

TEST_CASE("PgSnapshot parses pg_current_snapshot() and refuses what the server never prints") {
  const PgSnapshot s = snap("100:110:102,105");
  CHECK(s.xmin == 100);
  CHECK(s.xmax == 110);
  CHECK(s.xip == std::vector<uint64_t>{102, 105});
  CHECK(snap("7:7:").xip.empty());
  for (const char* bad : {"", "1", "1:2", "x:2:", "2:1:", "1:5:5", "1:5:0", "1:5:3,2", "1:5:3,",
                          "1:5:3,,4", "1:5: 3", "-1:5:", "1:99999999999999999999:"}) {
    INFO(bad);
    auto r = PgSnapshot::parse(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
    CHECK(r.error().message.find("pg_current_snapshot()") != std::string::npos);
  }
}

TEST_CASE("PgSnapshot::visible: below xmin seen, in xip or at/after xmax not, as the server says") {
  const PgSnapshot s = snap("100:110:102,105");
  CHECK(s.visible(50));
  CHECK(s.visible(99));
  CHECK(s.visible(100));
  CHECK(s.visible(101));
  CHECK_FALSE(s.visible(102));
  CHECK(s.visible(104));
  CHECK_FALSE(s.visible(105));
  CHECK(s.visible(109));
  CHECK_FALSE(s.visible(110));
  CHECK_FALSE(s.visible(111));
}

TEST_CASE(
    "PgSnapshot across the 32-bit wraparound: the stream's xid is widened into xmax's epoch") {
  // Epoch 1 begins at 2^32: the stream's xid 3 is 2^32 + 3, its 0xfffffff0 is epoch 0's.
  const uint64_t e1 = uint64_t{1} << 32;
  const PgSnapshot s = snap(std::to_string(e1 - 20) + ":" + std::to_string(e1 + 5) + ":" +
                            std::to_string(e1 - 10) + "," + std::to_string(e1 + 2));
  CHECK(s.widen(3) == e1 + 3);
  CHECK(s.widen(0xfffffff0u) == e1 - 16);
  CHECK(s.visible(0xfffffff0u));        // e1 - 16: at or after xmin, not in xip
  CHECK_FALSE(s.visible(0xfffffff6u));  // e1 - 10: in xip
  CHECK(s.visible(1));                  // e1 + 1
  CHECK_FALSE(s.visible(2));            // e1 + 2: in xip
  CHECK(s.visible(4));                  // e1 + 4
  CHECK_FALSE(s.visible(5));            // e1 + 5 = xmax
  CHECK_FALSE(s.visible(0x10000));      // far after xmax
  // The low half alone would order these wrongly: 3 < 0xfffffff0 but it is the newer one.
  // Epoch 0 near the start: a xid "before" 0 in 32-bit arithmetic widens to 0, not below.
  const PgSnapshot young = snap("3:10:");
  CHECK(young.widen(0xfffffffeu) == 0);
  CHECK(young.visible(5));
}

TEST_CASE("RecentXids: the first delivered xid the snapshot does not see; bounded at 4096") {
  RecentXids r;
  CHECK(r.first_invisible(snap("1:2:")) == 0);
  r.push(100);
  r.push(100);  // a transaction's next row
  r.push(103);
  r.push(101);
  CHECK(r.size() == 3);
  CHECK(r.first_invisible(snap("100:200:")) == 0);
  CHECK(r.first_invisible(snap("100:200:101,103")) == 103);
  CHECK(r.first_invisible(snap("100:102:")) == 103);  // 103 >= xmax: committed after
  for (uint32_t x = 1000; x < 1000 + RecentXids::kCapacity; ++x) r.push(x);
  CHECK(r.size() == RecentXids::kCapacity);
  // 100..103 fell out of the ring: only the last 4096 are asked about.
  CHECK(r.first_invisible(snap("100:6000:101,103")) == 0);
  CHECK(r.first_invisible(snap("100:6000:1000")) == 1000);
  CHECK(r.first_invisible(snap("100:5000:")) == 5000);
}

TEST_CASE("watermark ids: encoded and parsed back; anything else of the prefix is refused") {
  const WatermarkId id{0x0123456789abcdefULL, 42, "my:pipe"};
  const std::string text = encode_watermark(id);
  CHECK(text == "0123456789abcdef:42:my:pipe");
  auto back = parse_watermark(text);
  REQUIRE(back);
  CHECK(*back == id);
  for (const char* bad : {"", "0123456789abcdef", "0123456789abcdef:42",
                          "0123456789abcdef:42:", "123456789abcdef:42:p", "0123456789abcdeg:42:p",
                          "0123456789abcdef::p", "0123456789abcdef:4x:p", "0123456789abcdef:-4:p",
                          "0123456789abcdef:99999999999999999999:p"}) {
    INFO(bad);
    auto r = parse_watermark(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
    CHECK(r.error().message.find("watermark message") != std::string::npos);
  }
}
