// MariaDB's compressed binlog events (log_bin_compress=ON, MariaDB >= 10.2.3): QUERY_COMPRESSED
// (165) and WRITE/UPDATE/DELETE_ROWS_COMPRESSED_V1 (166..168, of the v1 rows events MariaDB
// writes) and _COMPRESSED (169..171, of the v2 ones). inflate_mariadb_compressed_event() turns one
// into the uncompressed event it stands for, so the ordinary decoders read it. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"

namespace cdc::mysql {

bool is_mariadb_compressed(uint8_t type);
// QUERY for QUERY_COMPRESSED, WRITE_ROWS_V1 for WRITE_ROWS_COMPRESSED_V1, and so on.
uint8_t mariadb_uncompressed_type(uint8_t type);

// `raw` is a whole compressed event (common header, body, CRC32 trailer when ctx says so). The
// result is the equivalent uncompressed event: the same header fields (timestamp, server id,
// log_pos, flags) but the uncompressed type and the new event_size, the same post-header and
// leading fields, the inflated query text or row images, and a fresh CRC32 trailer when ctx has
// checksums. Positions must still be taken from the original event's header (its size is the
// one on disk). The compressed record (log_event.cc binlog_buf_uncompress) is one byte
// 0x80 | algorithm << 4 | length-bytes (algorithm 0 = zlib, 1..4 length bytes), the
// uncompressed length big-endian, then a zlib stream. Errors: truncated, malformed (bad CRC,
// bad record, inflated size differs), unsupported (another algorithm); an uncompressed length
// above `max_bytes` is refused before anything is allocated.
Result<std::vector<std::byte>> inflate_mariadb_compressed_event(std::span<const std::byte> raw,
                                                                const DecodeContext& ctx,
                                                                uint64_t max_bytes);

}  // namespace cdc::mysql
