// The bodies of the two requests that start a binlog stream (the command byte is added by
// the client library). Pure functions, so the exact bytes are unit-tested without a server.
//   COM_BINLOG_DUMP (0x12):      pos u32, flags u16, server_id u32, file name (rest)
//   COM_BINLOG_DUMP_GTID (0x1e): flags u16, server_id u32, name length u32, name, pos u64,
//                                then with BINLOG_THROUGH_GTID: data length u32, SID block
// (MySQL client/server protocol, "COM_BINLOG_DUMP" and "COM_BINLOG_DUMP_GTID"; the SID block
// is GtidSet::encode_mysql()). All integers little-endian.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"

namespace cdc::mysql {

inline constexpr uint8_t kComBinlogDumpGtid = 0x1e;
inline constexpr uint16_t kDumpSendAnnotateRows = 2;  // MariaDB: BINLOG_SEND_ANNOTATE_ROWS_EVENT
inline constexpr uint16_t kDumpThroughGtid = 4;       // MySQL: BINLOG_THROUGH_GTID

// The COM_BINLOG_DUMP flags. MariaDB sends ANNOTATE_ROWS only when asked, so they are asked
// for only when the statements are wanted; MySQL has no such flag (its ROWS_QUERY events
// follow binlog_rows_query_log_events on the server).
uint16_t binlog_dump_flags(Flavor flavor, bool include_query);

// Errors: invalid_config for an offset COM_BINLOG_DUMP cannot carry (beyond 4 GiB).
Result<std::string> binlog_dump_request(uint32_t server_id, const BinlogPosition& from,
                                        uint16_t flags);
// Starts after every transaction in the SID block (from the first binlog file that has one
// not in it), so no file name and position 4.
std::string binlog_dump_gtid_request(uint32_t server_id, std::string_view sid_block);

}  // namespace cdc::mysql
