// Fuzz helper: the check that text sluice renders as JSON (and a sink embeds verbatim in an
// envelope) is valid JSON, with simdjson as the independent parser. Header-only; no state.
#pragma once

#include <simdjson.h>

#include <string>

#include "tests/fuzz/fuzz_util.h"

namespace cdc::fuzz {

inline bool is_valid_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  return parser.parse(padded).get(root) == simdjson::SUCCESS;
}

}  // namespace cdc::fuzz
