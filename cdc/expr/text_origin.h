// TextOrigin: where an expression's text comes from, for error messages. A plain value.
#pragma once

#include <cstdint>
#include <string>

namespace cdc::expr {

// Where an expression's text starts, so errors point into the user's file:
// "pipeline.yaml:14:19: ... at column 7 of 'UPPER(name) ||'". line/column are 1-based; 0 when
// unknown (an expression built in code).
struct TextOrigin {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  // What the expression is, put after the position: "transform filter",
  // "transform projection for table app.orders". Empty: nothing.
  std::string context;
};

}  // namespace cdc::expr
