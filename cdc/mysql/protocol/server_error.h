// Which Errc a MySQL/MariaDB error number gets, that is whether the runner retries it
// (ARCHITECTURE.md, "Cross-cutting concerns": retryable errors are retried with backoff, all
// others stop). Server errors (1000-1999) are retried unless they say the statement itself or
// the objects it names are wrong: retrying those repeats the same failure forever.
#pragma once

#include "cdc/core/result.h"

namespace cdc::mysql {

Errc server_error_code(unsigned error_number);

}  // namespace cdc::mysql
