#include "cdc/core/arena.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>

namespace cdc {

void* Arena::allocate_in_new_chunk(size_t bytes, size_t align) {
  // Chunks grow geometrically up to 256 KiB; a larger request gets a chunk of its own. The cap
  // bounds what a batch reserves beyond what it uses (a 520 kB batch reserved 1 MiB with a
  // 1 MiB cap, 752 kB with this one), and a queue of full batches is most of the daemon's
  // memory in a catch-up.
  const size_t size = std::max(bytes + align, next_chunk_);
  next_chunk_ = std::min<size_t>(next_chunk_ * 2, 256 << 10);
  // for_overwrite: every byte handed out is written by its user; zeroing the chunks cost more
  // than the decoding that fills them.
  chunks_.push_back(Chunk{std::make_unique_for_overwrite<std::byte[]>(size), size});
  cur_ = chunks_.back().data.get();
  left_ = size;
  reserved_ += size;
  return allocate(bytes, align);  // fits now: the chunk holds bytes + align
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
