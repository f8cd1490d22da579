// The events a server writes around statement-based changes (binlog_format=STATEMENT, or
// MIXED when a statement is safe to log as text): INTVAR, RAND and USER_VAR give the context
// of the QUERY that follows (LAST_INSERT_ID()/AUTO_INCREMENT, RAND() seeds, @variables);
// BEGIN_LOAD_QUERY, APPEND_BLOCK and DELETE_FILE carry a LOAD DATA file's bytes, and
// EXECUTE_LOAD_QUERY is the LOAD DATA statement itself. Layouts: MySQL libbinlogevents
// (statement_events.h, load_data_events.h) and MariaDB log_event.h. Pure decoders over the
// event body (post-header + payload, checksum stripped); views point into the body.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/control_events.h"
#include "cdc/mysql/binlog/decode_context.h"

namespace cdc::mysql {

struct IntvarEvent {
  enum Kind : uint8_t { invalid = 0, last_insert_id = 1, insert_id = 2 };
  uint8_t kind = invalid;
  uint64_t value = 0;
};
Result<IntvarEvent> decode_intvar(std::span<const std::byte> body, const DecodeContext& ctx);

struct RandEvent {
  uint64_t seed1 = 0;
  uint64_t seed2 = 0;
};
Result<RandEvent> decode_rand(std::span<const std::byte> body, const DecodeContext& ctx);

struct UserVarEvent {
  std::string_view name;
  bool is_null = false;
  uint8_t value_type = 0;  // Item_result: 0 STRING, 1 REAL, 2 INT, 4 DECIMAL
  uint32_t charset = 0;    // collation id of a string value
  std::span<const std::byte> value;
  uint8_t flags = 0;  // bit 0: an unsigned INT (absent before MySQL 5.6 / MariaDB 10.0)
};
Result<UserVarEvent> decode_user_var(std::span<const std::byte> body, const DecodeContext& ctx);

// BEGIN_LOAD_QUERY (17) and APPEND_BLOCK (9): a block of a LOAD DATA file; DELETE_FILE (11):
// the file is dropped (its LOAD DATA failed). `data` is empty for DELETE_FILE.
struct LoadBlockEvent {
  uint8_t type = 0;
  uint32_t file_id = 0;
  std::span<const std::byte> data;
};
Result<LoadBlockEvent> decode_load_block(uint8_t type, std::span<const std::byte> body,
                                         const DecodeContext& ctx);

// EXECUTE_LOAD_QUERY (18): a QUERY whose post-header adds file_id, the span of the statement
// that names the file (MariaDB: " LOCAL INFILE '<file>' IGNORE INTO", what mariadb-binlog
// rewrites to its own temporary file) and the duplicate handling (0 error, 1 ignore, 2 replace).
struct ExecuteLoadQueryEvent {
  QueryEvent query;
  uint32_t file_id = 0;
  uint32_t fn_pos_start = 0;
  uint32_t fn_pos_end = 0;
  uint8_t dup_handling = 0;
};
inline constexpr uint8_t kExecuteLoadQueryPostHeaderLength = kQueryPostHeaderLength + 13;
Result<ExecuteLoadQueryEvent> decode_execute_load_query(std::span<const std::byte> body,
                                                        const DecodeContext& ctx);

}  // namespace cdc::mysql
