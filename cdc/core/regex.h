// The one place user-written regexes are compiled: table filters (`tables`, `tables.exclude`,
// the Redis sink's `source-table`), Flink CDC table patterns (route/transform `source-table`)
// and config validation. std::regex reports a bad pattern by throwing; this turns that into a
// Result so that no caller forgets the catch or words the reason differently.
//
// The case rule: a regex over a table name ("db.table") is case-sensitive, as MySQL and
// MariaDB on Linux keep names as created (lower_case_table_names=0), so `App.Orders` and
// `app.orders` are different tables. Flink CDC table patterns are the exception and match
// case-insensitively (TablePattern), as Flink CDC users' pipeline files expect.
#pragma once

#include <regex>
#include <string>

#include "cdc/core/result.h"

namespace cdc {

enum class RegexCase { sensitive, insensitive };

// ECMAScript grammar, optimized for matching. Errc::invalid_config whose message is the
// library's reason (e.g. "Mismatched '(' and ')' in regular expression"): the caller adds which
// pattern and key it was.
Result<std::regex> compile_regex(const std::string& pattern, RegexCase letter_case);

}  // namespace cdc
