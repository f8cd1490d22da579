// Problem: one thing wrong with a configuration file, located by file:line:col and key path.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace cdc::config {

struct Problem {
  std::string file;
  int line = 0;    // 1-based; 0 if unknown
  int column = 0;  // 1-based; 0 if unknown
  // Dotted path of the key, e.g. "source.port" or "pipelines[1].source.port"; "" for the file.
  std::string key_path;
  // What was expected and what was found; never holds a secret's value.
  std::string message;

  // "file:line:col: key.path: message"; the position and key parts are left out when unknown.
  std::string to_string() const;
  bool operator==(const Problem&) const = default;
};

// How many problems a load keeps and shows; the others are only counted.
inline constexpr size_t kShownProblems = 100;

// Collects problems, keeping the first `limit` in file order (those without a position first,
// then by line and column, ties in the order added) and counting the rest: memory stays bounded
// however many problems a file has, and add() costs O(log limit).
class ProblemList {
 public:
  ProblemList() = default;
  explicit ProblemList(size_t limit) : limit_(limit) {}
  void add(Problem p);
  size_t total() const { return total_; }
  bool empty() const { return total_ == 0; }
  // The kept problems in file order; the list is left empty.
  std::vector<Problem> take();

 private:
  struct Entry {
    Problem problem;
    size_t seq;
  };
  static bool before(const Entry& a, const Entry& b);

  size_t limit_ = kShownProblems;
  size_t total_ = 0;
  std::vector<Entry> heap_;  // max-heap by before(): the last kept problem on top
};

struct SourceLocation {
  int line = 0;  // 1-based; 0 if unknown
  int column = 0;
  bool operator==(const SourceLocation&) const = default;
};

// Where each key path's value (or mapping) was found in the file; lets validate() locate
// problems in structs it did not parse. Keys as in Problem::key_path.
using LocationMap = std::map<std::string, SourceLocation, std::less<>>;

}  // namespace cdc::config
