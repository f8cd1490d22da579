#include "cdc/core/byte_reader.h"

#include <cstring>

namespace cdc {

uint64_t ByteReader::lenenc() {
  const uint8_t first = u8();
  if (failed_) return 0;
  if (first < 0xfb) return first;
  switch (first) {
    case 0xfc: return u16le();
    case 0xfd: return u24le();
    case 0xfe: return u64le();
    default:
      mark_malformed("length-encoded integer starts with 0x" +
                     std::string(first == 0xfb ? "fb (NULL)" : "ff"));
      return 0;
  }
}

std::string_view ByteReader::cstring() {
  if (failed_) return {};
  const void* nul = std::memchr(data_.data() + pos_, 0, data_.size() - pos_);
  if (nul == nullptr) {
    failed_ = true;
    fail_offset_ = pos_;
    fail_wanted_ = data_.size() - pos_ + 1;
    fail_left_ = data_.size() - pos_;
    return {};
  }
  const size_t len = static_cast<const std::byte*>(nul) - (data_.data() + pos_);
  auto s = string(len);
  skip(1);
  return s;
}

std::string_view ByteReader::rest() { return string(remaining()); }

void ByteReader::skip(size_t n) {
  const std::byte* p = nullptr;
  (void)take(
      n, &p);  // ignored because a failed skip is recorded in the reader and reported by finish()
}

ByteReader ByteReader::sub(size_t n) {
  auto b = bytes(n);
  ByteReader child(b);
  if (failed_)
    child.failed_ = true, child.fail_offset_ = fail_offset_, child.fail_wanted_ = fail_wanted_,
    child.fail_left_ = fail_left_;
  return child;
}

void ByteReader::mark_malformed(std::string why) {
  if (failed_) return;
  failed_ = true;
  fail_offset_ = pos_;
  malformed_ = std::move(why);
}

Status ByteReader::finish(bool allow_trailing) const {
  if (failed_) {
    if (!malformed_.empty()) {
      return make_error(Errc::malformed, malformed_ + " at offset " + std::to_string(fail_offset_));
    }
    return make_error(Errc::truncated, "needed " + std::to_string(fail_wanted_) +
                                           " bytes at offset " + std::to_string(fail_offset_) +
                                           ", " + std::to_string(fail_left_) + " left");
  }
  if (!allow_trailing && pos_ != data_.size()) {
    return make_error(Errc::malformed, std::to_string(data_.size() - pos_) +
                                           " unexpected trailing bytes at offset " +
                                           std::to_string(pos_));
  }
  return {};
}

}  // namespace cdc
