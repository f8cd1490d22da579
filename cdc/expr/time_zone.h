// TimeZone: how the expression engine turns TIMESTAMP_LTZ (UTC instants) into local fields and
// back: UTC, a fixed offset ("+08:00"), or an IANA zone ("Asia/Shanghai") read once from the
// system's TZif files (RFC 8536; $TZDIR or /usr/share/zoneinfo). Immutable after parse();
// copies share the transition table. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::expr {

class TimeZone {
 public:
  TimeZone() = default;  // UTC

  // "UTC", "Z", "GMT", "+hh:mm", "-hhmm", "UTC+h", or an IANA name. Errors say why (unknown
  // name, unreadable or malformed TZif file).
  static Result<TimeZone> parse(std::string_view text);

  // Offset from UTC in seconds at the UTC instant `utc_seconds`.
  int32_t offset_at_utc(int64_t utc_seconds) const;
  // Offset that applies to the local wall time `local_seconds`. In a DST overlap the earlier
  // (pre-transition) offset; in a gap the pre-transition offset, which moves the time forward
  // by the gap (java.time's LocalDateTime.atZone does the same).
  int32_t offset_for_local(int64_t local_seconds) const;

  // Decodes a TZif (v1 or v2+) file's bytes. Exposed for tests.
  static Result<TimeZone> from_tzif(std::string_view bytes, std::string_view name);

 private:
  struct Rules {
    std::vector<int64_t> transitions;  // UTC seconds, ascending
    std::vector<int32_t> offsets;      // offset from transitions[i] on
    int32_t initial = 0;               // before the first transition
  };
  int32_t fixed_ = 0;
  std::shared_ptr<const Rules> rules_;
};

}  // namespace cdc::expr
