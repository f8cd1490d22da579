// Test helpers: load a fixture binlog and split it into raw events (walking event_size), and a
// BinlogStream over events without checksums from the start of a file.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog_stream.h"

namespace cdc::mysql::testing {

inline std::vector<std::byte> load_fixture(const std::string& rel) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/" + rel, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << rel);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  for (size_t i = 0; i < c.size(); ++i) out[i] = static_cast<std::byte>(c[i]);
  return out;
}

struct RawEvent {
  uint64_t offset;
  std::span<const std::byte> bytes;
};

// Splits a binlog file (4-byte magic, then events) into raw events.
inline std::vector<RawEvent> split_events(const std::vector<std::byte>& file) {
  std::vector<RawEvent> out;
  REQUIRE(file.size() >= 4);
  size_t pos = 4;
  while (pos + 19 <= file.size()) {
    const uint32_t size =
        static_cast<uint32_t>(file[pos + 9]) | static_cast<uint32_t>(file[pos + 10]) << 8 |
        static_cast<uint32_t>(file[pos + 11]) << 16 | static_cast<uint32_t>(file[pos + 12]) << 24;
    REQUIRE(size >= 19);
    REQUIRE(pos + size <= file.size());
    out.push_back({pos, std::span<const std::byte>(file).subspan(pos, size)});
    pos += size;
  }
  return out;
}

// A stream over `tables` from `file`:4, decoding events without checksums (hand-built ones and
// the captures without CRC32).
inline BinlogStream stream_from_start(BinlogStreamConfig config, TableMapCache& tables,
                                      const std::string& file, Flavor flavor) {
  MysqlPosition start;
  start.binlog = BinlogPosition{file, 4};
  return BinlogStream(std::move(config), tables,
                      DecodeContext::v4_defaults(ChecksumAlg::off, flavor), start, GtidSet{});
}

}  // namespace cdc::mysql::testing
