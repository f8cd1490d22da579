// Private to config/: validate() that skips keys the loader already reported, so one mistake
// gives one problem.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "config/problem.h"

namespace cdc::config::detail {

std::vector<Problem> validate(const ConfigFile& file, const LocationMap& where,
                              const std::set<std::string, std::less<>>& already_reported);

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
inline std::string join_path(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  return std::string(prefix) + "." + std::string(key);
}

}  // namespace cdc::config::detail
