#include "cdc/mysql/schema/ddl_schema.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/binlog/column_type.h"

namespace cdc::mysql {

namespace {

// The lexical level of MySQL's SQL that CREATE TABLE needs: words, `quoted identifiers`,
// 'strings' (also "strings": ANSI_QUOTES is off by default), punctuation; comments (--, #,
// /* */ and mysqldump's /*!NNNNN ... */ version comments) are dropped.
struct Token {
  enum class Kind : uint8_t { word, identifier, string, punct };
  Kind kind;
  std::string text;  // unquoted / unescaped
  int line;
};
using Statement = std::vector<Token>;

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

bool is_word(const Token& t, std::string_view w) {
  if (t.kind != Token::Kind::word || t.text.size() != w.size()) return false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != w[i]) return false;
  }
  return true;
}
bool is_punct(const Token& t, char c) { return t.kind == Token::Kind::punct && t.text[0] == c; }
bool is_name(const Token& t) { return t.kind == Token::Kind::word || t.kind == Token::Kind::identifier; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The collation a character set's text is decoded with; nullopt for one sluice does not decode.
std::optional<uint32_t> collation_of(std::string_view charset) {
  if (charset == "utf8mb4") return 45;                       // utf8mb4_general_ci
  if (charset == "utf8mb3" || charset == "utf8") return 33;  // utf8mb3_general_ci
  if (charset == "latin1") return 8;                         // latin1_swedish_ci
  if (charset == "ascii") return 11;
  if (charset == "binary") return kBinaryCollation;
  return std::nullopt;
}

// `CHARACTER SET [=] x`, `CHARSET [=] x` or `COLLATE [=] x_...` starting at s[i]: the character
// set named, "" when s[i] starts none of them.
std::string charset_at(const Statement& s, size_t i, size_t end) {
  const bool collate = is_word(s[i], "COLLATE");
  size_t j = i + 1;
  if (is_word(s[i], "CHARACTER") && j < end && is_word(s[j], "SET")) {
    ++j;
  } else if (!is_word(s[i], "CHARSET") && !collate) {
    return "";
  }
  if (j < end && is_punct(s[j], '=')) ++j;
  if (j >= end || !is_name(s[j])) return "";
  std::string name = lower(s[j].text);
  if (collate) name = name.substr(0, name.find('_'));
  return name == "utf8" ? "utf8mb3" : name;
}

bool is_character_type_name(const Token& type) {
  static constexpr std::string_view kText[] = {"CHAR",       "VARCHAR",  "TINYTEXT", "TEXT",
                                               "MEDIUMTEXT", "LONGTEXT", "ENUM",     "SET",
                                               "NCHAR",      "NVARCHAR", "JSON"};
  return std::any_of(std::begin(kText), std::end(kText), [&](std::string_view w) { return is_word(type, w); });
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  Status run(std::vector<DdlTable>& out);

 private:
  Error error(int line, const std::string& what) const {
    return make_error(Errc::invalid_config, std::string(file_) + ":" + std::to_string(line) + ": " + what);
  }
  Result<std::vector<Statement>> tokenize();
  Status statement(const Statement& s, std::vector<DdlTable>& out);
  Status create_table(const Statement& s, size_t i, std::vector<DdlTable>& out);
  Status item(const Statement& s, size_t begin, size_t end, DdlTable& t);
  static std::string preview(const Statement& s, size_t from);

  std::string_view text_;
  std::string_view file_;
  std::string db_;  // from the last USE
  // Per column of the table being read: a character column that names no character set.
  std::vector<bool> text_columns_;
};

Result<std::vector<Statement>> Parser::tokenize() {
  std::vector<Statement> out(1);
  int line = 1;
  size_t i = 0;
  const size_t n = text_.size();
  auto quoted = [&](char q, Token::Kind kind) -> Result<Token> {
    const int start = line;
    std::string v;
    for (++i; i < n; ++i) {
      const char c = text_[i];
      if (c == '\n') ++line;
      if (c == '\\' && q != '`' && i + 1 < n) {
        const char e = text_[++i];
        switch (e) {
          case 'n': v += '\n'; break;
          case 't': v += '\t'; break;
          case 'r': v += '\r'; break;
          case '0': v += '\0'; break;
          case 'Z': v += '\x1a'; break;
          default: v += e; break;  // \' \" \\ and MySQL's "other char = itself"
        }
        continue;
      }
      if (c == q) {
        if (i + 1 < n && text_[i + 1] == q) {  // doubled quote
          v += q;
          ++i;
          continue;
        }
        ++i;
        return Token{kind, std::move(v), start};
      }
      v += c;
    }
    return error(start, std::string("unterminated ") + (q == '`' ? "`identifier`" : "string"));
  };
  while (i < n) {
    const char c = text_[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '-' && i + 1 < n && text_[i + 1] == '-' &&
                            (i + 2 == n || std::isspace(static_cast<unsigned char>(text_[i + 2]))))) {
      while (i < n && text_[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text_[i + 1] == '*') {
      const int start = line;
      const size_t close = text_.find("*/", i + 2);
      if (close == std::string_view::npos) return error(start, "unterminated /* comment");
      line += static_cast<int>(std::count(text_.begin() + i, text_.begin() + close, '\n'));
      i = close + 2;
    } else if (c == '\'' || c == '"') {
      CDC_TRY_ASSIGN(auto t, quoted(c, Token::Kind::string));
      out.back().push_back(std::move(t));
    } else if (c == '`') {
      CDC_TRY_ASSIGN(auto t, quoted(c, Token::Kind::identifier));
      out.back().push_back(std::move(t));
    } else if (word_char(static_cast<unsigned char>(c))) {
      const size_t b = i;
      while (i < n && word_char(static_cast<unsigned char>(text_[i]))) ++i;
      out.back().push_back(Token{Token::Kind::word, std::string(text_.substr(b, i - b)), line});
    } else if (c == ';') {
      out.emplace_back();
      ++i;
    } else {
      out.back().push_back(Token{Token::Kind::punct, std::string(1, c), line});
      ++i;
    }
  }
  return out;
}

std::string Parser::preview(const Statement& s, size_t from) {
  std::string out;
  for (size_t i = from; i < s.size() && out.size() < 60; ++i) {
    const bool tight = i == from ||
                       (s[i].kind == Token::Kind::punct
                            ? std::string_view(",.);").find(s[i].text[0]) != std::string_view::npos
                            : is_punct(s[i - 1], '.') || is_punct(s[i - 1], '('));
    if (!tight) out += ' ';
    switch (s[i].kind) {
      case Token::Kind::identifier: out += "`" + s[i].text + "`"; break;
      case Token::Kind::string: out += "'" + s[i].text + "'"; break;
      default: out += s[i].text; break;
    }
  }
  return out.size() > 60 ? out.substr(0, 60) + "..." : out;
}

Status Parser::statement(const Statement& s, std::vector<DdlTable>& out) {
  if (s.empty()) return {};
  const int line = s[0].line;
  if (is_word(s[0], "USE")) {
    if (s.size() != 2 || !is_name(s[1])) return error(line, "cannot parse '" + preview(s, 0) + "': expected USE db");
    db_ = s[1].text;
    return {};
  }
  if (is_word(s[0], "DROP") || is_word(s[0], "SET")) return {};  // changes no column
  if (is_word(s[0], "CREATE")) {
    size_t i = 1;
    if (i + 1 < s.size() && is_word(s[i], "OR") && is_word(s[i + 1], "REPLACE")) i += 2;
    if (i < s.size() && is_word(s[i], "TEMPORARY")) ++i;
    if (i < s.size() && is_word(s[i], "TABLE")) return create_table(s, i + 1, out);
    if (i < s.size() && (is_word(s[i], "DATABASE") || is_word(s[i], "SCHEMA"))) return {};
  }
  return error(line, "cannot parse '" + preview(s, 0) +
                         "': a --schema-from file holds CREATE TABLE statements (and USE, "
                         "CREATE DATABASE, DROP, SET)");
}

Status Parser::create_table(const Statement& s, size_t i, std::vector<DdlTable>& out) {
  const int line = s[0].line;
  auto bad = [&](const std::string& why) {
    return error(line, "cannot parse '" + preview(s, 0) + "': " + why);
  };
  if (i + 2 < s.size() && is_word(s[i], "IF") && is_word(s[i + 1], "NOT") && is_word(s[i + 2], "EXISTS")) {
    i += 3;
  }
  if (i >= s.size() || !is_name(s[i])) return bad("expected a table name");
  DdlTable t;
  t.db = db_;
  t.table = s[i++].text;
  if (i + 1 < s.size() && is_punct(s[i], '.') && is_name(s[i + 1])) {
    t.db = t.table;
    t.table = s[i + 1].text;
    i += 2;
  }
  if (i >= s.size() || !is_punct(s[i], '(')) {
    return bad("expected '(' and the column list after the table name (CREATE TABLE ... LIKE and "
               "... AS SELECT name no columns)");
  }
  t.where = std::string(file_) + ":" + std::to_string(line);
  text_columns_.clear();
  // Split the list at commas outside parentheses: each piece is a column or a key/constraint.
  size_t begin = ++i;
  int depth = 0;
  for (; i < s.size(); ++i) {
    if (is_punct(s[i], '(')) ++depth;
    if (is_punct(s[i], ')') && depth-- == 0) break;
    if (depth == 0 && is_punct(s[i], ',')) {
      CDC_TRY(item(s, begin, i, t));
      begin = i + 1;
    }
  }
  if (i >= s.size()) return bad("the column list has no closing ')'");
  CDC_TRY(item(s, begin, i, t));
  // Table options: the default character set of the columns that name none.
  std::string table_charset;
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (std::string cs = charset_at(s, j, s.size()); !cs.empty()) table_charset = std::move(cs);
  }
  if (table_charset.empty()) table_charset = "utf8mb4";  // MySQL 8's default
  if (!collation_of(table_charset)) {
    return bad("the table's character set '" + table_charset +
               "' is not one sluice decodes (utf8mb4, utf8mb3, latin1, ascii, binary)");
  }
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (text_columns_[c]) t.columns[c].charset = table_charset;
  }
  out.push_back(std::move(t));
  return {};
}

