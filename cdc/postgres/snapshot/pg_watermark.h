// The high watermark of a PostgreSQL re-snapshot window: a logical decoding message
// (pg_logical_emit_message) with prefix kWatermarkPrefix whose content names the window:
// "<instance>:<window>:<pipeline>" (instance: 16 hex digits, random per source; window: a
// decimal count; pipeline: the rest). Every source streaming the database receives every such
// message; each acts on its own current window only and delivers none of them. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::postgres {

inline constexpr std::string_view kWatermarkPrefix = "sluice_watermark";

struct WatermarkId {
  uint64_t instance = 0;
  uint64_t window = 0;
  std::string pipeline;
  friend bool operator==(const WatermarkId&, const WatermarkId&) = default;
};

std::string encode_watermark(const WatermarkId& id);
// An error names what is malformed (a message of the prefix that no sluice wrote).
Result<WatermarkId> parse_watermark(std::string_view content);

}  // namespace cdc::postgres
