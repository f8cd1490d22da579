// The JSON form of a log line (`sluice run --log-format json`): one object per line with
// time, level, logger, pipeline, message and fields, for log shippers. The context prefix our
// messages start with ("[pipeline=orders pos=mysql-bin.000042:1337] ...", STYLE.md) is split
// into `pipeline` and `fields`. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::log {

// Appends the line (with '\n') to `out`. `unix_ms`: the record's wall time.
void append_json_line(std::string& out, int64_t unix_ms, std::string_view level,
                      std::string_view logger, std::string_view message);

}  // namespace cdc::log
