// The streaming replication protocol's CopyData payloads around pgoutput (PostgreSQL docs,
// "Streaming Replication Protocol", START_REPLICATION): the server's XLogData ('w') and Primary
// keepalive ('k') messages, and the client's Standby status update ('r'). Pure; views point into
// the bytes given to decode_copy_data.
#pragma once

#include <span>
#include <string>
#include <variant>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/postgres/pgoutput/pgoutput_message.h"

namespace cdc::postgres {

struct XLogData {
  Lsn start{0};    // the WAL position of the payload
  Lsn wal_end{0};  // the server's current end of WAL
  PgTimestamp send_time{0};
  std::span<const std::byte> payload;  // one pgoutput message
};

struct PrimaryKeepalive {
  Lsn wal_end{0};
  PgTimestamp send_time{0};
  bool reply_requested = false;  // answer at once or the server's wal_sender_timeout ends us
};

using CopyDataMessage = std::variant<XLogData, PrimaryKeepalive>;

Result<CopyDataMessage> decode_copy_data(std::span<const std::byte> bytes);

// Standby status update: written/flushed/applied LSNs and the client's clock. sluice reports
// the same LSN for all three: the last committed checkpoint's, never beyond (ARCHITECTURE.md).
std::string encode_standby_status(Lsn flushed, PgTimestamp now, bool reply_requested);

// Now as a PgTimestamp.
PgTimestamp pg_now();

}  // namespace cdc::postgres
