// TRANSACTION_PAYLOAD (40): hand-built payload events around the real inner events of the
// MySQL 8.0.28 capture (compressed here with libzstd, or stored with compression NONE), corrupt
// frames, size mismatches, the size cap, header errors, inner-event framing, and a truncation
// sweep. The capture itself is decoded in binlog_fixture_test.cpp.
#include <doctest/doctest.h>

#include <zstd.h>

#include <string>
#include <vector>

#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/transaction_payload.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using testing::load_fixture;
using testing::split_events;

const DecodeContext kCtx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);

// The 960 bytes of events inside the capture's payload (QUERY, TABLE_MAP, UPDATE_ROWS_V2, XID).
std::vector<std::byte> inner_events() {
  const auto file = load_fixture("mysql/mysql-binlog-connector-java/mysql-bin.compressed");
  const auto events = split_events(file);
  REQUIRE(events.size() == 5);
  auto stripped = strip_checksum(events[3].bytes, ChecksumAlg::crc32);
  REQUIRE(stripped);
  auto tp = decode_transaction_payload(stripped->subspan(kEventHeaderLength), kCtx);
  REQUIRE_MESSAGE(tp, tp.error().to_string());
  auto out = decompress_transaction_payload(*tp, 1 << 20);
  REQUIRE_MESSAGE(out, out.error().to_string());
  REQUIRE(out->size() == 960);
  return std::move(*out);
}

std::vector<std::byte> zstd(const std::vector<std::byte>& in) {
  std::vector<std::byte> out(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

void put_lenenc(std::vector<std::byte>& out, uint64_t v) {
  if (v < 251) {
    out.push_back(static_cast<std::byte>(v));
    return;
  }
  REQUIRE(v < (1 << 24));
  const int n = v < 65536 ? 2 : 3;
  out.push_back(std::byte{n == 2 ? 0xfc : 0xfd});
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}
// One header field as Transaction_payload::encode writes it: type, length of the value, value.
void put_field(std::vector<std::byte>& out, uint64_t type, uint64_t value) {
  std::vector<std::byte> v;
  put_lenenc(v, value);
  put_lenenc(out, type);
  put_lenenc(out, v.size());
  out.insert(out.end(), v.begin(), v.end());
}

struct Fields {
  std::optional<uint64_t> compression, uncompressed, size;
};
// Field order as MySQL 8.0.28 writes it (see the capture): compression, uncompressed, size.
std::vector<std::byte> payload_body(const Fields& f, const std::vector<std::byte>& payload) {
  std::vector<std::byte> body;
  if (f.compression) put_field(body, 2, *f.compression);
  if (f.uncompressed) put_field(body, 3, *f.uncompressed);
  if (f.size) put_field(body, 1, *f.size);
  body.push_back(std::byte{0});  // end mark
  body.insert(body.end(), payload.begin(), payload.end());
  return body;
}

std::vector<uint8_t> inner_types(std::span<const std::byte> events) {
  std::vector<uint8_t> types;
  PayloadEventReader reader(events);
  while (true) {
    auto next = reader.next();
    REQUIRE_MESSAGE(next, next.error().to_string());
    if (!next->has_value()) break;
    auto ev = decode_event(**next, transaction_payload_context(kCtx));
    REQUIRE_MESSAGE(ev, ev.error().to_string());
    types.push_back(ev->header.type);
  }
  return types;
}

Error payload_error(const std::vector<std::byte>& body, uint64_t cap = 1 << 20) {
  auto tp = decode_event_body(40, body, kCtx);
  if (!tp) return std::move(tp).error();
  auto out = decompress_transaction_payload(std::get<TransactionPayloadEvent>(*tp), cap);
  REQUIRE_FALSE(out);
  return std::move(out).error();
}

const std::vector<uint8_t> kTypes = {2, 19, 31, 16};

TEST_CASE("TRANSACTION_PAYLOAD with ZSTD compressed here: the same four inner events") {
  const auto inner = inner_events();
  const auto packed = zstd(inner);
  const auto body = payload_body({0, inner.size(), packed.size()}, packed);
  auto ev = decode_event_body(40, body, kCtx);
  REQUIRE_MESSAGE(ev, ev.error().to_string());
  const auto& tp = std::get<TransactionPayloadEvent>(*ev);
  CHECK(tp.compression == PayloadCompression::zstd);
  CHECK(tp.uncompressed_size == 960);
  auto out = decompress_transaction_payload(tp, 960);  // exactly at the cap is fine
  REQUIRE_MESSAGE(out, out.error().to_string());
  CHECK(*out == inner);
  CHECK(inner_types(*out) == kTypes);
}

TEST_CASE("TRANSACTION_PAYLOAD with compression NONE, two transactions' events back to back") {
  auto inner = inner_events();
  const auto once = inner;
  inner.insert(inner.end(), once.begin(), once.end());
  for (const Fields& f :
       {Fields{255, std::nullopt, inner.size()}, Fields{255, inner.size(), inner.size()}}) {
    const auto body = payload_body(f, inner);
    auto ev = decode_event_body(40, body, kCtx);
    REQUIRE_MESSAGE(ev, ev.error().to_string());
    auto out = decompress_transaction_payload(std::get<TransactionPayloadEvent>(*ev), 1 << 20);
    REQUIRE(out);
    CHECK(*out == inner);
    CHECK(inner_types(*out) == std::vector<uint8_t>{2, 19, 31, 16, 2, 19, 31, 16});
  }
  const auto e = payload_error(payload_body({255, 5, inner.size()}, inner));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message == "uncompressed payload of 1920 bytes declares an uncompressed size of 5");
}

TEST_CASE("TRANSACTION_PAYLOAD: a corrupt ZSTD frame, wrong sizes and the cap are errors") {
  const auto inner = inner_events();
  auto packed = zstd(inner);
  auto corrupt = packed;
  corrupt[0] ^= std::byte{0xff};  // the frame magic
  auto e = payload_error(payload_body({0, inner.size(), corrupt.size()}, corrupt));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message.find("corrupt ZSTD payload: ") == 0);

  e = payload_error(payload_body({0, 961, packed.size()}, packed));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message == "ZSTD payload yields 960 bytes, the header declares 961");
  e = payload_error(payload_body({0, 959, packed.size()}, packed));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message == "ZSTD payload yields more than the declared 959 bytes");

  e = payload_error(payload_body({0, inner.size(), packed.size()}, packed), 959);
  CHECK(e.code == Errc::unsupported);
  CHECK(e.message ==
        "transaction payload of 960 uncompressed bytes is above the limit of 959 "
        "(raise source transaction-payload.max-size)");

  // A frame cut short: the header agrees with the bytes there are, the frame does not end.
  const std::vector<std::byte> cut(packed.begin(), packed.end() - 3);
  e = payload_error(payload_body({0, inner.size(), cut.size()}, cut));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message.find("ZSTD payload ends inside a frame") == 0);
}

