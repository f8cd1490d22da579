#include "state/checkpoint_codec.h"

#include <doctest/doctest.h>

#include <vector>

#include "cdc/core/byte_reader.h"

using namespace cdc;
using namespace cdc::state;

namespace {

std::vector<CheckpointRecord> sample_records() {
  return {
      CheckpointRecord{},
      CheckpointRecord{1, DatagenPosition{99}, "", 1714566896789},
      CheckpointRecord{42, MysqlPosition{{"mysql-bin.000042", 1337}, "0-1-100,1-2-7", 3, 12},
                       std::string("doris\0txn=17", 12), -5},
      CheckpointRecord{UINT64_MAX, PostgresPosition{Lsn{0x16B374D848}, Lsn{0x16B374D900}},
                       std::string(300, 'x'), INT64_MAX},
  };
}

bool same(const CheckpointRecord& a, const CheckpointRecord& b) {
  return a.id == b.id && a.position == b.position && a.sink_state == b.sink_state &&
         a.wall_time_ms == b.wall_time_ms;
}

}  // namespace

TEST_CASE("checkpoint codec round-trips every position kind") {
  for (const auto& record : sample_records()) {
    const std::string enc = encode_checkpoint(record);
    CHECK(static_cast<uint8_t>(enc[0]) == kCheckpointEncodingVersion);
    auto dec = decode_checkpoint(as_bytes(enc));
    REQUIRE_MESSAGE(dec, dec.error().to_string());
    CHECK(same(*dec, record));
  }
}

TEST_CASE("checkpoint codec: exact version-1 bytes") {
  // Pinned so that an accidental layout change (which would strand stored state) fails here.
  const CheckpointRecord record{0x0102, DatagenPosition{7}, "ab", 0x10};
  const std::string expected = std::string("\x01", 1) +                         // version
                               std::string("\x02\x01\0\0\0\0\0\0", 8) +         // id
                               std::string("\x10\0\0\0\0\0\0\0", 8) +           // wall_time_ms
                               std::string("\x0a\0\0\0", 4) +                   // position length
                               std::string("\x01\x01\x07\0\0\0\0\0\0\0", 10) +  // position
                               std::string("\x02\0\0\0", 4) + "ab";             // sink state
  CHECK(encode_checkpoint(record) == expected);
}

TEST_CASE("decode_checkpoint: no prefix of a valid record decodes, crashes or over-reads") {
  for (const auto& record : sample_records()) {
    const std::string enc = encode_checkpoint(record);
    for (size_t n = 0; n < enc.size(); ++n) {
      // A copy of exactly n bytes, so ASan sees any read past the prefix.
      const std::vector<std::byte> prefix(as_bytes(enc).begin(), as_bytes(enc).begin() + n);
      auto dec = decode_checkpoint(prefix);
      REQUIRE_FALSE(dec);
      CHECK((dec.error().code == Errc::truncated || dec.error().code == Errc::malformed));
    }
  }
}

TEST_CASE("decode_checkpoint rejects unknown versions, trailing bytes and huge lengths") {
  const std::string enc = encode_checkpoint(sample_records()[2]);
  std::string bad_version = enc;
  bad_version[0] = 2;
  auto v = decode_checkpoint(as_bytes(bad_version));
  REQUIRE_FALSE(v);
  CHECK(v.error().code == Errc::unsupported);

  auto t = decode_checkpoint(as_bytes(enc + "x"));
  REQUIRE_FALSE(t);
  CHECK(t.error().code == Errc::malformed);

  // The position length (offset 17) claims 4 GiB: malformed before any allocation.
  std::string huge = enc;
  huge[17] = huge[18] = huge[19] = huge[20] = '\xff';
  auto h = decode_checkpoint(as_bytes(huge));
  REQUIRE_FALSE(h);
  CHECK(h.error().code == Errc::malformed);

  // A damaged embedded position is reported, not accepted.
  std::string bad_pos = enc;
  bad_pos[22] = 77;  // position kind byte
  auto p = decode_checkpoint(as_bytes(bad_pos));
  REQUIRE_FALSE(p);
  CHECK(p.error().code == Errc::malformed);
}
