#include "cdc/core/regex.h"

namespace cdc {

Result<std::regex> compile_regex(const std::string& pattern, RegexCase letter_case) {
  auto flags = std::regex::ECMAScript | std::regex::optimize;
  if (letter_case == RegexCase::insensitive) flags |= std::regex::icase;
  try {
    return std::regex(pattern, flags);
  } catch (const std::regex_error& e) {
    return make_error(Errc::invalid_config, e.what());
  }
}

}  // namespace cdc
