#include "cdc/mysql/schema/ddl_parser.h"

#include <algorithm>
#include <cctype>

#include "cdc/mysql/binlog/charset.h"

namespace cdc::mysql::ddl {

namespace {

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

}  // namespace

bool is_word(const Token& t, std::string_view w) {
  if (t.kind != Token::Kind::word || t.text.size() != w.size()) return false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != w[i]) return false;
  }
  return true;
}
bool is_punct(const Token& t, char c) { return t.kind == Token::Kind::punct && t.text[0] == c; }
bool is_name(const Token& t) {
  return t.kind == Token::Kind::word || t.kind == Token::Kind::identifier;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The collation a character set's text is decoded with (its default: any collation of the
// charset decodes the same bytes); nullopt for a name neither server defines.
std::optional<uint32_t> collation_of(std::string_view charset) {
  const Charset* cs = charset_named(charset);
  if (!cs) return std::nullopt;
  return cs->default_collation;
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
  if (collate) {
    if (const Charset* cs = charset_of_collation_named(name)) return std::string(cs->name);
    name = name.substr(0, name.find('_'));
  }
  return name == "utf8" ? "utf8mb3" : name;
}

namespace {

bool is_character_type_name(const Token& type) {
  static constexpr std::string_view kText[] = {"CHAR",       "VARCHAR",  "TINYTEXT", "TEXT",
                                               "MEDIUMTEXT", "LONGTEXT", "ENUM",     "SET",
                                               "NCHAR",      "NVARCHAR", "JSON"};
  return std::any_of(std::begin(kText), std::end(kText),
                     [&](std::string_view w) { return is_word(type, w); });
}

}  // namespace

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
    } else if (c == '#' ||
               (c == '-' && i + 1 < n && text_[i + 1] == '-' &&
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
    const bool tight =
        i == from || (s[i].kind == Token::Kind::punct
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
    if (s.size() != 2 || !is_name(s[1]))
      return error(line, "cannot parse '" + preview(s, 0) + "': expected USE db");
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
  if (i + 2 < s.size() && is_word(s[i], "IF") && is_word(s[i + 1], "NOT") &&
      is_word(s[i + 2], "EXISTS")) {
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
    return bad(
        "expected '(' and the column list after the table name (CREATE TABLE ... LIKE and "
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
               "' is not one MariaDB or MySQL 8 defines");
  }
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (text_columns_[c]) t.columns[c].charset = table_charset;
  }
  out.push_back(std::move(t));
  return {};
}

namespace {

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

}  // namespace

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
  static constexpr std::string_view kKeyWords[] = {
      "PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL", "CHECK"};
  const bool period = is_word(first, "PERIOD") && begin + 1 < end && is_word(s[begin + 1], "FOR");
  if (period || std::any_of(std::begin(kKeyWords), std::end(kKeyWords),
                            [&](std::string_view w) { return is_word(first, w); })) {
    if (auto names = primary_key_columns(s, begin, end)) {
      if (names->empty())
        return error(line, "PRIMARY KEY of " + t.table + " without a column list");
      for (const auto& name : *names) {
        CDC_TRY_ASSIGN(const uint32_t c, column_index(name));
        t.primary_key.push_back(c);
      }
    }
    mark_json_valid(s, begin, end, t);
    return {};
  }
  bool inherits_charset = false;
  bool primary_key = false;
  CDC_TRY_ASSIGN(DdlColumn col,
                 column_definition(s, begin, end, t.table, inherits_charset, primary_key));
  if (primary_key) t.primary_key.assign(1, static_cast<uint32_t>(t.columns.size()));
  text_columns_.push_back(inherits_charset);
  t.columns.push_back(std::move(col));
  mark_json_valid(s, begin, end, t);
  return {};
}

