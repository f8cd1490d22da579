// EventHeader: the 19-byte v4 common header of every binlog event, and the CRC32 trailer check
// that runs before any body is parsed (STYLE.md: verify and strip first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"
#include "cdc/mysql/binlog_offset.h"

namespace cdc::mysql {

inline constexpr uint32_t kEventHeaderLength = 19;
inline constexpr size_t kEventTypeOffset = 4;              // after the timestamp
inline constexpr uint16_t kLogEventArtificialFlag = 0x20;  // fake ROTATE / FDE

struct EventHeader {
  uint32_t timestamp = 0;  // seconds since the epoch (0 on a fake rotate)
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // whole event incl. header and checksum
  uint32_t log_pos = 0;     // position of the NEXT event in the file (0 on artificial events)
  uint16_t flags = 0;
  // Offset of this event in its file (log_pos - event_size), 0 when log_pos is 0.
  BinlogOffset start_offset() const {
    return BinlogOffset{log_pos >= event_size ? log_pos - event_size : 0};
  }
  BinlogOffset next_offset() const { return BinlogOffset{log_pos}; }
};

// Decodes the common header. `event` is the whole raw event; checks event_size == event.size().
Result<EventHeader> decode_event_header(std::span<const std::byte> event);

// Verifies the CRC32 trailer of a whole raw event (when alg is crc32) and returns the event
// without it. Errc::malformed on a mismatch, Errc::truncated when shorter than header + trailer.
Result<std::span<const std::byte>> strip_checksum(std::span<const std::byte> event,
                                                  ChecksumAlg alg);

// The post-header + body of an event whose checksum has already been stripped.
inline std::span<const std::byte> event_body(std::span<const std::byte> event_without_crc,
                                             const DecodeContext& ctx) {
  const size_t h = ctx.header_length;
  return event_without_crc.size() >= h ? event_without_crc.subspan(h)
                                       : std::span<const std::byte>{};
}

}  // namespace cdc::mysql
