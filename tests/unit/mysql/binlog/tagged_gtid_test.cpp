// MySQL 8.3+ tagged GTIDs on hand-built and captured bytes: the serialization library's
// variable-length integers (examples of libs/mysql/serialization/readme.md), GTID_TAGGED_LOG_EVENT
// (42) with known, ignorable and required unknown fields, tagged PREVIOUS_GTIDS, and GtidSet's
// tagged text and COM_BINLOG_DUMP_GTID encoding. Every truncated prefix is refused.
#include <doctest/doctest.h>

#include <variant>

#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/mysql_serialization.h"
#include "cdc/mysql/gtid_set.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using testing::Bytes;
using testing::put_int;

Bytes bytes(std::initializer_list<int> v) {
  Bytes out;
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

const DecodeContext kCtx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);
constexpr uint8_t kTagged = 42;
constexpr uint8_t kPrevious = 35;
const std::string kUuid = "77d1902c-01da-11f1-9a41-908d6e5f6e8d";

uint64_t unsigned_of(const Bytes& b) {
  ByteReader r(b);
  const uint64_t v = read_varlen_unsigned(r);
  REQUIRE(r.finish());
  return v;
}

int64_t signed_of(const Bytes& b) {
  ByteReader r(b);
  const int64_t v = read_varlen_signed(r);
  REQUIRE(r.finish());
  return v;
}

TEST_CASE("serialization varlen integers: the readme's examples, 1 to 9 bytes") {
  CHECK(unsigned_of(bytes({0x00})) == 0);
  CHECK(unsigned_of(bytes({0xfe})) == 127);
  CHECK(unsigned_of(bytes({0x01, 0x02})) == 128);
  CHECK(unsigned_of(bytes({0xfb, 0xff, 0x07})) == 65535);  // "00000111 11111111 11111011"
  CHECK(signed_of(bytes({0xf3, 0xff, 0x0f})) == 65535);    // "00001111 11111111 11110011"
  CHECK(signed_of(bytes({0xeb, 0xff, 0x0f})) == -65535);
  CHECK(signed_of(bytes({0xfb, 0xff, 0x0f})) == -65536);
  CHECK(unsigned_of(bytes({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})) ==
        (uint64_t{1} << 56) - 1);
  CHECK(unsigned_of(bytes({0xff, 0, 0, 0, 0, 0, 0, 0, 0x80})) == uint64_t{1} << 63);
  CHECK(unsigned_of(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})) == UINT64_MAX);
  // The count says more bytes than there are.
  for (const Bytes& b : {bytes({0x01}), bytes({0x7f, 1, 2}), bytes({0xff, 1, 2, 3, 4, 5, 6, 7})}) {
    ByteReader r(b);
    (void)read_varlen_unsigned(r);
    CHECK(r.finish().error().code == Errc::truncated);
  }
}

// GTID 77d1902c-01da-11f1-9a41-908d6e5f6e8d:test_tag:1 as Percona Server 8.4.11 wrote it
// (a captured event body, checksum stripped, published with a public binlog scanner's tests):
// version 1, size 62, last non-ignorable 0, fields 0 flags, 1 uuid, 2 gno, 3 tag,
// 4 last_committed, 5 sequence_number, 6 immediate commit, 8 transaction length 337,
// 9 server version 80411.
const Bytes kPerconaBody = bytes(
    {0x02, 0x7c, 0x00, 0x00, 0x02, 0x02, 0xee, 0x45, 0x03, 0x41, 0x02, 0x58, 0x02, 0x69, 0x03, 0x22,
     0xc5, 0x03, 0x69, 0x02, 0x82, 0x41, 0x02, 0x35, 0x02, 0xdc, 0xbe, 0xdc, 0x35, 0x02, 0x04, 0x04,
     0x06, 0x10, 0x74, 0x65, 0x73, 0x74, 0x5f, 0x74, 0x61, 0x67, 0x08, 0x00, 0x0a, 0x04, 0x0c, 0x7f,
     0x00, 0x3e, 0x89, 0x00, 0xfa, 0x5b, 0x06, 0x10, 0x45, 0x05, 0x12, 0xdb, 0xd0, 0x09});

