// decode_event on hand-built events of types sluice does not decode: with LOG_EVENT_IGNORABLE_F
// (0x80) in the header an IgnorableEvent, without it Errc::unsupported naming the type; INCIDENT
// stops whatever its flags say. Every truncated prefix is refused, never read past.
#include <doctest/doctest.h>

#include <variant>

#include "cdc/mysql/binlog/binlog_event.h"
#include "tests/unit/mysql/binlog_bytes.h"

namespace cdc::mysql {
namespace {

using testing::Bytes;
using testing::put_int;

// A v4 event, CRC32 off, at offset 1000.
Bytes event(uint8_t type, uint16_t flags, size_t body_size) {
  Bytes ev;
  put_int(ev, 1700000000, 4);
  ev.push_back(static_cast<std::byte>(type));
  put_int(ev, 1, 4);
  put_int(ev, 19 + body_size, 4);
  put_int(ev, 1000 + 19 + body_size, 4);
  put_int(ev, flags, 2);
  ev.insert(ev.end(), body_size, std::byte{0x5A});
  return ev;
}

const DecodeContext kCtx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);

TEST_CASE("decode_event: an unknown type with LOG_EVENT_IGNORABLE_F is an IgnorableEvent") {
  for (uint8_t type : {uint8_t{43}, uint8_t{120}, uint8_t{200}, uint8_t{255}}) {
    CAPTURE(type);
    auto r = decode_event(event(type, 0x80, 12), kCtx);
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    const auto* ig = std::get_if<IgnorableEvent>(&r->body);
    REQUIRE(ig != nullptr);
    CHECK(ig->type == type);
    CHECK(r->header.flags == 0x80);

    auto plain = decode_event(event(type, 0x00, 12), kCtx);
    REQUIRE_FALSE(plain.has_value());
    CHECK(plain.error().code == Errc::unsupported);
    CHECK(plain.error().message ==
          "binlog event type UNKNOWN (" + std::to_string(type) + ") is not supported");
  }
  // Known types sluice leaves undecoded are passed over the same way when the server says so.
  auto ctx_event = decode_event(event(36, 0x80, 8), kCtx);  // TRANSACTION_CONTEXT
  REQUIRE(ctx_event.has_value());
  CHECK(std::get_if<IgnorableEvent>(&ctx_event->body) != nullptr);
}

TEST_CASE("decode_event: INCIDENT stops even with LOG_EVENT_IGNORABLE_F") {
  auto r = decode_event(event(26, 0x80, 6), kCtx);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message ==
        "binlog event type INCIDENT (26) is not supported (the server logged an incident: "
        "replicas must stop)");
}

TEST_CASE("decode_event: no truncated prefix of an ignorable event decodes") {
  const Bytes full = event(200, 0x80, 10);
  for (size_t n = 0; n < full.size(); ++n) {
    CAPTURE(n);
    Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = decode_event(prefix, kCtx);
    REQUIRE_FALSE(r.has_value());
    CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
  }
  REQUIRE(decode_event(full, kCtx).has_value());
}

}  // namespace
}  // namespace cdc::mysql
