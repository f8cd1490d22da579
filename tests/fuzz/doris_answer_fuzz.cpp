// Fuzz target doris_answer: the Doris sink's parsers of Doris's HTTP answers
// (sinks/doris/doris_answer.h). The first byte picks the parser (Stream Load, 2PC,
// get_load_state, SQL), the rest is the body. Bad bodies fail with Errc::unavailable (not
// Doris's JSON) or, for the SQL API, Errc::invalid_config (Doris refused the statement).
#include <simdjson.h>

#include <string_view>

#include "sinks/doris/doris_answer.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::sinks::doris;

namespace {
void check_error(const Error& e, bool sql) {
  FUZZ_CHECK(e.code == Errc::unavailable || (sql && e.code == Errc::invalid_config),
             "a Doris answer parser failed with an unexpected code");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static simdjson::dom::parser parser;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto r = parse_load_answer(parser, body, "fuzz");
      if (!r) check_error(r.error(), false);
      if (r) FUZZ_CHECK(!r->status.empty(), "a Stream Load answer without a Status accepted");
      break;
    }
    case 1: {
      auto r = parse_txn_answer(parser, body, "fuzz");
      if (!r) check_error(r.error(), false);
      break;
    }
    case 2: {
      auto r = parse_load_state_answer(parser, body, "fuzz");
      if (!r) check_error(r.error(), false);
      break;
    }
    default: {
      auto r = parse_sql_answer(parser, body, "fuzz");
      if (!r) check_error(r.error(), true);
      break;
    }
  }
  return 0;
}
