// Problem: one thing wrong with a configuration file, located by file:line:col and key path.
#pragma once

#include <map>
#include <string>

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

struct SourceLocation {
  int line = 0;  // 1-based; 0 if unknown
  int column = 0;
  bool operator==(const SourceLocation&) const = default;
};

// Where each key path's value (or mapping) was found in the file; lets validate() locate
// problems in structs it did not parse. Keys as in Problem::key_path.
using LocationMap = std::map<std::string, SourceLocation, std::less<>>;

}  // namespace cdc::config
