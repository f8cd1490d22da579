// pg_key_text: a key value (a sluice Value the types module made from PostgreSQL's text form)
// back in a text form PostgreSQL's input function reads as the same value, so that a snapshot's
// keyset chunks can start after a key taken from a checkpoint (`WHERE (k1, k2) > ($1::t1, ..)`).
// Pure.
#pragma once

#include <string>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/core/value.h"

namespace cdc::postgres {

// Errc::unsupported (the column named) for a kind no key can be resumed from (json: arrays and
// composite types as keys; geometry; NULL).
Result<std::string> pg_key_text(const Column& column, const Value& v);

}  // namespace cdc::postgres
