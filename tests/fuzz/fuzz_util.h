// Helpers shared by the fuzz targets (tests/fuzz/*_fuzz.cpp): the invariant check that aborts
// (so libFuzzer and the replay driver both report it with a stack), span adapters, and the
// rule that a pure decoder only ever fails with a "bad bytes" code. Header-only; no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "cdc/core/result.h"

// An invariant that must hold for EVERY input (not a decode error: those are fine). Active in
// all builds: the replay tests run in Release.
#define FUZZ_CHECK(cond, what)                                                                \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, what);                                                              \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

namespace cdc::fuzz {

inline std::span<const std::byte> bytes_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

// A pure decoder refuses bad bytes with truncated/malformed/unsupported (STYLE.md "Errors");
// anything else (internal above all) means the decoder has a bug or breaks its contract.
inline bool is_bad_bytes_error(const Error& e) {
  return e.code == Errc::truncated || e.code == Errc::malformed || e.code == Errc::unsupported;
}

// A view handed out by a decoder must point into the bytes it was given.
inline bool within(std::string_view view, std::span<const std::byte> buf) {
  if (view.empty()) return true;
  const auto* b = reinterpret_cast<const char*>(buf.data());
  return view.data() >= b && view.data() + view.size() <= b + buf.size();
}
inline bool within(std::span<const std::byte> view, std::span<const std::byte> buf) {
  if (view.empty()) return true;
  return view.data() >= buf.data() && view.data() + view.size() <= buf.data() + buf.size();
}

}  // namespace cdc::fuzz
