// Loading a sluice YAML file into a validated ConfigFile. Thread-safe (no shared state).
// Never throws: every problem, including YAML syntax errors and unreadable files, is returned.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/environment.h"
#include "config/pipeline_config.h"
#include "config/problem.h"

namespace cdc::config {

struct LoadOutcome {
  // Set only when `problems` is empty; then it is normalized and validated.
  std::optional<ConfigFile> config;
  // Every problem found in one pass, in file order where known.
  std::vector<Problem> problems;
  bool ok() const { return config.has_value(); }
};

// Reads and loads `path`; `${VAR}` is looked up in `env`.
LoadOutcome load_file(const std::string& path, const Environment& env = process_environment());
// Loads YAML text; `display_name` stands for the file in problems and in ConfigFile::path.
LoadOutcome load_string(std::string_view yaml, std::string display_name,
                        const Environment& env = process_environment());

}  // namespace cdc::config