std::optional<std::vector<std::string>> primary_key_columns(const Statement& s, size_t begin,
                                                            size_t end) {
  for (size_t i = begin; i + 1 < end; ++i) {
    if (!is_word(s[i], "PRIMARY") || !is_word(s[i + 1], "KEY")) continue;
    std::vector<std::string> names;
    size_t j = i + 2;
    while (j < end && !is_punct(s[j], '(')) ++j;  // optional index name / USING
    if (j == end) return names;
    // (a, b(10), c DESC): the first name of each comma-separated part.
    bool expect_name = true;
    int depth = 0;
    for (++j; j < end && !(depth == 0 && is_punct(s[j], ')')); ++j) {
      if (is_punct(s[j], '(')) ++depth;
      if (is_punct(s[j], ')')) --depth;
      if (depth == 0 && is_punct(s[j], ',')) expect_name = true;
      if (expect_name && depth == 0 && is_name(s[j])) {
        names.push_back(s[j].text);
        expect_name = false;
      }
    }
    return names;
  }
  return std::nullopt;
}

namespace {

// The kind of Value a declared type decodes to, and its display width when the DDL gives none
// (as information_schema.COLUMNS.COLUMN_TYPE shows it, so seeded and DDL-made versions agree).
struct TypeInfo {
  std::string_view name;  // upper case, as written
  std::string_view canonical;
  ValueKind kind;
  int signed_width;  // 0: no default display width
  int unsigned_width;
};

constexpr TypeInfo kTypes[] = {
    {"TINYINT", "tinyint", ValueKind::int64, 4, 3},
    {"BOOL", "tinyint", ValueKind::int64, 1, 1},
    {"BOOLEAN", "tinyint", ValueKind::int64, 1, 1},
    {"SMALLINT", "smallint", ValueKind::int64, 6, 5},
    {"MEDIUMINT", "mediumint", ValueKind::int64, 9, 8},
    {"INT", "int", ValueKind::int64, 11, 10},
    {"INTEGER", "int", ValueKind::int64, 11, 10},
    {"BIGINT", "bigint", ValueKind::int64, 20, 20},
    {"SERIAL", "bigint", ValueKind::uint64, 20, 20},
    {"FLOAT", "float", ValueKind::float32, 0, 0},
    {"DOUBLE", "double", ValueKind::float64, 0, 0},
    {"REAL", "double", ValueKind::float64, 0, 0},
    {"DECIMAL", "decimal", ValueKind::decimal, 0, 0},
    {"DEC", "decimal", ValueKind::decimal, 0, 0},
    {"NUMERIC", "decimal", ValueKind::decimal, 0, 0},
    {"FIXED", "decimal", ValueKind::decimal, 0, 0},
    {"YEAR", "year", ValueKind::year, 0, 0},
    {"DATE", "date", ValueKind::date, 0, 0},
    {"TIME", "time", ValueKind::time, 0, 0},
    {"DATETIME", "datetime", ValueKind::datetime, 0, 0},
    {"TIMESTAMP", "timestamp", ValueKind::timestamp, 0, 0},
    {"BIT", "bit", ValueKind::bit, 0, 0},
    {"ENUM", "enum", ValueKind::enum_label, 0, 0},
    {"SET", "set", ValueKind::set_labels, 0, 0},
    {"JSON", "json", ValueKind::json, 0, 0},
    {"CHAR", "char", ValueKind::string, 0, 0},
    {"NCHAR", "char", ValueKind::string, 0, 0},
    {"VARCHAR", "varchar", ValueKind::string, 0, 0},
    {"NVARCHAR", "varchar", ValueKind::string, 0, 0},
    {"TINYTEXT", "tinytext", ValueKind::string, 0, 0},
    {"TEXT", "text", ValueKind::string, 0, 0},
    {"MEDIUMTEXT", "mediumtext", ValueKind::string, 0, 0},
    {"LONGTEXT", "longtext", ValueKind::string, 0, 0},
    {"BINARY", "binary", ValueKind::bytes, 0, 0},
    {"VARBINARY", "varbinary", ValueKind::bytes, 0, 0},
    {"TINYBLOB", "tinyblob", ValueKind::bytes, 0, 0},
    {"BLOB", "blob", ValueKind::bytes, 0, 0},
    {"MEDIUMBLOB", "mediumblob", ValueKind::bytes, 0, 0},
    {"LONGBLOB", "longblob", ValueKind::bytes, 0, 0},
    {"GEOMETRY", "geometry", ValueKind::bytes, 0, 0},
    {"POINT", "point", ValueKind::bytes, 0, 0},
    {"LINESTRING", "linestring", ValueKind::bytes, 0, 0},
    {"POLYGON", "polygon", ValueKind::bytes, 0, 0},
    {"UUID", "uuid", ValueKind::string, 0, 0},
    {"INET4", "inet4", ValueKind::string, 0, 0},
    {"INET6", "inet6", ValueKind::string, 0, 0},
};

const TypeInfo* type_info(const Token& type) {
  for (const auto& t : kTypes) {
    if (is_word(type, t.name)) return &t;
  }
  return nullptr;
}

}  // namespace

