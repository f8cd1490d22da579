#include "cdc/core/arena.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>

namespace cdc {

void* Arena::allocate(size_t bytes, size_t align) {
  // align is a power of two (alignof): the padding is a mask, not a division (this runs
  // once per decoded value).
  auto pad = [&](std::byte* p) { return (0 - reinterpret_cast<uintptr_t>(p)) & (align - 1); };
  if (cur_ == nullptr || pad(cur_) + bytes > left_) {
    // Chunks grow geometrically up to 1 MiB; a larger request gets a chunk of its own.
    const size_t size = std::max(bytes + align, next_chunk_);
    next_chunk_ = std::min<size_t>(next_chunk_ * 2, 1 << 20);
    // for_overwrite: every byte handed out is written by its user; zeroing 1 MiB chunks
    // cost more than the decoding that fills them.
    chunks_.push_back(Chunk{std::make_unique_for_overwrite<std::byte[]>(size), size});
    cur_ = chunks_.back().data.get();
    left_ = size;
    reserved_ += size;
  }
  const size_t p = pad(cur_);
  std::byte* out = cur_ + p;
  cur_ += p + bytes;
  left_ -= p + bytes;
  used_ += bytes;
  return out;
}

std::string_view Arena::copy(std::string_view s) {
  if (s.empty()) return {};
  char* p = static_cast<char*>(allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

std::span<const std::byte> Arena::copy(std::span<const std::byte> b) {
  auto s = copy(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

void tune_allocator_for_arenas() {
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

}  // namespace cdc
