// PacketFramer: the MySQL packets of a plain-text binlog dump out of the bytes recv() gave, in
// any split: whole payloads in order, a 16 MB multi-packet payload joined, sequence ids checked.
#include "cdc/mysql/protocol/packet_framer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace cdc::mysql {
namespace {

std::vector<std::byte> packet(size_t len, uint8_t seq, uint8_t fill) {
  std::vector<std::byte> p = {std::byte(len & 0xFF), std::byte((len >> 8) & 0xFF),
                              std::byte((len >> 16) & 0xFF), std::byte(seq)};
  p.resize(4 + len, std::byte(fill));
  return p;
}

// As recv() would: as much as space() offers at a time.
void feed(PacketFramer& f, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    auto space = f.space();
    REQUIRE_FALSE(space.empty());
    const size_t n = std::min(space.size(), bytes.size());
    std::copy_n(bytes.begin(), n, space.begin());
    f.wrote(n);
    bytes = bytes.subspan(n);
  }
}

// Every payload the framer gives for `stream` fed `step` bytes at a time, as "fill x len".
std::vector<std::string> frame(const std::vector<std::byte>& stream, size_t step) {
  PacketFramer f;
  std::vector<std::string> out;
  for (size_t at = 0; at < stream.size(); at += step) {
    feed(f, std::span(stream).subspan(at, std::min(step, stream.size() - at)));
    while (true) {
      auto p = f.next();
      REQUIRE(p);
      if (!*p) break;
      const auto& payload = **p;
      out.push_back(payload.empty() ? "empty"
                                    : std::to_string(static_cast<int>(payload[0])) + " x " +
                                          std::to_string(payload.size()));
    }
  }
  CHECK(f.buffered() == 0);
  return out;
}

TEST_CASE("PacketFramer: payloads in order whatever the reads' sizes") {
  std::vector<std::byte> stream;
  for (const auto& p :
       {packet(5, 1, 0x00), packet(300, 2, 0x01), packet(0, 3, 0), packet(9000, 4, 0x02)}) {
    stream.insert(stream.end(), p.begin(), p.end());
  }
  const std::vector<std::string> want = {"0 x 5", "1 x 300", "empty", "2 x 9000"};
  for (size_t step : {1, 3, 4, 7, 1000, 100000}) {
    CAPTURE(step);
    CHECK(frame(stream, step) == want);
  }
}

TEST_CASE("PacketFramer: a payload of 0xFFFFFF bytes continues in the next packet") {
  std::vector<std::byte> stream = packet(PacketFramer::kMaxPayload, 7, 0x03);
  const auto rest = packet(10, 8, 0x04);
  stream.insert(stream.end(), rest.begin(), rest.end());
  const auto exact = packet(PacketFramer::kMaxPayload, 9, 0x05);  // then an empty packet ends it
  stream.insert(stream.end(), exact.begin(), exact.end());
  const auto end = packet(0, 10, 0);
  stream.insert(stream.end(), end.begin(), end.end());
  const auto after = packet(2, 11, 0x06);
  stream.insert(stream.end(), after.begin(), after.end());
  CHECK(frame(stream, 1 << 20) ==
        std::vector<std::string>{"3 x 16777225", "5 x 16777215", "6 x 2"});
}

TEST_CASE("PacketFramer: a sequence id out of order is an error naming both ids") {
  PacketFramer f;
  std::vector<std::byte> stream = packet(1, 255, 0);
  for (const auto& p : {packet(1, 0, 0), packet(1, 2, 0)})
    stream.insert(stream.end(), p.begin(), p.end());
  feed(f, stream);
  REQUIRE(f.next());  // 255
  REQUIRE(f.next());  // 0: ids wrap at 256
  auto bad = f.next();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::malformed);
  CHECK(bad.error().message.find("sequence id 2, expected 1") != std::string::npos);
}

TEST_CASE("PacketFramer: room for the rest of a packet larger than one read") {
  PacketFramer f;
  const auto big = packet(3 * PacketFramer::kReadSize, 0, 0x07);
  feed(f, std::span(big).first(10));
  CHECK(f.space().size() >= big.size() - 10);
  feed(f, std::span(big).subspan(10));
  auto p = f.next();
  REQUIRE(p);
  REQUIRE(*p);
  CHECK((*p)->size() == 3 * PacketFramer::kReadSize);
}

}  // namespace
}  // namespace cdc::mysql
