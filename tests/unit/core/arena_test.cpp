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
  CHECK(arena.copy(std::string_view()).empty());
  auto big = arena.copy(std::string(3 << 20, 'x'));  // larger than any chunk
  CHECK(big.size() == (3u << 20));
  CHECK(arena.bytes_used() >= (3u << 20));
}
