#include "config/units.h"

#include <array>
#include <limits>
#include <utility>

#include "cdc/core/text.h"

namespace cdc::config {
namespace {

struct NumberAndUnit {
  uint64_t number = 0;
  std::string unit;  // lower case, may be empty
};

// "<digits>[ ]*<unit>". The why-string on failure.
Result<NumberAndUnit> split(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return make_error(Errc::invalid_config, "empty value");
  if (s.front() == '-') return make_error(Errc::invalid_config, "must not be negative");
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return make_error(Errc::invalid_config, "out of range");
    }
    n = n * 10 + digit;
    ++i;
  }
  if (i == 0) return make_error(Errc::invalid_config, "no number");
  if (i < s.size() && s[i] == '.') {
    return make_error(Errc::invalid_config, "whole numbers only; use a smaller unit");
  }
  return NumberAndUnit{n, lower_ascii(trim(s.substr(i)))};
}

Result<uint64_t> scale(uint64_t n, uint64_t factor) {
  if (factor != 0 && n > std::numeric_limits<uint64_t>::max() / factor) {
    return make_error(Errc::invalid_config, "out of range");
  }
  return n * factor;
}

constexpr std::array<std::pair<std::string_view, uint64_t>, 9> kDurationUnits{{
    {"ms", 1},
    {"s", 1000},
    {"sec", 1000},
    {"min", 60'000},
    {"m", 60'000},
    {"h", 3'600'000},
    {"hour", 3'600'000},
    {"d", 86'400'000},
    {"day", 86'400'000},
}};

constexpr std::array<std::pair<std::string_view, uint64_t>, 13> kSizeUnits{{
    {"b", 1},
    {"", 1},
    {"k", 1ull << 10},
    {"kb", 1ull << 10},
    {"kib", 1ull << 10},
    {"m", 1ull << 20},
    {"mb", 1ull << 20},
    {"mib", 1ull << 20},
    {"g", 1ull << 30},
    {"gb", 1ull << 30},
    {"gib", 1ull << 30},
    {"tb", 1ull << 40},
    {"tib", 1ull << 40},
}};

Error duration_error(std::string_view text, const std::string& why) {
  return make_error(Errc::invalid_config,
                    "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found '" +
                        std::string(text) + "' (" + why + ")");
}

Error size_error(std::string_view text, const std::string& why) {
  return make_error(Errc::invalid_config,
                    "expected a size such as 512b, 64kb, 10mb or 1gb, found '" + std::string(text) +
                        "' (" + why + ")");
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto parts = split(text);
  if (!parts) return duration_error(text, parts.error().message);
  if (parts->unit.empty()) {
    return duration_error(text, "a unit is required: ms, s, min, h or d");
  }
  for (const auto& [unit, factor] : kDurationUnits) {
    if (unit != parts->unit) continue;
    auto ms = scale(parts->number, factor);
    if (!ms || *ms > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return duration_error(text, "out of range");
    }
    return std::chrono::milliseconds(static_cast<int64_t>(*ms));
  }
  return duration_error(text, "unknown unit '" + parts->unit + "'; use ms, s, min, h or d");
}

Result<uint64_t> parse_size(std::string_view text) {
  auto parts = split(text);
  if (!parts) return size_error(text, parts.error().message);
  for (const auto& [unit, factor] : kSizeUnits) {
    if (unit != parts->unit) continue;
    auto bytes = scale(parts->number, factor);
    if (!bytes) return size_error(text, "out of range");
    return *bytes;
  }
  return size_error(text, "unknown unit '" + parts->unit + "'; use b, kb, mb, gb or tb");
}

std::string format_duration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms != 0) {
    for (const auto& [unit, factor] : {std::pair<const char*, int64_t>{"d", 86'400'000},
                                       {"h", 3'600'000},
                                       {"min", 60'000},
                                       {"s", 1000}}) {
      if (ms % factor == 0) return std::to_string(ms / factor) + unit;
    }
  }
  return std::to_string(ms) + "ms";
}

std::string format_size(uint64_t bytes) {
  if (bytes != 0) {
    for (const auto& [unit, shift] :
         {std::pair<const char*, int>{"tb", 40}, {"gb", 30}, {"mb", 20}, {"kb", 10}}) {
      const uint64_t f = 1ull << shift;
      if (bytes % f == 0) return std::to_string(bytes / f) + unit;
    }
  }
  return std::to_string(bytes) + "b";
}

}  // namespace cdc::config
