// TablePattern: a `source-table` selector of Flink CDC's route and transform rules, compiled once.
// Flink's convention: an unescaped '.' separates the database from the table, and '\.' is the
// regex "any character" ("source_db.\.*" is every table of source_db); a comma separates
// alternatives ("app.orders, app.order_\d+"). Each alternative matches "db.table" in full,
// ignoring case as Flink does.
// Immutable after compile(); thread-safe.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::pipeline {

class TablePattern {
 public:
  // Errc::invalid_config naming the pattern for a bad regex or more than two dotted parts.
  static Result<TablePattern> compile(std::string_view pattern);

  bool matches(const TableId& table) const;
  // As matches(), and fills `groups` with the capture groups of the matching alternative
  // ($1, $2... of a route's sink-table) over the text "db.table" that `subject` receives.
  bool match(const TableId& table, std::string& subject, std::smatch& groups) const;

  const std::string& text() const { return text_; }

  // The ECMAScript regex an alternative of Flink's syntax stands for ("a.\.*" -> "a\..*").
  // Exposed for tests and error messages. Errc::invalid_config for more than two parts.
  static Result<std::string> to_ecmascript(std::string_view alternative);

 private:
  std::string text_;
  std::vector<std::regex> alternatives_;
};

}  // namespace cdc::pipeline
