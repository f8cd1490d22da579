#include "cdc/mysql/protocol/packet_framer.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "cdc/core/byte_reader.h"

namespace cdc::mysql {

namespace {
constexpr size_t kHeader = 4;
}  // namespace

std::span<std::byte> PacketFramer::space() {
  // What the packet at begin_ still needs, when its header has arrived: a large event is
  // received whole into one buffer rather than in kReadSize pieces that each move it.
  size_t need = kReadSize;
  if (buffered() >= kHeader) {
    ByteReader h(std::span<const std::byte>(buf_.data() + begin_, kHeader));
    need = std::max(need, kHeader + h.u24le());
  }
  if (begin_ == end_) {
    begin_ = end_ = 0;
    if (buf_.size() > 4 * kReadSize) buf_ = {};  // after a large event: back to the usual size
  }
  if (buf_.size() - end_ < need) {
    if (begin_ > 0) {  // move the unframed tail to the front
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < need) buf_.resize(end_ + need);
  }
  return std::span<std::byte>(buf_.data() + end_, buf_.size() - end_);
}

Result<std::optional<std::span<const std::byte>>> PacketFramer::next() {
  using Out = std::optional<std::span<const std::byte>>;
  if (!joining_ && joined_.capacity() > 4 * kReadSize) joined_ = {};  // the last one is taken
  while (buffered() >= kHeader) {
    ByteReader h(std::span<const std::byte>(buf_.data() + begin_, kHeader));
    const size_t len = h.u24le();
    const uint8_t seq = h.u8();
    if (buffered() < kHeader + len) return Out{};
    if (expected_seq_ && seq != *expected_seq_) {
      return make_error(Errc::malformed, "binlog stream packet has sequence id " +
                                             std::to_string(seq) + ", expected " +
                                             std::to_string(*expected_seq_) +
                                             " (packets out of order)");
    }
    expected_seq_ = static_cast<uint8_t>(seq + 1);
    const std::span<const std::byte> payload(buf_.data() + begin_ + kHeader, len);
    begin_ += kHeader + len;
    if (len == kMaxPayload) {  // continued in the next packet
      if (!joining_) joined_.clear();
      joining_ = true;
      joined_.insert(joined_.end(), payload.begin(), payload.end());
      continue;
    }
    if (!joining_) return Out{payload};
    joining_ = false;
    joined_.insert(joined_.end(), payload.begin(), payload.end());
    return Out{std::span<const std::byte>(joined_)};
  }
  return Out{};
}

}  // namespace cdc::mysql