TEST_CASE("GTID_TAGGED: a captured Percona Server 8.4 event") {
  REQUIRE(kPerconaBody.size() == 62);
  auto r = decode_event_body(kTagged, kPerconaBody, kCtx);
  REQUIRE_MESSAGE(r, r.error().to_string());
  const auto* g = std::get_if<MysqlGtidEvent>(&*r);
  REQUIRE(g != nullptr);
  CHECK(g->gtid() == kUuid + ":test_tag:1");
  CHECK(g->sid_key() == kUuid + ":test_tag");
  CHECK(g->flags == 1);
  CHECK(g->last_committed == 0);
  CHECK(g->sequence_number == 1);
  CHECK(g->immediate_commit_us == 1789979169209856);
  CHECK(g->original_commit_us == 1789979169209856);  // absent: the immediate one
  CHECK_FALSE(g->anonymous);
  for (size_t n = 0; n < kPerconaBody.size(); ++n) {
    CAPTURE(n);
    auto cut = decode_event_body(kTagged, std::span(kPerconaBody).first(n), kCtx);
    REQUIRE_FALSE(cut);
    CHECK((cut.error().code == Errc::truncated || cut.error().code == Errc::malformed));
  }
}

// A tagged GTID message from its fields (ids and encoded data), with its header.
Bytes message(uint8_t last_non_ignorable, const Bytes& fields) {
  Bytes out = bytes({0x02});  // version 1
  const size_t size = 3 + fields.size();
  REQUIRE(size < 128);
  out.push_back(static_cast<std::byte>(size << 1));
  out.push_back(static_cast<std::byte>(last_non_ignorable << 1));
  out.insert(out.end(), fields.begin(), fields.end());
  return out;
}

Bytes uuid_and_gno(int gno_encoded) {
  Bytes f = bytes({0x02});  // field 1: uuid, sixteen one-byte varlens of 0x11
  for (int i = 0; i < 16; ++i) f.push_back(std::byte{0x22});
  f.push_back(std::byte{0x04});  // field 2: gno
  f.push_back(static_cast<std::byte>(gno_encoded));
  return f;
}

std::string error_of(const Bytes& body) {
  auto r = decode_event_body(kTagged, body, kCtx);
  REQUIRE_FALSE(r);
  return r.error().message;
}

TEST_CASE("GTID_TAGGED: unknown fields are skipped unless required; bad fields refused") {
  const std::string uuid = "11111111-1111-1111-1111-111111111111";
  {
    Bytes f = uuid_and_gno(0x1c);  // gno 7: signed 7 is 14, a one-byte varlen 28
    for (int b : {0x06, 0x08, int{'b'}, int{'l'}, int{'u'}, int{'e'}})
      f.push_back(static_cast<std::byte>(b));
    for (int b : {0x20, 0x05, 0x03, 0x99}) f.push_back(static_cast<std::byte>(b));  // field 16
    auto r = decode_event_body(kTagged, message(0, f), kCtx);
    REQUIRE_MESSAGE(r, r.error().to_string());
    CHECK(std::get<MysqlGtidEvent>(*r).gtid() == uuid + ":blue:7");
    CHECK_FALSE(std::get<MysqlGtidEvent>(*r).last_committed);
  }
  Bytes required = uuid_and_gno(0x1c);
  for (int b : {0x20, 0x00}) required.push_back(static_cast<std::byte>(b));
  CHECK(error_of(message(16, required)) ==
        "GTID_TAGGED field 16 is unknown to this build and the server marks it required");
  CHECK(error_of(message(20, uuid_and_gno(0x1c))) ==
        "GTID_TAGGED field 20 is required by the server and missing or unknown");
  Bytes bad_tag = uuid_and_gno(0x1c);
  for (int b : {0x06, 0x04, int{'1'}, int{'x'}}) bad_tag.push_back(static_cast<std::byte>(b));
  CHECK(error_of(message(0, bad_tag)).find("GTID tag '1x'") != std::string::npos);
  Bytes long_tag = uuid_and_gno(0x1c);
  long_tag.push_back(std::byte{0x06});
  long_tag.push_back(std::byte{33 << 1});
  for (int i = 0; i < 33; ++i) long_tag.push_back(std::byte{'a'});
  CHECK(error_of(message(0, long_tag)).find("at most 32") != std::string::npos);
  CHECK(error_of(message(0, uuid_and_gno(0x00))).find("GTID number 0") != std::string::npos);
  CHECK(error_of(message(0, uuid_and_gno(0x02))).find("negative") != std::string::npos);
  Bytes backwards = uuid_and_gno(0x1c);
  for (int b : {0x02, 0x00}) backwards.push_back(static_cast<std::byte>(b));
  CHECK(error_of(message(0, backwards)).find("field id 1 after 2") != std::string::npos);
  CHECK(error_of(message(0, bytes({0x04, 0x04}))) == "GTID_TAGGED without its uuid or GTID number");
  Bytes v2 = message(0, uuid_and_gno(0x1c));
  v2[0] = std::byte{0x04};
  CHECK(error_of(v2).find("serialization format version 2") != std::string::npos);
  Bytes longer = message(0, uuid_and_gno(0x1c));
  longer.push_back(std::byte{0});
  CHECK(error_of(longer).find("in an event body of") != std::string::npos);
}