ValueKind value_kind_of(std::string_view type_name, bool is_unsigned, std::string_view charset) {
  const Token t{Token::Kind::word, std::string(type_name), 0};
  const TypeInfo* info = type_info(t);
  ValueKind k = info ? info->kind : ValueKind::string;
  if (is_unsigned && k == ValueKind::int64) k = ValueKind::uint64;
  if (charset == "binary" && k == ValueKind::string) k = ValueKind::bytes;
  return k;
}

namespace {

uint32_t to_u32(const std::string& digits) {
  uint32_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || v > 100000000) return 0;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  return v;
}

std::string quote_label(const std::string& l) {
  std::string out = "'";
  for (char c : l) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<DdlColumn> Parser::column_definition(const Statement& s, size_t begin, size_t end,
                                            const std::string& table, bool& inherits_charset,
                                            bool& primary_key) const {
  const int line = begin < s.size() ? s[begin].line : (s.empty() ? 1 : s[0].line);
  if (begin >= end || !is_name(s[begin])) {
    return error(
        line, "cannot parse a column of " + table + " starting with '" + preview(s, begin) + "'");
  }
  const Token& first = s[begin];
  if (begin + 1 >= end || s[begin + 1].kind != Token::Kind::word) {
    return error(line, "column '" + first.text + "' of " + table + " has no type");
  }
  DdlColumn col;
  col.name = first.text;
  const Token& type = s[begin + 1];
  const TypeInfo* info = type_info(type);
  const bool labelled = is_word(type, "ENUM") || is_word(type, "SET");
  col.is_unsigned = is_word(type, "SERIAL");  // BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
  col.nullable = !is_word(type, "SERIAL");
  col.kind = info ? info->kind : ValueKind::string;
  size_t i = begin + 2;
  std::vector<std::string> args;  // the type's own (...) list: length, precision/scale, fsp
  if (i < end && is_punct(s[i], '(')) {
    for (++i; i < end && !is_punct(s[i], ')'); ++i) {
      if (labelled && s[i].kind == Token::Kind::string) col.labels.push_back(s[i].text);
      if (!labelled && s[i].kind == Token::Kind::word) args.push_back(s[i].text);
    }
    ++i;
  }
  bool zerofill = false;
  int depth = 0;
  for (; i < end; ++i) {
    if (is_punct(s[i], '(')) ++depth;
    if (is_punct(s[i], ')')) --depth;
    if (depth != 0) continue;
    if (is_word(s[i], "UNSIGNED")) col.is_unsigned = true;
    if (is_word(s[i], "ZEROFILL")) zerofill = col.is_unsigned = true;
    if (std::string cs = charset_at(s, i, end); !cs.empty() && is_character_type_name(type)) {
      col.charset = std::move(cs);
    }
    if (is_word(s[i], "NOT") && i + 1 < end && is_word(s[i + 1], "NULL")) col.nullable = false;
    if (is_word(s[i], "DEFAULT") && i + 1 < end) {
      size_t v = i + 1;
      std::string sign;
      if (is_punct(s[v], '-') && v + 1 < end) sign = s[v++].text;
      if (s[v].kind == Token::Kind::string) {
        col.default_value = s[v].text;
      } else if (is_word(s[v], "NULL")) {
        col.default_value.reset();
      } else if (!is_punct(s[v], '(')) {
        col.default_value = sign + s[v].text;
        // 1.5 is three tokens: a word, '.', a word.
        if (v + 2 < end && is_punct(s[v + 1], '.') && s[v + 2].kind == Token::Kind::word) {
          *col.default_value += "." + s[v + 2].text;
        }
      }
    }
    // `col INT PRIMARY KEY`, or `col INT KEY` (KEY alone is PRIMARY KEY in a column definition).
    if (is_word(s[i], "KEY") && !is_word(s[i - 1], "UNIQUE")) {
      primary_key = true;
      col.nullable = false;
    }
  }
  // MariaDB's JSON is a LONGTEXT in utf8mb4; MySQL's is binary JSON and never a character type.
  if (is_word(type, "JSON")) col.charset = "utf8mb4";
  // NATIONAL CHAR/VARCHAR: the national character set is utf8mb3 (MySQL and MariaDB).
  if ((is_word(type, "NCHAR") || is_word(type, "NVARCHAR")) && col.charset.empty()) {
    col.charset = "utf8mb3";
  }
  if (!col.charset.empty() && !collation_of(col.charset)) {
    return error(line, "column '" + col.name + "' of " + table + " has character set '" +
                           col.charset + "', which neither MariaDB nor MySQL 8 defines");
  }
  if (col.charset == "binary" && col.kind == ValueKind::string) col.kind = ValueKind::bytes;
  if (col.is_unsigned && col.kind == ValueKind::int64) col.kind = ValueKind::uint64;
  col.json = is_word(type, "JSON");
  inherits_charset = is_character_type_name(type) && col.charset.empty();

  // The type as information_schema prints it: "int(10) unsigned", "decimal(10,2)", "varchar(20)".
  std::string text = info ? std::string(info->canonical) : lower(type.text);
  if (labelled) {
    text += "(";
    for (size_t l = 0; l < col.labels.size(); ++l)
      text += (l ? "," : "") + quote_label(col.labels[l]);
    text += ")";
  } else if (!args.empty()) {
    text += "(";
    for (size_t a = 0; a < args.size(); ++a) text += (a ? "," : "") + args[a];
    text += ")";
  } else if (info && info->signed_width != 0) {
    text += "(" + std::to_string(col.is_unsigned ? info->unsigned_width : info->signed_width) + ")";
  } else if (info && info->kind == ValueKind::decimal) {
    text += "(10,0)";
  }
  if (col.is_unsigned && !is_word(type, "SERIAL")) text += " unsigned";
  if (zerofill) text += " zerofill";
  col.source_type = std::move(text);
  switch (col.kind) {
    case ValueKind::decimal:
      col.precision = args.empty() ? 10 : to_u32(args[0]);
      col.scale = args.size() > 1 ? to_u32(args[1]) : 0;
      break;
    case ValueKind::time:
    case ValueKind::datetime:
    case ValueKind::timestamp:
      col.fsp = static_cast<uint8_t>(args.empty() ? 0 : std::min(to_u32(args[0]), 6u));
      break;
    case ValueKind::bit: col.length = args.empty() ? 1 : to_u32(args[0]); break;
    case ValueKind::string:
    case ValueKind::bytes:
      if (!args.empty()) col.length = to_u32(args[0]);
      if (args.empty() && (is_word(type, "CHAR") || is_word(type, "BINARY"))) col.length = 1;
      break;
    default: break;
  }
  return col;
}

Status Parser::run(std::vector<DdlTable>& out) {
  CDC_TRY_ASSIGN(auto statements, tokenize());
  for (const auto& s : statements) CDC_TRY(statement(s, out));
  return {};
}
}  // namespace cdc::mysql::ddl
