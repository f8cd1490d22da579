#include "cdc/mysql/binlog/mariadb_compressed.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/event_header.h"

namespace cdc::mysql {
namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes_of(std::string_view s) {
  Bytes b(s.size());
  for (size_t i = 0; i < s.size(); ++i) b[i] = static_cast<std::byte>(s[i]);
  return b;
}

void put_le(Bytes& b, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<std::byte>(v >> (8 * i)));
}

// A whole event: v4 common header (log_pos 1000), body, CRC32 trailer when `crc`.
Bytes make_event(uint8_t type, const Bytes& body, bool crc = true) {
  Bytes e;
  put_le(e, 1700000000, 4);
  e.push_back(static_cast<std::byte>(type));
  put_le(e, 1, 4);
  put_le(e, 19 + body.size() + (crc ? 4 : 0), 4);
  put_le(e, 1000, 4);
  put_le(e, 0, 2);
  e.insert(e.end(), body.begin(), body.end());
  if (crc) {
    put_le(e, ::crc32(0, reinterpret_cast<const Bytef*>(e.data()), static_cast<uInt>(e.size())), 4);
  }
  return e;
}

// MariaDB's compressed record of `plain`: 0x80 | length bytes, the length big-endian, zlib.
Bytes compressed_record(const Bytes& plain, uint8_t length_bytes = 0) {
  uLongf cap = compressBound(static_cast<uLong>(plain.size()));
  Bytes z(cap);
  REQUIRE(::compress(reinterpret_cast<Bytef*>(z.data()), &cap,
                     reinterpret_cast<const Bytef*>(plain.data()),
                     static_cast<uLong>(plain.size())) == Z_OK);
  z.resize(cap);
  if (length_bytes == 0) length_bytes = plain.size() < 256 ? 1 : plain.size() < 65536 ? 2 : 3;
  Bytes rec{static_cast<std::byte>(0x80 | length_bytes)};
  for (int i = length_bytes - 1; i >= 0; --i)
    rec.push_back(static_cast<std::byte>(plain.size() >> (8 * i)));
  rec.insert(rec.end(), z.begin(), z.end());
  return rec;
}

// WRITE_ROWS_V1 fields before the rows: table id 42, flags STMT_END, 2 columns, both present.
Bytes rows_prefix(bool update) {
  Bytes b;
  put_le(b, 42, 6);
  put_le(b, 1, 2);
  b.push_back(std::byte{2});
  b.push_back(std::byte{0x03});
  if (update) b.push_back(std::byte{0x03});
  return b;
}

Bytes rows_images(int n) {  // n images of (INT, INT), no nulls
  Bytes b;
  for (int i = 0; i < n; ++i) {
    b.push_back(std::byte{0});
    put_le(b, static_cast<uint64_t>(i), 4);
    put_le(b, static_cast<uint64_t>(i * 7), 4);
  }
  return b;
}

const DecodeContext kCtx = DecodeContext::v4_defaults(ChecksumAlg::crc32, Flavor::mariadb);

TEST_CASE("WRITE/UPDATE/DELETE_ROWS_COMPRESSED_V1 inflate to the exact v1 event") {
  for (const auto& [compressed, plain_type] : {std::pair{166, 23}, {167, 24}, {168, 25}}) {
    CAPTURE(compressed);
    const Bytes prefix = rows_prefix(compressed == 167);
    const Bytes images = rows_images(100);  // 900 bytes: a 2-byte length
    Bytes plain_body = prefix, z_body = prefix;
    plain_body.insert(plain_body.end(), images.begin(), images.end());
    const Bytes rec = compressed_record(images);
    z_body.insert(z_body.end(), rec.begin(), rec.end());
    const Bytes z_event = make_event(static_cast<uint8_t>(compressed), z_body);
    CHECK(z_event.size() < make_event(static_cast<uint8_t>(plain_type), plain_body).size());
    auto inflated = inflate_mariadb_compressed_event(z_event, kCtx, 1 << 20);
    REQUIRE_MESSAGE(inflated, inflated.error().to_string());
    CHECK(*inflated == make_event(static_cast<uint8_t>(plain_type), plain_body));
    auto ev = decode_event(*inflated, kCtx);
    REQUIRE(ev);
    const auto& rows = std::get<RowsEvent>(ev->body);
    CHECK(rows.table_id == 42);
    CHECK(rows.rows.size() == images.size());
  }
}

