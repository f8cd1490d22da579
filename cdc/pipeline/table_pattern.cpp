#include "cdc/pipeline/table_pattern.h"

#include "cdc/core/regex.h"
#include "cdc/core/text.h"

namespace cdc::pipeline {
namespace {

// Splits on commas outside (), [] and {} ("t_\d{1,3}" keeps its comma).
std::vector<std::string_view> split_alternatives(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    const char c = i < s.size() ? s[i] : ',';
    if (c == '\\' && i + 1 < s.size()) {
      ++i;
      continue;
    }
    if (c == '{' || c == '(' || c == '[') ++depth;
    if ((c == '}' || c == ')' || c == ']') && depth > 0) --depth;
    if (c == ',' && (depth == 0 || i == s.size())) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

Result<std::string> TablePattern::to_ecmascript(std::string_view alternative) {
  std::string out;
  out.reserve(alternative.size() + 4);
  bool in_class = false;  // inside [...], where '.' is already literal
  int separators = 0;
  for (size_t i = 0; i < alternative.size(); ++i) {
    const char c = alternative[i];
    if (c == '\\' && i + 1 < alternative.size()) {
      const char next = alternative[++i];
      if (next == '.' && !in_class) {
        out += '.';
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
    } else if (c == '[') {
      in_class = true;
      out += c;
    } else if (c == '.') {
      ++separators;
      out += "\\.";
    } else {
      out += c;
    }
  }
  if (separators > 1) {
    return make_error(Errc::invalid_config,
                      "table pattern '" + std::string(alternative) + "' has " +
                          std::to_string(separators + 1) +
                          " dot-separated parts; expected db.table (write '\\.' for the regex "
                          "'any character')");
  }
  return out;
}

Result<TablePattern> TablePattern::compile(std::string_view pattern) {
  TablePattern p;
  p.text_ = std::string(pattern);
  for (std::string_view alt : split_alternatives(pattern)) {
    if (alt.empty()) {
      return make_error(Errc::invalid_config,
                        "table pattern '" + p.text_ + "' has an empty alternative");
    }
    CDC_TRY_ASSIGN(std::string regex, to_ecmascript(alt));
    // Case-insensitive: the one exception to cdc/core/regex.h's case rule, as Flink CDC users
    // expect.
    auto re = compile_regex(regex, RegexCase::insensitive);
    if (!re) {
      return make_error(Errc::invalid_config, "table pattern '" + p.text_ +
                                                  "' is not a valid regex: " + re.error().message);
    }
    p.alternatives_.push_back(std::move(*re));
  }
  return p;
}

bool TablePattern::matches(const TableId& table) const {
  const std::string subject = table.to_string();
  for (const std::regex& re : alternatives_) {
    if (std::regex_match(subject, re)) return true;
  }
  return false;
}

bool TablePattern::match(const TableId& table, std::string& subject, std::smatch& groups) const {
  subject = table.to_string();
  for (const std::regex& re : alternatives_) {
    if (std::regex_match(subject, groups, re)) return true;
  }
  return false;
}

}  // namespace cdc::pipeline
