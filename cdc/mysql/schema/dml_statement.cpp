#include "cdc/mysql/schema/dml_statement.h"

#include <cctype>

#include "cdc/mysql/schema/ddl_parser.h"

namespace cdc::mysql {

namespace {

using ddl::is_name;
using ddl::is_punct;
using ddl::is_word;
using ddl::Statement;

// A table name at s[i] (`t`, `db`.`t`, db.t): the name and the index after it. An empty quoted
// name (``) is no table: the server refuses it ("Incorrect table name").
std::optional<std::pair<TableId, size_t>> table_at(const Statement& s, size_t i,
                                                   std::string_view default_db) {
  if (i >= s.size() || !is_name(s[i]) || s[i].text.empty()) return std::nullopt;
  if (i + 2 < s.size() && is_punct(s[i + 1], '.') && is_name(s[i + 2])) {
    if (s[i + 2].text.empty()) return std::nullopt;
    return std::pair{TableId{s[i].text, s[i + 2].text}, i + 3};
  }
  if (default_db.empty()) return std::nullopt;
  return std::pair{TableId{std::string(default_db), s[i].text}, i + 1};
}

size_t skip_words(const Statement& s, size_t i, std::initializer_list<std::string_view> words) {
  for (bool again = true; again && i < s.size();) {
    again = false;
    for (std::string_view w : words) {
      if (is_word(s[i], w)) {
        ++i;
        again = true;
        break;
      }
    }
  }
  return i;
}

// The table of s, which starts with `verb` (already checked); nullopt when not exactly one.
std::optional<TableId> written_table(const Statement& s, std::string_view verb,
                                     std::string_view db) {
  size_t i = 1;
  if (verb == "INSERT" || verb == "REPLACE") {
    i = skip_words(s, i, {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"});
    const auto t = table_at(s, i, db);
    return t ? std::optional(t->first) : std::nullopt;
  }
  if (verb == "UPDATE") {
    i = skip_words(s, i, {"LOW_PRIORITY", "IGNORE"});
    const auto t = table_at(s, i, db);
    // One table only: UPDATE t [AS] [alias] SET ...; a join or list is not followed.
    if (!t) return std::nullopt;
    size_t j = t->second;
    if (j < s.size() && is_word(s[j], "AS")) ++j;
    if (j < s.size() && is_name(s[j]) && !is_word(s[j], "SET")) ++j;
    if (j < s.size() && is_word(s[j], "SET")) return t->first;
    return std::nullopt;
  }
  if (verb == "DELETE") {
    i = skip_words(s, i, {"LOW_PRIORITY", "QUICK", "IGNORE"});
    if (i >= s.size() || !is_word(s[i], "FROM")) return std::nullopt;  // DELETE t1, t2 FROM ...
    const auto t = table_at(s, i + 1, db);
    if (!t) return std::nullopt;
    const size_t j = t->second;
    if (j == s.size() || is_word(s[j], "WHERE") || is_word(s[j], "ORDER") ||
        is_word(s[j], "LIMIT") || is_word(s[j], "RETURNING") || is_punct(s[j], ';')) {
      return t->first;
    }
    return std::nullopt;
  }
  // LOAD DATA ... INTO TABLE t
  for (; i + 1 < s.size(); ++i) {
    if (is_word(s[i], "INTO") && is_word(s[i + 1], "TABLE")) {
      const auto t = table_at(s, i + 2, db);
      return t ? std::optional(t->first) : std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<DmlStatement> parse_dml_statement(std::string_view sql, std::string_view default_db) {
  ddl::Parser parser(sql, "");
  auto statements = parser.tokenize();
  // A text the tokenizer refuses (an unterminated string) still starts with its verb.
  const Statement empty;
  const Statement& s = statements && !statements->empty() ? statements->front() : empty;
  std::string verb;
  if (!s.empty()) {
    for (std::string_view v : {"INSERT", "REPLACE", "UPDATE", "DELETE"}) {
      if (is_word(s[0], v)) verb = v;
    }
    if (s.size() > 1 && is_word(s[0], "LOAD") && is_word(s[1], "DATA")) verb = "LOAD DATA";
  } else {
    // Fall back to the first word of the raw text.
    size_t b = sql.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return std::nullopt;
    std::string word;
    for (size_t k = b; k < sql.size() && std::isalpha(static_cast<unsigned char>(sql[k])); ++k)
      word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[k]))));
    for (std::string_view v : {"INSERT", "REPLACE", "UPDATE", "DELETE"}) {
      if (word == v) verb = v;
    }
    if (word == "LOAD") verb = "LOAD DATA";
    if (verb.empty()) return std::nullopt;
    return DmlStatement{verb, std::nullopt};
  }
  if (verb.empty()) return std::nullopt;
  DmlStatement out;
  out.verb = verb;
  if (statements && statements->size() == 1) out.table = written_table(s, verb, default_db);
  return out;
}

}  // namespace cdc::mysql