TEST_CASE("WRITE_ROWS_COMPRESSED (v2, with extra data) inflates to the exact WRITE_ROWS_V2 event") {
  Bytes prefix;
  put_le(prefix, 42, 6);
  put_le(prefix, 1, 2);
  put_le(prefix, 5, 2);  // extra data length, its own two bytes included
  prefix.insert(prefix.end(), {std::byte{0}, std::byte{1}, std::byte{2}});
  prefix.push_back(std::byte{2});
  prefix.push_back(std::byte{0x03});
  const Bytes images = rows_images(30);
  Bytes plain = prefix, z = prefix;
  plain.insert(plain.end(), images.begin(), images.end());
  const Bytes rec = compressed_record(images, 4);  // 4 length bytes are valid too
  z.insert(z.end(), rec.begin(), rec.end());
  auto inflated = inflate_mariadb_compressed_event(make_event(169, z), kCtx, 1 << 20);
  REQUIRE_MESSAGE(inflated, inflated.error().to_string());
  CHECK(*inflated == make_event(30, plain));
  auto ev = decode_event(*inflated, kCtx);
  REQUIRE(ev);
  CHECK(std::get<RowsEvent>(ev->body).extra_data.size() == 3);
}

TEST_CASE("QUERY_COMPRESSED inflates to the exact QUERY event") {
  Bytes prefix;
  put_le(prefix, 7, 4);               // thread id
  put_le(prefix, 0, 4);               // exec time
  prefix.push_back(std::byte{4});     // db length
  put_le(prefix, 0, 2);               // error code
  put_le(prefix, 3, 2);               // status vars length
  prefix.push_back(std::byte{0x00});  // Q_FLAGS2_CODE ...
  put_le(prefix, 0, 2);
  const Bytes db = bytes_of(std::string_view("test\0", 5));
  prefix.insert(prefix.end(), db.begin(), db.end());
  const Bytes query = bytes_of("INSERT INTO t VALUES ('" + std::string(300, 'q') + "')");
  Bytes plain = prefix, z = prefix;
  plain.insert(plain.end(), query.begin(), query.end());
  const Bytes rec = compressed_record(query);
  z.insert(z.end(), rec.begin(), rec.end());
  auto inflated = inflate_mariadb_compressed_event(make_event(165, z), kCtx, 1 << 20);
  REQUIRE_MESSAGE(inflated, inflated.error().to_string());
  CHECK(*inflated == make_event(2, plain));
}

TEST_CASE("compressed events: every prefix and every bad record is an error, never a crash") {
  const DecodeContext no_crc = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mariadb);
  const Bytes images = rows_images(3);
  Bytes body = rows_prefix(false);
  const Bytes rec = compressed_record(images);
  body.insert(body.end(), rec.begin(), rec.end());
  const Bytes full = make_event(166, body, /*crc=*/false);
  REQUIRE(inflate_mariadb_compressed_event(full, no_crc, 1 << 20));
  for (size_t n = 0; n < full.size(); ++n) {
    CAPTURE(n);
    auto r = inflate_mariadb_compressed_event(std::span(full).first(n), no_crc, 1 << 20);
    REQUIRE_FALSE(r);
    CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed ||
           r.error().code == Errc::internal));
  }
  const size_t rec_at = 19 + rows_prefix(false).size();
  auto with_head = [&](uint8_t head) {
    Bytes b = full;
    b[rec_at] = static_cast<std::byte>(head);
    return inflate_mariadb_compressed_event(b, no_crc, 1 << 20);
  };
  CHECK(with_head(0x01).error().code == Errc::malformed);    // no 0x80 flag
  CHECK(with_head(0x80).error().code == Errc::malformed);    // 0 length bytes
  CHECK(with_head(0x91).error().code == Errc::unsupported);  // algorithm 1
  CHECK(with_head(0x91).error().message.find("algorithm 1") != std::string::npos);
  Bytes wrong_len = full;
  wrong_len[rec_at + 1] = static_cast<std::byte>(images.size() + 1);
  CHECK(inflate_mariadb_compressed_event(wrong_len, no_crc, 1 << 20).error().code ==
        Errc::malformed);
  auto too_big = inflate_mariadb_compressed_event(full, no_crc, images.size() - 1);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code == Errc::unsupported);
  Bytes bad_crc = make_event(166, body);
  bad_crc.back() ^= std::byte{1};
  CHECK(inflate_mariadb_compressed_event(bad_crc, kCtx, 1 << 20).error().code == Errc::malformed);
}

}  // namespace
}  // namespace cdc::mysql
