#include "cdc/core/arena.h"

#include <doctest/doctest.h>

#include <string>

#include "cdc/core/value.h"

TEST_CASE("Arena copies strings and arrays that stay valid while it lives") {
  cdc::Arena arena(64);
  std::vector<std::string_view> views;
  for (int i = 0; i < 1000; ++i) views.push_back(arena.copy("value-" + std::to_string(i)));
  for (int i = 0; i < 1000; ++i) CHECK(views[i] == "value-" + std::to_string(i));
  auto values = arena.make_array<cdc::Value>(10);
  CHECK(values.size() == 10);
  CHECK(reinterpret_cast<uintptr_t>(values.data()) % alignof(cdc::Value) == 0);
  CHECK(values[3].is_null());
  const size_t used = arena.bytes_used();
  auto unset = arena.make_array_for_overwrite<cdc::Value>(7);  // aligned room, not constructed
  CHECK(unset.size() == 7);
  CHECK(reinterpret_cast<uintptr_t>(unset.data()) % alignof(cdc::Value) == 0);
  CHECK(arena.bytes_used() == used + 7 * sizeof(cdc::Value));
  CHECK(arena.make_array_for_overwrite<cdc::Value>(0).empty());
  CHECK(arena.copy(std::string_view()).empty());
  auto big = arena.copy(std::string(3 << 20, 'x'));  // larger than any chunk
  CHECK(big.size() == (3u << 20));
  CHECK(arena.bytes_used() >= (3u << 20));
}

TEST_CASE("Arena aligns every allocation, within a chunk and at the start of a new one") {
  cdc::Arena arena(48);  // small: most requests below open a new chunk
  size_t total = 0;
  for (size_t i = 1; i <= 300; ++i) {
    const size_t align = size_t{1} << (i % 6);  // 1 .. 32
    auto* p = static_cast<std::byte*>(arena.allocate(i % 97, align));
    CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
    for (size_t j = 0; j < i % 97; ++j) p[j] = std::byte{0x5a};  // writable (ASan checks bounds)
    total += i % 97;
  }
  CHECK(arena.bytes_used() == total);
  CHECK(arena.bytes_reserved() >= total);
}
