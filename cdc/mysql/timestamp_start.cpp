#include "cdc/mysql/timestamp_start.h"

#include <optional>
#include <string>
#include <vector>

#include "cdc/mysql/binlog/control_events.h"
#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/protocol/dump_request.h"

namespace cdc::mysql {

namespace {

// Once the scan has caught up with the server, no event comes: this long of silence ends it.
constexpr std::chrono::milliseconds kCaughtUp{1500};

bool is_transaction_start(uint8_t type) {
  return type == static_cast<uint8_t>(EventType::mariadb_gtid) ||
         type == static_cast<uint8_t>(EventType::gtid) ||
         type == static_cast<uint8_t>(EventType::gtid_tagged) ||
         type == static_cast<uint8_t>(EventType::anonymous_gtid);
}

// A dump of `file` from its start, for reading event headers.
Result<std::unique_ptr<MysqlConnection>> open_dump(const ConnectOptions& connect,
                                                   const DecodeContext& ctx, uint32_t server_id,
                                                   const std::string& file) {
  CDC_TRY_ASSIGN(auto dump, MysqlConnection::connect(connect));
  CDC_TRY(dump->execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
  if (ctx.flavor == Flavor::mariadb) CDC_TRY(dump->execute("SET @mariadb_slave_capability = 4"));
  CDC_TRY(dump->start_binlog_dump(server_id, BinlogPosition{file, 4}, 0));
  return dump;
}

// Header timestamp (seconds) of the FORMAT_DESCRIPTION that opens `file`.
Result<uint32_t> file_opened_at(const ConnectOptions& connect, const DecodeContext& ctx,
                                uint32_t server_id, const std::string& file) {
  CDC_TRY_ASSIGN(auto dump, open_dump(connect, ctx, server_id, file));
  for (int k = 0; k < 4; ++k) {  // a fake ROTATE (and on MariaDB nothing else) comes first
    CDC_TRY_ASSIGN(auto raw, dump->read_event(connect.read_timeout));
    if (!raw) break;
    CDC_TRY_ASSIGN(const EventHeader h, decode_event_header(*raw));
    if (h.type == static_cast<uint8_t>(EventType::format_description)) return h.timestamp;
  }
  return make_error(Errc::malformed, "no FORMAT_DESCRIPTION at the start of binlog " + file);
}

}  // namespace

Result<BinlogPosition> find_binlog_position_at(const ConnectOptions& connect,
                                               MysqlConnection& query, const DecodeContext& ctx,
                                               uint32_t server_id, int64_t at_ms) {
  const int64_t at_seconds = at_ms <= 0 ? 0 : (at_ms + 999) / 1000;
  CDC_TRY_ASSIGN(auto logs, query.query("SHOW BINARY LOGS"));
  std::vector<std::string> files;
  for (const auto& row : logs) {
    if (!row.empty() && row[0]) files.push_back(*row[0]);
  }
  CDC_TRY_ASSIGN(auto status, query.query("SHOW MASTER STATUS"));
  if (files.empty() || status.empty() || status[0].size() < 2 || !status[0][0] || !status[0][1]) {
    return make_error(Errc::invalid_config,
                      "SHOW BINARY LOGS / SHOW MASTER STATUS returned nothing: is log_bin on?");
  }
  const BinlogPosition end{*status[0][0], std::stoull(*status[0][1])};

  // The newest file opened strictly before the time: every older file ended before it, so holds
  // nothing that late. (A file opened in that very second may follow one with events of it.)
  size_t first = 0;
  for (size_t i = files.size(); i-- > 0;) {
    CDC_TRY_ASSIGN(const uint32_t opened, file_opened_at(connect, ctx, server_id, files[i]));
    if (opened < at_seconds) {
      first = i;
      break;
    }
  }

  CDC_TRY_ASSIGN(auto dump, open_dump(connect, ctx, server_id, files[first]));
  DecodeContext event_ctx = ctx;
  std::string file = files[first];
  while (true) {
    CDC_TRY_ASSIGN(auto raw, dump->read_event(kCaughtUp));
    if (!raw) return end;  // caught up: nothing written at or after the time yet
    CDC_TRY_ASSIGN(const EventHeader h, decode_event_header(*raw));
    if (h.type == static_cast<uint8_t>(EventType::format_description)) {
      CDC_TRY_ASSIGN(auto fde, decode_format_description(*raw));
      event_ctx = fde.to_context();
      continue;
    }
    if (h.type == static_cast<uint8_t>(EventType::rotate)) {
      CDC_TRY_ASSIGN(auto stripped, strip_checksum(*raw, event_ctx.checksum));
      CDC_TRY_ASSIGN(auto rotate, decode_rotate(event_body(stripped, event_ctx), event_ctx));
      file = std::string(rotate.next_file);
      continue;
    }
    if (h.log_pos == 0) continue;  // artificial events (GTID list, heartbeats) have no place
    if (is_transaction_start(h.type) && int64_t{h.timestamp} >= at_seconds) {
      return position_in(file, h.start_offset());
    }
    if (file > end.file || (file == end.file && h.log_pos >= end.offset)) return end;
  }
}

}  // namespace cdc::mysql
