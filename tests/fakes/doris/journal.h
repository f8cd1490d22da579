// Journal: the Doris test server's data dir (`--data-dir`), one file of JSON lines appended in
// the order the server's state changed: DDL statements, loads with their rows, 2PC commits,
// publishes and aborts. Replaying it in order rebuilds the catalog and the transactions, so
// that committed loads survive a kill -9 of the server as they survive an FE and BE restart in
// Doris (the FE journals transaction states in its edit log, the BE keeps loaded rowsets).
// Each record is one write(2) of one line: a killed process loses none it wrote (the page
// cache keeps it), and a torn last line cannot occur short of a machine crash, which the test
// server does not model (no fsync). Not thread-safe: the server's lock guards it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::testing::doris {

class Journal {
 public:
  // Opens (creating) <dir>/journal after calling `replay` with each complete line already in
  // it, in order; a line `replay` refuses stops the open with that error and the line number.
  static Result<std::unique_ptr<Journal>> open(
      const std::string& dir, const std::function<Status(std::string_view line)>& replay);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends `line` and a newline with one write(2).
  Status append(std::string_view line);

 private:
  explicit Journal(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace cdc::testing::doris
