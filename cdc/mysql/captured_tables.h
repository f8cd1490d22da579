// CapturedTables: the `tables` / `tables.exclude` patterns a pipeline last ran with, kept in the
// state store beside the schema history, so that a restart with wider patterns can tell the
// tables it newly captures (`scan.newly-added-table.enabled`, ARCHITECTURE.md "Snapshots").
// Patterns rather than a table list: a table created while the pipeline ran matched them, so it
// is never taken for a new one (the stream captured it from its CREATE).
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::mysql {

struct CapturedTables {
  std::vector<std::string> include;  // `tables` regexes over "db.table"; empty: every table
  std::vector<std::string> exclude;  // `tables.exclude`
  friend bool operator==(const CapturedTables&, const CapturedTables&) = default;
};

// The state store key of the record (per pipeline).
inline constexpr std::string_view kCapturedTablesKey = "mysql.captured-tables";

// Text, one pattern a line ("+" include, "-" exclude) after a version line; a newline inside a
// pattern is written as the regex escape `\n`, which matches the same.
std::string encode_captured_tables(const CapturedTables& c);
// Errc::malformed naming the line for bytes that are not such a record.
Result<CapturedTables> decode_captured_tables(std::string_view text);

// Whether the patterns capture `id` (an empty include list: every table outside MySQL's own
// databases). The source's one rule.
bool captured_by(const std::vector<std::regex>& include, const std::vector<std::regex>& exclude,
                 const TableId& id);

// The tables of `tables` that `now` captures and `before` did not, in the given order.
// Errc::invalid_config for a pattern that is no regex (naming it).
Result<std::vector<TableId>> newly_captured(const std::vector<TableId>& tables,
                                            const CapturedTables& now,
                                            const CapturedTables& before);

}  // namespace cdc::mysql
