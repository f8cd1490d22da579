// Logging: one named spdlog logger per module, writing to stderr. Thread-safe.
// error = an operator must act; warn = degraded but continuing; info = lifecycle;
// debug = per batch; trace = per event. Row values and secrets never above debug.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace cdc::log {

std::shared_ptr<spdlog::logger> get(std::string_view module);
// "trace", "debug", "info", "warn", "error", "off"; false for an unknown name.
bool set_level(std::string_view level);
// "text" (default: "2024-05-01T12:34:56.789 info [pipeline] message") or "json" (one object per
// line, cdc/core/log_line.h), for every logger, existing and future; false for an unknown name.
bool set_format(std::string_view format);

}  // namespace cdc::log