// MariaDB's JSON is LONGTEXT with CHECK (json_valid(`col`)) (SHOW CREATE TABLE prints it so),
// in the column or as a table constraint: marks those columns.
void mark_json_valid(const Statement& s, size_t begin, size_t end, DdlTable& t) {
  for (size_t i = begin; i + 3 < end; ++i) {
    if (!is_word(s[i], "JSON_VALID") || !is_punct(s[i + 1], '(') || !is_name(s[i + 2]) ||
        !is_punct(s[i + 3], ')')) {
      continue;
    }
    for (auto& c : t.columns) c.json = c.json || c.name == s[i + 2].text;
  }
}

Status Parser::item(const Statement& s, size_t begin, size_t end, DdlTable& t) {
  const int line = begin < s.size() ? s[begin].line : s[0].line;
  if (begin == end) return error(line, "empty item in the column list of " + t.table);
  const Token& first = s[begin];
  auto column_index = [&](const std::string& name) -> Result<uint32_t> {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].name == name) return static_cast<uint32_t>(c);
    }
    return error(s[begin].line, "PRIMARY KEY of " + t.table + " names '" + name +
                                    "', which is not a column declared before it");
  };
  static constexpr std::string_view kKeyWords[] = {"PRIMARY", "KEY",      "INDEX",   "UNIQUE", "CONSTRAINT",
                                                   "FOREIGN", "FULLTEXT", "SPATIAL", "CHECK"};
  const bool period = is_word(first, "PERIOD") && begin + 1 < end && is_word(s[begin + 1], "FOR");
  if (period || std::any_of(std::begin(kKeyWords), std::end(kKeyWords),
                            [&](std::string_view w) { return is_word(first, w); })) {
    for (size_t i = begin; i + 1 < end; ++i) {
      if (!is_word(s[i], "PRIMARY") || !is_word(s[i + 1], "KEY")) continue;
      size_t j = i + 2;
      while (j < end && !is_punct(s[j], '(')) ++j;  // optional index name / USING
      if (j == end) return error(line, "PRIMARY KEY of " + t.table + " without a column list");
      // (a, b(10), c DESC): the first name of each comma-separated part.
      bool expect_name = true;
      int depth = 0;
      for (++j; j < end && !(depth == 0 && is_punct(s[j], ')')); ++j) {
        if (is_punct(s[j], '(')) ++depth;
        if (is_punct(s[j], ')')) --depth;
        if (depth == 0 && is_punct(s[j], ',')) expect_name = true;
        if (expect_name && depth == 0 && is_name(s[j])) {
          CDC_TRY_ASSIGN(const uint32_t c, column_index(s[j].text));
          t.primary_key.push_back(c);
          expect_name = false;
        }
      }
      break;
    }
    mark_json_valid(s, begin, end, t);
    return {};
  }
  if (!is_name(first)) {
    return error(line, "cannot parse a column of " + t.table + " starting with '" + preview(s, begin) + "'");
  }
  if (begin + 1 >= end || s[begin + 1].kind != Token::Kind::word) {
    return error(line, "column '" + first.text + "' of " + t.table + " has no type");
  }
  DdlColumn col;
  col.name = first.text;
  const Token& type = s[begin + 1];
  const bool labelled = is_word(type, "ENUM") || is_word(type, "SET");
  col.is_unsigned = is_word(type, "SERIAL");  // BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
  size_t i = begin + 2;
  if (labelled && i < end && is_punct(s[i], '(')) {  // the type's own list: ENUM/SET labels
    for (++i; i < end && !is_punct(s[i], ')'); ++i) {
      if (s[i].kind == Token::Kind::string) col.labels.push_back(s[i].text);
    }
    ++i;
  }
  int depth = 0;
  for (; i < end; ++i) {
    if (is_punct(s[i], '(')) ++depth;
    if (is_punct(s[i], ')')) --depth;
    if (depth != 0) continue;
    if (is_word(s[i], "UNSIGNED")) col.is_unsigned = true;
    if (std::string cs = charset_at(s, i, end); !cs.empty() && is_character_type_name(type)) {
      col.charset = std::move(cs);
    }
    // `col INT PRIMARY KEY`, or `col INT KEY` (KEY alone is PRIMARY KEY in a column definition).
    if (is_word(s[i], "KEY") && !is_word(s[i - 1], "UNIQUE")) {
      t.primary_key.assign(1, static_cast<uint32_t>(t.columns.size()));
    }
  }
  // MariaDB's JSON is a LONGTEXT in utf8mb4; MySQL's is binary JSON and never a character type.
  if (is_word(type, "JSON")) col.charset = "utf8mb4";
  if (!col.charset.empty() && !collation_of(col.charset)) {
    return error(line, "column '" + col.name + "' of " + t.table + " has character set '" + col.charset +
                           "', which sluice does not decode (utf8mb4, utf8mb3, latin1, ascii, binary)");
  }
  col.json = is_word(type, "JSON");
  text_columns_.push_back(is_character_type_name(type) && col.charset.empty());
  t.columns.push_back(std::move(col));
  mark_json_valid(s, begin, end, t);
  return {};
}

