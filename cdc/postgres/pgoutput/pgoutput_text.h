// describe_pgoutput: one decoded pgoutput message as one JSON object line, every field named as
// PostgreSQL's documentation names it, for `sluice pgoutput` (offline debugging). Pure.
#pragma once

#include <string>

#include "cdc/core/position.h"
#include "cdc/postgres/pgoutput/pgoutput_message.h"

namespace cdc::postgres {

// `at`: the LSN the message was sent at (0/0 when unknown).
std::string describe_pgoutput(const PgoutputMessage& message, Lsn at);

}  // namespace cdc::postgres
