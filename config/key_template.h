// The syntax of a Redis key template such as "user:{id}" or "{db}:{table}:{pk}": literal text
// and {name} placeholders, with "{{" and "}}" for literal braces. Pure functions; thread-safe.
// What a name means (a column, db, table, pk) is decided by the sink against each schema.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::config {

struct KeyTemplatePart {
  bool placeholder = false;
  std::string text;  // the literal text, or the placeholder's name
  friend bool operator==(const KeyTemplatePart&, const KeyTemplatePart&) = default;
};

// Errc::invalid_config naming the offset of an unclosed '{', a stray '}', an empty or nested
// placeholder, or a template with no text at all.
Result<std::vector<KeyTemplatePart>> parse_key_template(std::string_view text);

}  // namespace cdc::config