TEST_CASE("TRANSACTION_PAYLOAD header: missing, duplicate, unknown and inconsistent fields") {
  const std::vector<std::byte> data(10, std::byte{0});
  auto e = payload_error(payload_body({255, std::nullopt, std::nullopt}, data));
  CHECK(e.message == "payload header without a payload size");
  e = payload_error(payload_body({0, std::nullopt, 10}, data));
  CHECK(e.message == "ZSTD payload header without an uncompressed size");
  e = payload_error(payload_body({1, 10, 10}, data));
  CHECK(e.code == Errc::unsupported);
  CHECK(e.message == "payload compression type 1 (known: 0 = ZSTD, 255 = NONE)");
  e = payload_error(payload_body({255, 10, 11}, data));
  CHECK(e.code == Errc::truncated);
  CHECK(e.message == "payload size 11 but 10 bytes follow the header");
  e = payload_error(payload_body({255, 10, 9}, data));
  CHECK(e.code == Errc::malformed);

  std::vector<std::byte> dup;
  put_field(dup, 1, 0);
  put_field(dup, 1, 0);
  dup.push_back(std::byte{0});
  e = payload_error(dup);
  CHECK(e.message == "payload header field 1 twice");

  // A field of a newer server is skipped by its length.
  std::vector<std::byte> unknown;
  put_field(unknown, 9, 123456);
  put_field(unknown, 1, 0);
  unknown.push_back(std::byte{0});
  auto ev = decode_event_body(40, unknown, kCtx);
  REQUIRE_MESSAGE(ev, ev.error().to_string());
  CHECK(std::get<TransactionPayloadEvent>(*ev).payload.empty());
}

TEST_CASE("TRANSACTION_PAYLOAD: inner events are framed by event_size") {
  auto inner = inner_events();
  // Event 1 (TABLE_MAP at payload offset 76) claims 18 bytes: below the header.
  auto bad = inner;
  bad[76 + 9] = std::byte{18};
  bad[76 + 10] = bad[76 + 11] = bad[76 + 12] = std::byte{0};
  PayloadEventReader reader(bad);
  REQUIRE(reader.next());
  auto r = reader.next();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::malformed);
  CHECK(r.error().message ==
        "inner event 1 at payload offset 76: event_size 18 is below the header length");

  PayloadEventReader cut{std::span<const std::byte>(inner).first(inner.size() - 1)};
  for (int i = 0; i < 3; ++i) REQUIRE(cut.next());
  r = cut.next();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::truncated);
  CHECK(r.error().message ==
        "inner event 3 at payload offset 933: event_size 27 but only 26 bytes left in the payload");
}

TEST_CASE("TRANSACTION_PAYLOAD: every prefix of a body is refused") {
  const auto inner = inner_events();
  const auto packed = zstd(inner);
  for (const auto& body : {payload_body({0, inner.size(), packed.size()}, packed),
                           payload_body({255, inner.size(), inner.size()}, inner)}) {
    for (size_t n = 0; n < body.size(); ++n) {
      CAPTURE(n);
      auto r = decode_event_body(40, std::span(body).first(n), kCtx);
      REQUIRE_FALSE(r);
      CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
    }
  }
}

}  // namespace
}  // namespace cdc::mysql
