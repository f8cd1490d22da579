// Golden files: compare what a test produced with a file checked into tests/fixtures/, or
// rewrite that file when SLUICE_UPDATE_GOLDEN=1 (then review the diff before committing it).
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace cdc::testing {

inline void check_golden_file(const std::string& path, const std::string& actual) {
  if (const char* update = std::getenv("SLUICE_UPDATE_GOLDEN");
      update != nullptr && std::string_view(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote " << path);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(),
                  "missing golden file " << path << " (SLUICE_UPDATE_GOLDEN=1 writes it)");
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK_MESSAGE(ss.str() == actual, "golden mismatch: " << path << "\nactual:\n" << actual);
}

}  // namespace cdc::testing
