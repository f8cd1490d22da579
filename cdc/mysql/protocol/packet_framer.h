// PacketFramer: MySQL client/server packets out of a received byte stream, for the binlog dump
// read straight from a plain-text socket (MysqlConnection::read_event): one recv of up to
// kReadSize bytes where libmariadb's 16 kB read-ahead took a poll and a recv per two row events
// (a sixth of a catch-up's reader thread). A packet is a 3-byte little-endian payload length, a
// 1-byte sequence id, then the payload; a payload of 0xFFFFFF bytes continues in the next packet
// (MySQL client/server protocol, "Sending More Than 16Mb"), and ids count up by one modulo 256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::mysql {

class PacketFramer {
 public:
  static constexpr size_t kReadSize = 256 * 1024;
  static constexpr size_t kMaxPayload = 0xFFFFFF;

  // Room for at least kReadSize more bytes (or the rest of a packet larger than that); bytes
  // written there count once wrote() says how many. Invalidates what next() returned.
  std::span<std::byte> space();
  void wrote(size_t n) { end_ += n; }

  // The next whole payload (a multi-packet one joined), valid until the next call of next() or
  // space(); nullopt when it has not all arrived. Errors: a sequence id out of order.
  Result<std::optional<std::span<const std::byte>>> next();

  // Bytes received and not yet framed.
  size_t buffered() const { return end_ - begin_; }

 private:
  std::vector<std::byte> buf_;
  size_t begin_ = 0, end_ = 0;     // unframed bytes: buf_[begin_, end_)
  std::vector<std::byte> joined_;  // a multi-packet payload so far
  bool joining_ = false;
  std::optional<uint8_t> expected_seq_;  // unknown until the first packet
};

}  // namespace cdc::mysql
