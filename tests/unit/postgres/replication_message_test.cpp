#include "cdc/postgres/protocol/replication_message.h"

#include <doctest/doctest.h>

#include "cdc/core/byte_reader.h"
#include "tests/unit/postgres/pgoutput_bytes.h"

using namespace cdc;
using namespace cdc::postgres;
using cdc::postgres::testing::PgBytes;

TEST_CASE("decode_copy_data: XLogData and keepalive, and every prefix refused") {
  const std::string xlog = PgBytes('w').u64(0x100).u64(0x200).u64(5).raw("E").bytes();
  const std::string keepalive = PgBytes('k').u64(0x300).u64(6).u8(1).bytes();
  auto w = decode_copy_data(as_bytes(xlog));
  REQUIRE(w);
  const auto& x = std::get<XLogData>(*w);
  CHECK(x.start == Lsn{0x100});
  CHECK(x.wal_end == Lsn{0x200});
  CHECK(as_chars(x.payload) == "E");
  auto k = decode_copy_data(as_bytes(keepalive));
  REQUIRE(k);
  CHECK(std::get<PrimaryKeepalive>(*k).wal_end == Lsn{0x300});
  CHECK(std::get<PrimaryKeepalive>(*k).reply_requested);
  for (const auto& full : {xlog, keepalive}) {
    for (size_t n = 0; n < full.size(); ++n) {
      CAPTURE(n);
      auto r = decode_copy_data(as_bytes(std::string_view(full).substr(0, n)));
      REQUIRE_FALSE(r);
      CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
    }
  }
  auto unknown = decode_copy_data(as_bytes(std::string_view("z")));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::unsupported);
}

TEST_CASE("encode_standby_status: the documented 34-byte layout") {
  const std::string s = encode_standby_status(Lsn{0x0102030405060708}, PgTimestamp{9}, true);
  REQUIRE(s.size() == 34);
  ByteReader r(s);
  CHECK(r.u8() == 'r');
  CHECK(r.u64be() == 0x0102030405060708);  // written
  CHECK(r.u64be() == 0x0102030405060708);  // flushed
  CHECK(r.u64be() == 0x0102030405060708);  // applied
  CHECK(r.u64be() == 9);
  CHECK(r.u8() == 1);
  CHECK(r.finish());
}
