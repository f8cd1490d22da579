// ProblemList: the first problems in file order are kept, the rest only counted.
#include <doctest/doctest.h>

#include "config/problem.h"

using namespace cdc::config;

namespace {
Problem at(int line, int column, std::string message) {
  return Problem{"f.yaml", line, column, "", std::move(message)};
}
}  // namespace

TEST_CASE("ProblemList keeps the first `limit` problems in file order and counts every one") {
  ProblemList list(3);
  list.add(at(9, 1, "i"));
  list.add(at(2, 5, "b"));
  list.add(at(0, 0, "no position"));     // sorts first
  list.add(at(2, 5, "b, added later"));  // same position: kept after "b"
  list.add(at(7, 1, "g"));
  list.add(at(1, 1, "a"));
  CHECK(list.total() == 6);
  std::vector<std::string> kept;
  for (const Problem& p : list.take()) kept.push_back(p.message);
  CHECK(kept == std::vector<std::string>{"no position", "a", "b"});
  CHECK(list.empty());
}

TEST_CASE("ProblemList with fewer problems than its limit keeps them all, ties in order added") {
  ProblemList list;
  for (int i = 0; i < 5; ++i) list.add(at(4, 2, std::to_string(i)));
  std::vector<std::string> kept;
  for (const Problem& p : list.take()) kept.push_back(p.message);
  CHECK(kept == std::vector<std::string>{"0", "1", "2", "3", "4"});
}
