// A blocking HTTP client for the CLI's calls to a running daemon (libcurl). Main thread only.
#pragma once

#include <string>

#include "cdc/core/result.h"

namespace cdc::daemon {

struct HttpAnswer {
  long code = 0;
  std::string body;
};

// `bearer` non-empty adds "Authorization: Bearer <bearer>". Errc::unavailable when nothing
// answers at `url` (connection refused, timeout: 30 s).
Result<HttpAnswer> http_call(const std::string& method, const std::string& url,
                             const std::string& bearer = {});

}  // namespace cdc::daemon
