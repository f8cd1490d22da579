// Durations and sizes as written in configuration files.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::config {

// "500ms", "1s", "5min", "2h", "1d", also "10 s"; units ms|s|sec|min|h|d, case-insensitive.
// A unit is required: a plain "5" is an error. Errc::invalid_config on a bad or overflowing value;
// the message reads "expected a duration ..., found '<text>' (<why>)".
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// "512b", "64kb", "10mb", "1gb", "1tb" (also k/m/g/t, kib/mib/...), case-insensitive, binary
// multiples of 1024; a plain integer is bytes. Errc::invalid_config on a bad or overflowing value.
Result<uint64_t> parse_size(std::string_view text);

// Shortest exact spelling: "1s", "1500ms", "5min".
std::string format_duration(std::chrono::milliseconds d);
// Shortest exact spelling: "64mb", "1000b".
std::string format_size(uint64_t bytes);

}  // namespace cdc::config