Status Parser::run(std::vector<DdlTable>& out) {
  CDC_TRY_ASSIGN(auto statements, tokenize());
  for (const auto& s : statements) CDC_TRY(statement(s, out));
  return {};
}

}  // namespace

Result<DdlSchema> DdlSchema::parse(std::string_view text, std::string_view file) {
  DdlSchema schema;
  CDC_TRY(Parser(text, file).run(schema.tables_));
  return schema;
}

Result<DdlSchema> DdlSchema::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io, "cannot read the schema file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(Errc::io, "cannot read the schema file " + path);
  return parse(text.str(), path);
}

const DdlTable* DdlSchema::find(std::string_view db, std::string_view table) const {
  const DdlTable* unqualified = nullptr;
  for (auto it = tables_.rbegin(); it != tables_.rend(); ++it) {
    if (it->table != table) continue;
    if (it->db == db) return &*it;
    if (it->db.empty() && !unqualified) unqualified = &*it;
  }
  return unqualified;
}

Result<std::vector<std::string>> complete_table_map(TableMapEvent& map, const DdlSchema* ddl) {
  const DdlTable* t = ddl ? ddl->find(map.db, map.table) : nullptr;
  // A binlog that names its columns does not need the DDL, which may describe the table after
  // a later ALTER: then the binlog's names stand and the DDL is not used for this table.
  if (t && t->columns.size() != map.columns.size() && map.has_column_names) t = nullptr;
  if (t && t->columns.size() != map.columns.size()) {
    return make_error(Errc::invalid_config,
                      t->where + ": " + map.db + "." + map.table + " is declared with " +
                          std::to_string(t->columns.size()) + " columns, but the binlog's TABLE_MAP has " +
                          std::to_string(map.columns.size()) +
                          " (the DDL must describe the table as it was when the binlog was written)");
  }
  std::vector<std::string> json;
  for (size_t i = 0; i < map.columns.size(); ++i) {
    auto& c = map.columns[i];
    if (!map.has_column_names) c.name = t ? t->columns[i].name : "col_" + std::to_string(i + 1);
    if (!map.has_signedness && is_numeric_type(c.type)) c.is_unsigned = t && t->columns[i].is_unsigned;
    if (t && c.labels.empty() && is_enum_or_set_type(c.real_type)) c.labels = t->columns[i].labels;
    if (t && !c.collation && is_character_type(c.real_type) && !t->columns[i].charset.empty()) {
      c.collation = collation_of(t->columns[i].charset);
    }
    if (t && t->columns[i].json && is_character_type(c.real_type)) json.push_back(c.name);
  }
  if (!map.has_primary_key && t) map.primary_key = t->primary_key;
  map.has_column_names = map.has_signedness = true;
  map.has_primary_key = map.has_primary_key || t;
  return json;
}

}  // namespace cdc::mysql
