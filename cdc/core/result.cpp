#include "cdc/core/result.h"

#include <cstdio>
#include <cstdlib>

namespace cdc {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::truncated: return "truncated";
    case Errc::malformed: return "malformed";
    case Errc::unsupported: return "unsupported";
    case Errc::io: return "io";
    case Errc::timeout: return "timeout";
    case Errc::unavailable: return "unavailable";
    case Errc::invalid_config: return "invalid_config";
    case Errc::auth: return "auth";
    case Errc::fenced: return "fenced";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const { return std::string(cdc::to_string(code)) + ": " + message; }

void check_failed(const char* cond, const char* why, const char* file, int line) {
  std::fprintf(stderr, "sluice: internal check failed at %s:%d: %s (%s)\n", file, line, cond, why);
  std::abort();
}

}  // namespace cdc
