// The JSON answers of Doris's HTTP APIs, parsed: bytes from the network, so pure functions with
// a fuzz target (tests/fuzz/doris_answer_fuzz.cpp). An answer that is not Doris's JSON, or lacks
// the field that says what happened, is Errc::unavailable (retryable: a proxy's error page or a
// cut connection) naming `what` and quoting the start of the body; a statement Doris refuses is
// Errc::invalid_config with its message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace simdjson::dom {
class parser;
}

namespace cdc::sinks::doris {

// The Stream Load response fields the sink reads (Stream Load manual, "Return results").
struct LoadResult {
  std::string status;               // Success | Publish Timeout | Label Already Exists | Fail
  std::string existing_job_status;  // RUNNING | FINISHED, with Label Already Exists
  std::string message;
  std::string error_url;
  int64_t txn_id = -1;
  int64_t loaded_rows = 0;
  int64_t filtered_rows = 0;
};

// `_stream_load_2pc`'s answer: {"status": "Success" | ..., "msg": ...}.
struct TxnResult {
  bool success = false;
  std::string message;
};

using SqlRow = std::vector<std::optional<std::string>>;

// `what` names the request in errors ("Stream Load into db.t").
Result<LoadResult> parse_load_answer(simdjson::dom::parser& parser, std::string_view body,
                                     const std::string& what);
Result<TxnResult> parse_txn_answer(simdjson::dom::parser& parser, std::string_view body,
                                   const std::string& what);
// get_load_state: {"code": 0, "data": "<STATE>"} -> the state.
Result<std::string> parse_load_state_answer(simdjson::dom::parser& parser, std::string_view body,
                                            const std::string& what);
// The SQL API: {"code": 0, "data": {"data": [[cells...], ...]}}; cells as text (numbers as their
// JSON text), nullopt for NULL; no rows for a statement without a result set.
Result<std::vector<SqlRow>> parse_sql_answer(simdjson::dom::parser& parser, std::string_view body,
                                             const std::string& what);

}  // namespace cdc::sinks::doris
