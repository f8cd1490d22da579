// decode_pgoutput: one pgoutput message (the payload of an XLogData 'w' CopyData message) to a
// PgoutputMessage. Pure: no I/O, no logging, no state of its own; the caller tracks whether a
// streamed transaction's segment is open (between Stream Start and Stream Stop), because
// protocol 2 then prefixes each message with the transaction's xid.
#pragma once

#include <span>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/postgres/pgoutput/pgoutput_message.h"

namespace cdc::postgres {

struct PgoutputContext {
  bool in_stream = false;  // inside Stream Start .. Stream Stop
};

// Errors (Errc::truncated, Errc::malformed, Errc::unsupported for an unknown type byte) name the
// message type and `at`, the LSN the message was sent at. The result's views point into `bytes`.
Result<PgoutputMessage> decode_pgoutput(std::span<const std::byte> bytes,
                                        const PgoutputContext& ctx, Lsn at);

}  // namespace cdc::postgres
