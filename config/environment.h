// Environment: where `${VAR}` in a configuration value is looked up. Injectable so that tests
// need not touch the process environment.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::config {

using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment (getenv). Not thread-safe against concurrent setenv.
Environment process_environment();
// A fixed map; for tests and embedding.
Environment map_environment(std::map<std::string, std::string, std::less<>> vars);

// Expands `${VAR}` and `${VAR:-default}` (default used when VAR is unset or empty); `$${` gives a
// literal `${`. Errc::invalid_config for an unset VAR without default (the message names VAR),
// an unterminated `${` or a bad variable name. The message never contains `text` itself.
Result<std::string> expand_env(std::string_view text, const Environment& env);

}  // namespace cdc::config