// PREVIOUS_GTIDS in the tagged format: `kUuid` untagged 1-5, and tagged blue 1-2 and 5-7.
Bytes tagged_previous_gtids() {
  Bytes b;
  put_int(b, (uint64_t{1} << 56) | (uint64_t{2} << 8) | 1, 8);
  const Bytes uuid = bytes({0x77, 0xd1, 0x90, 0x2c, 0x01, 0xda, 0x11, 0xf1, 0x9a, 0x41, 0x90, 0x8d,
                            0x6e, 0x5f, 0x6e, 0x8d});
  b.insert(b.end(), uuid.begin(), uuid.end());
  b.push_back(std::byte{0});  // no tag
  put_int(b, 1, 8);
  put_int(b, 1, 8);
  put_int(b, 6, 8);
  b.insert(b.end(), uuid.begin(), uuid.end());
  b.push_back(std::byte{4 << 1});
  testing::put_str(b, "blue");
  put_int(b, 2, 8);
  put_int(b, 1, 8);
  put_int(b, 3, 8);
  put_int(b, 5, 8);
  put_int(b, 8, 8);
  return b;
}

TEST_CASE("PREVIOUS_GTIDS in the tagged format; every prefix refused") {
  const Bytes full = tagged_previous_gtids();
  auto r = decode_event_body(kPrevious, full, kCtx);
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK(std::get<PreviousGtidsEvent>(*r).to_gtid_set() ==
        kUuid + ":1-5," + kUuid + ":blue:1-2:5-7");
  for (size_t n = 0; n < full.size(); ++n) {
    CAPTURE(n);
    auto cut = decode_event_body(kPrevious, std::span(full).first(n), kCtx);
    REQUIRE_FALSE(cut);
    CHECK((cut.error().code == Errc::truncated || cut.error().code == Errc::malformed));
  }
  Bytes format2 = full;
  format2[7] = std::byte{2};
  CHECK(decode_event_body(kPrevious, format2, kCtx).error().message == "PREVIOUS_GTIDS format 2");
  Bytes mismatch = full;
  mismatch[0] = std::byte{0};
  CHECK(decode_event_body(kPrevious, mismatch, kCtx).error().message ==
        "PREVIOUS_GTIDS tagged format byte 0 (expected 1)");
}

TEST_CASE("GtidSet: tagged text, and the tagged encoding PREVIOUS_GTIDS decodes back") {
  auto set = GtidSet::parse(kUuid + ":1-5:blue:1-2:5-7");
  REQUIRE(set);
  CHECK(set->to_string() == kUuid + ":1-5," + kUuid + ":blue:1-2:5-7");
  set->add_mysql(kUuid + ":blue", 3);
  CHECK(set->to_string() == kUuid + ":1-5," + kUuid + ":blue:1-3:5-7");
  auto encoded = set->encode_mysql();
  REQUIRE(encoded);
  const auto* p = reinterpret_cast<const std::byte*>(encoded->data());
  auto back = decode_event_body(kPrevious, std::span(p, encoded->size()), kCtx);
  REQUIRE_MESSAGE(back, back.error().to_string());
  CHECK(std::get<PreviousGtidsEvent>(*back).to_gtid_set() ==
        kUuid + ":1-5," + kUuid + ":blue:1-3:5-7");
  // Untagged sets keep the untagged format byte for byte.
  auto plain = GtidSet::parse(kUuid + ":1-5");
  REQUIRE(plain);
  CHECK(static_cast<uint8_t>((*plain->encode_mysql())[7]) == 0);
  CHECK(static_cast<uint8_t>((*plain->encode_mysql())[0]) == 1);
}

}  // namespace
}  // namespace cdc::mysql
