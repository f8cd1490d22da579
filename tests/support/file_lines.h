// Reading what a file sink wrote, for tests: its lines, and the ids of its upsert lines.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace cdc::testing {

inline std::vector<std::string> file_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Ids of the upsert lines {"key":{"id":N},...}, in file order; another line fails the test.
inline std::vector<long> upsert_ids(const std::string& path) {
  std::vector<long> ids;
  for (const std::string& line : file_lines(path)) {
    REQUIRE(line.rfind("{\"key\":{\"id\":", 0) == 0);
    ids.push_back(std::strtol(line.c_str() + 13, nullptr, 10));
  }
  return ids;
}

}  // namespace cdc::testing
