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
  // The problems found in one pass, in file order where known: the first kShownProblems.
  std::vector<Problem> problems;
  // How many more were found and left out of `problems`.
  size_t more_problems = 0;
  bool ok() const { return config.has_value(); }
};

// The largest configuration file load_file reads (16 MiB); a larger one is refused unread.
inline constexpr size_t kMaxConfigFileBytes = 16u << 20;

// Reads and loads `path`; `${VAR}` is looked up in `env`.
LoadOutcome load_file(const std::string& path, const Environment& env = process_environment());
// Loads YAML text; `display_name` stands for the file in problems and in ConfigFile::path.
LoadOutcome load_string(std::string_view yaml, std::string display_name,
                        const Environment& env = process_environment());

}  // namespace cdc::config
