// Where StartupMode::timestamp starts reading: the first transaction written at or after a
// point in time, found on the server's own binlog files. Runs on the caller's thread and opens
// short-lived dump connections of its own (each closed before returning).
#pragma once

#include <cstdint>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"
#include "cdc/mysql/protocol/mysql_connection.h"

namespace cdc::mysql {

// The start of the first transaction (its GTID event: MariaDB GTID, MySQL GTID or ANONYMOUS_GTID)
// whose event header timestamp is at or after `at_ms` (milliseconds since the epoch; binlog
// timestamps have whole seconds, so `at_ms` is rounded up to the next second). The scan reads from
// the start of the newest file whose FORMAT_DESCRIPTION (written when the file was opened) is
// from an earlier second, else of the oldest file the server still has. When no
// transaction that late exists yet, the result is the server's current end (SHOW MASTER STATUS):
// streaming starts with the next transaction. `query` is a plain connection to the same server;
// `ctx` its checksum setting; `server_id` the replica id the dumps register with (the dumps run
// one at a time and are closed, so the source's own dump can use it afterwards).
Result<BinlogPosition> find_binlog_position_at(const ConnectOptions& connect,
                                               MysqlConnection& query, const DecodeContext& ctx,
                                               uint32_t server_id, int64_t at_ms);

}  // namespace cdc::mysql
