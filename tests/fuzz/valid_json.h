// Fuzz helper: the check that text sluice renders as JSON (and a sink embeds verbatim in an
// envelope) is valid JSON, with simdjson as the independent parser. Header-only; no state.
#pragma once

#include <simdjson.h>

#include <string>

#include "cdc/core/json/json_writer.h"
#include "tests/fuzz/fuzz_util.h"

namespace cdc::fuzz {

// simdjson refuses integers beyond 64 bits (a number error) that RFC 8259 allows and MySQL
// prints (a DECIMAL inside JSON, e.g. 27 digits without a point); for those, sluice's own
// RFC 8259 validator decides.
inline bool is_valid_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  const auto code = parser.parse(padded).get(root);
  if (code == simdjson::SUCCESS) return true;
  const bool number = code == simdjson::NUMBER_ERROR || code == simdjson::NUMBER_OUT_OF_RANGE;
  return number && json::is_valid_json(text);
}

}  // namespace cdc::fuzz
