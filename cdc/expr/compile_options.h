// CompileOptions: the engine's runtime policies (errors or NULL, time zone). A plain value.
#pragma once

#include <string>

namespace cdc::expr {

// Settings fixed at compile time; each compiled expression keeps its own copy.
struct CompileOptions {
  // Division or MOD by zero: SQL NULL (default) or a runtime error that stops the pipeline.
  bool division_by_zero_is_error = false;
  // Integer overflow in + - * and CAST: a runtime error (default) or NULL.
  bool overflow_is_null = false;
  // Zone for NOW(), DATE_FORMAT of timestamps, TO_TIMESTAMP and FROM_UNIXTIME. IANA name or
  // "+hh:mm". Default: UTC.
  std::string time_zone = "UTC";
};

}  // namespace cdc::expr
