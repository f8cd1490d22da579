// The text of one column value as the Redis sink stores it in a hash field, a key or a
// projected string value: numbers in decimal, strings and bytes raw (Redis strings are binary
// safe), date/times as the source prints them ("2024-01-02 03:04:05.120"; timestamps in UTC as
// "2024-01-02T03:04:05.120Z"), json as its text.
// Stateless; thread-safe.
#pragma once

#include <string>

#include "cdc/core/value.h"

namespace cdc::sinks::redis {

// Appends the text of `v` to `out`. Null appends nothing: callers decide what NULL means.
void append_value_text(const Value& v, std::string& out);

}  // namespace cdc::sinks::redis
