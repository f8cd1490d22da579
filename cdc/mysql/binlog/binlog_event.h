// BinlogEvent: one decoded binlog event (header + typed body), and decode_event(), the single
// entry point that verifies the checksum, reads the header and dispatches on the type. Event
// types this slice does not handle return Errc::unsupported naming the type; the caller adds
// the file and position. string_views/spans in the body point into the raw event bytes.
#pragma once

#include <span>
#include <variant>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/control_events.h"
#include "cdc/mysql/binlog/decode_context.h"
#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/binlog/rows_event.h"
#include "cdc/mysql/binlog/statement_events.h"
#include "cdc/mysql/binlog/table_map.h"
#include "cdc/mysql/binlog/transaction_payload.h"

namespace cdc::mysql {

struct StopEvent {};

// An event sluice does not decode whose header carries LOG_EVENT_IGNORABLE_F (0x80): the server
// says a replica that does not know it may pass it over (MySQL log_event.cc read_log_event,
// Ignorable_log_event; e.g. Amazon Aurora's padding events).
struct IgnorableEvent {
  uint8_t type = 0;
};

inline constexpr uint16_t kLogEventIgnorableFlag = 0x80;

using EventBody =
    std::variant<StopEvent, FormatDescriptionEvent, RotateEvent, QueryEvent, XidEvent,
                 TableMapEvent, RowsEvent, MariadbGtidEvent, GtidListEvent, BinlogCheckpointEvent,
                 AnnotateRowsEvent, RowsQueryEvent, HeartbeatEvent, MysqlGtidEvent,
                 PreviousGtidsEvent, TransactionPayloadEvent, IgnorableEvent, IntvarEvent,
                 RandEvent, UserVarEvent, LoadBlockEvent, ExecuteLoadQueryEvent>;

struct BinlogEvent {
  EventHeader header;
  EventBody body;
};

// Decodes a whole raw event as it is in a binlog file or a dump packet (after the OK byte).
// A FORMAT_DESCRIPTION is decoded with its own checksum algorithm; every other event with ctx's.
// An event of a type sluice does not decode is Errc::unsupported, unless its header carries
// LOG_EVENT_IGNORABLE_F: then it is an IgnorableEvent (INCIDENT never is: replicas must stop).
Result<BinlogEvent> decode_event(std::span<const std::byte> raw, const DecodeContext& ctx);

// Dispatches on `type` for a body whose header and checksum are already removed.
Result<EventBody> decode_event_body(uint8_t type, std::span<const std::byte> body,
                                    const DecodeContext& ctx);

}  // namespace cdc::mysql
