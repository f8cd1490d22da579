// decode_pgoutput: one pgoutput message (the payload of an XLogData 'w' CopyData message) to a
// PgoutputMessage. Pure: no I/O, no logging, no state of its own; the caller tracks whether a
// streamed transaction's segment is open (between Stream Start and Stream Stop), because
// protocol 2 then prefixes each message with the transaction's xid.
#pragma once

#include <span>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/postgres/pgoutput/pgoutput_message.h"

namespace cdc::postgres {

// Spare column vectors, so that a stream of row messages allocates no tuple storage once warm:
// decode_pgoutput takes a tuple's vector from here instead of allocating one, and recycle()
// gives a handled message's vectors back. Owned by the caller (PgStream), one thread.
class TupleScratch {
 public:
  std::vector<TupleColumn> take();
  void recycle(PgoutputMessage& msg);

 private:
  std::vector<std::vector<TupleColumn>> spare_;
};

struct PgoutputContext {
  bool in_stream = false;           // inside Stream Start .. Stream Stop
  TupleScratch* scratch = nullptr;  // optional
};

// Errors (Errc::truncated, Errc::malformed, Errc::unsupported for an unknown type byte) name the
// message type and `at`, the LSN the message was sent at. The result's views point into `bytes`.
Result<PgoutputMessage> decode_pgoutput(std::span<const std::byte> bytes,
                                        const PgoutputContext& ctx, Lsn at);

}  // namespace cdc::postgres
