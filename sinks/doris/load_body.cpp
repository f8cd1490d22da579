#include "sinks/doris/load_body.h"

#include <algorithm>
#include <cstring>

namespace cdc::sinks::doris {

void LoadBody::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t used = size_ % kBlockSize;
    if (used == 0 && size_ / kBlockSize == blocks_.size()) {
      // for_overwrite: the block is written before it is read, no need to zero 1 MiB.
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockSize));
    }
    const size_t n = std::min(bytes.size(), kBlockSize - used);
    std::memcpy(blocks_[size_ / kBlockSize].get() + used, bytes.data(), n);
    size_ += n;
    bytes.remove_prefix(n);
  }
}

void LoadBody::clear() {
  blocks_.clear();
  blocks_.shrink_to_fit();
  size_ = 0;
}

size_t LoadBody::read(size_t at, char* out, size_t n) const {
  size_t copied = 0;
  while (copied < n && at < size_) {
    const size_t offset = at % kBlockSize;
    const size_t take = std::min({n - copied, kBlockSize - offset, size_ - at});
    std::memcpy(out + copied, blocks_[at / kBlockSize].get() + offset, take);
    copied += take;
    at += take;
  }
  return copied;
}

}  // namespace cdc::sinks::doris
