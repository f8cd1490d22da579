// The grammars of PostgreSQL's container types, as their output functions print them:
//   array_out   {1,NULL,"a b","x\"y"} and {{1,2},{3,4}}, with [2:3]={...} for other bounds
//   record_out  (1,,"a b","x""y")   (an empty field is NULL, "" the empty string)
//   range_out   [1,5), (,"2024-01-01 00:00:00"], empty
//   multirange_out {[1,3),[5,7)}
// Each parser hands the unquoted, unescaped pieces to a callback; a piece's view is valid only
// during the call. Pure; depth and sizes are bounded by the text.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::postgres {

// Events of one array text, in order: begin() for each '{', element() for each element
// (nullopt = NULL), end() for each '}'. Dimensions are checked to have one depth throughout.
struct PgArrayVisitor {
  std::function<Status()> begin;
  std::function<Status()> end;
  std::function<Status(std::optional<std::string_view>)> element;
};
inline constexpr int kMaxArrayDims = 6;  // PostgreSQL's MAXDIM
Status parse_pg_array(std::string_view text, char delimiter, const PgArrayVisitor& visitor);

// Each field of a record text, in order (nullopt = NULL); the count is checked by the caller.
Status parse_pg_record(std::string_view text,
                       const std::function<Status(std::optional<std::string_view>)>& field);

// A range's bounds (nullopt = unbounded), or `empty` set for "empty".
struct PgRangeText {
  bool empty = false;
  bool lower_inclusive = false, upper_inclusive = false;
};
Status parse_pg_range(std::string_view text, PgRangeText& range,
                      const std::function<Status(std::optional<std::string_view>)>& bound);

// Each range text of a multirange ("{}" has none).
Status parse_pg_multirange(std::string_view text,
                           const std::function<Status(std::string_view)>& range);

}  // namespace cdc::postgres
