#include "cdc/mysql/schema/ddl_statement.h"

#include <cctype>

#include "cdc/mysql/schema/ddl_parser.h"

namespace cdc::mysql {

namespace {

using ddl::is_name;
using ddl::is_punct;
using ddl::is_word;
using ddl::Statement;
using ddl::Token;

// Reads one statement's tokens from s[i] on; the first problem becomes `error`.
class StatementReader {
 public:
  StatementReader(const Statement& s, std::string_view default_db, const ddl::Parser& parser)
      : s_(s), db_(default_db), parser_(parser) {}

  DdlStatement read();

 private:
  bool word(size_t i, std::string_view w) const { return i < s_.size() && is_word(s_[i], w); }
  bool punct(size_t i, char c) const { return i < s_.size() && is_punct(s_[i], c); }
  bool words(size_t i, std::initializer_list<std::string_view> ws) const {
    for (auto w : ws) {
      if (!word(i++, w)) return false;
    }
    return true;
  }
  // `name` or `db.name` at s[i]; advances i.
  std::optional<TableId> table_name(size_t& i) const;
  DdlStatement unparseable(std::string why, std::vector<TableId> tables = {}) const;
  DdlStatement create(size_t i);
  DdlStatement alter(size_t i);
  DdlStatement rename(size_t i);
  DdlStatement drop(size_t i);
  DdlStatement truncate(size_t i);
  // One ALTER clause in s[begin, end); false (and `why`) when it cannot be read.
  // `more`: the further clauses one clause stands for (ADD COLUMN (a INT, b INT)).
  bool alter_clause(size_t begin, size_t end, const TableId& table, AlterClause& c,
                    std::vector<AlterClause>& more, std::string& why) const;
  // FIRST / AFTER col at the end of s[begin, end): takes it off `end`.
  void placement(size_t begin, size_t& end, AlterClause& c) const;

  const Statement& s_;
  std::string_view db_;
  const ddl::Parser& parser_;
};

std::optional<TableId> StatementReader::table_name(size_t& i) const {
  if (i >= s_.size() || !is_name(s_[i])) return std::nullopt;
  TableId id{std::string(db_), s_[i++].text};
  if (punct(i, '.') && i + 1 < s_.size() && is_name(s_[i + 1])) {
    id.db = id.table;
    id.table = s_[i + 1].text;
    i += 2;
  }
  return id;
}

DdlStatement StatementReader::unparseable(std::string why, std::vector<TableId> tables) const {
  DdlStatement st;
  st.kind = DdlStatement::Kind::unparseable;
  st.error = std::move(why);
  st.tables = std::move(tables);
  return st;
}

DdlStatement StatementReader::read() {
  size_t i = 0;
  if (word(i, "CREATE")) {
    ++i;
    if (words(i, {"OR", "REPLACE"})) i += 2;
    if (word(i, "TEMPORARY")) return {};  // not logged in ROW format; no binlog rows either
    if (word(i, "TABLE")) return create(i + 1);
    return {};
  }
  if (word(i, "ALTER")) {
    ++i;
    while (word(i, "ONLINE") || word(i, "IGNORE")) ++i;
    if (word(i, "TABLE")) return alter(i + 1);
    return {};
  }
  if (word(i, "RENAME") && (word(i + 1, "TABLE") || word(i + 1, "TABLES"))) return rename(i + 2);
  if (word(i, "DROP")) {
    ++i;
    if (word(i, "TEMPORARY")) return {};
    if (word(i, "TABLE") || word(i, "TABLES")) return drop(i + 1);
    if (word(i, "DATABASE") || word(i, "SCHEMA")) {
      size_t n = i + 1;
      if (words(n, {"IF", "EXISTS"})) n += 2;
      if (n + 1 != s_.size() || !is_name(s_[n])) return unparseable("expected DROP DATABASE name");
      DdlStatement st;
      st.kind = DdlStatement::Kind::drop_database;
      st.table.db = s_[n].text;
      return st;
    }
    return {};
  }
  if (word(i, "TRUNCATE")) return truncate(word(i + 1, "TABLE") ? i + 2 : i + 1);
  return {};
}

DdlStatement StatementReader::create(size_t i) {
  DdlStatement st;
  size_t n = i;
  if (words(n, {"IF", "NOT", "EXISTS"})) {
    st.if_exists = true;
    n += 3;
  }
  auto name = table_name(n);
  if (!name) return unparseable("expected a table name after CREATE TABLE");
  // CREATE TABLE t LIKE s, and CREATE TABLE t (LIKE s)
  const bool paren = punct(n, '(') && word(n + 1, "LIKE");
  if (word(n, "LIKE") || paren) {
    size_t l = n + (paren ? 2 : 1);
    auto like = table_name(l);
    if (!like || (paren && !punct(l, ')'))) {
      return unparseable("expected the table copied by LIKE", {*name});
    }
    st.kind = DdlStatement::Kind::create_table_like;
    st.table = *name;
    st.like = *like;
    return st;
  }
  for (size_t k = n; k + 2 < s_.size(); ++k) {
    if (is_word(s_[k], "WITH") && is_word(s_[k + 1], "SYSTEM") &&
        is_word(s_[k + 2], "VERSIONING")) {
      return unparseable("WITH SYSTEM VERSIONING adds hidden row_start/row_end columns", {*name});
    }
  }
  std::vector<DdlTable> out;
  ddl::Parser p = parser_;
  p.set_database(std::string(db_));
  if (auto r = p.create_table(s_, i, out); !r) return unparseable(r.error().message, {*name});
  st.kind = DdlStatement::Kind::create_table;
  st.table = *name;
  st.created = std::move(out.at(0));
  return st;
}

void StatementReader::placement(size_t begin, size_t& end, AlterClause& c) const {
  if (end > begin + 1 && is_word(s_[end - 1], "FIRST")) {
    c.first = true;
    --end;
  } else if (end > begin + 2 && is_word(s_[end - 2], "AFTER") && is_name(s_[end - 1])) {
    c.after = s_[end - 1].text;
    end -= 2;
  }
}

bool StatementReader::alter_clause(size_t begin, size_t end, const TableId& table, AlterClause& c,
                                   std::vector<AlterClause>& more, std::string& why) const {
  using K = AlterClause::Kind;
  size_t i = begin;
  auto at = [&](size_t k, std::string_view w) { return k < end && is_word(s_[k], w); };
  auto column = [&](size_t from, size_t to) {
    bool pk = false;
    auto col = parser_.column_definition(s_, from, to, table.to_string(), c.inherits_charset, pk);
    if (!col) {
      why = col.error().message;
      return false;
    }
    c.column = std::move(*col);
    return true;
  };
  auto if_exists = [&](bool negated) {
    if (negated ? (at(i, "IF") && at(i + 1, "NOT") && at(i + 2, "EXISTS"))
                : (at(i, "IF") && at(i + 1, "EXISTS"))) {
      i += negated ? 3 : 2;
      c.if_exists = true;
    }
  };
  if (at(i, "ADD")) {
    ++i;
    if (at(i, "CONSTRAINT")) {  // ADD CONSTRAINT [name] PRIMARY KEY (...)
      ++i;
      // The constraint's name is optional: ADD CONSTRAINT CHECK (...) has none.
      const bool named = i < end && is_name(s_[i]) && !at(i, "PRIMARY") && !at(i, "UNIQUE") &&
                         !at(i, "FOREIGN") && !at(i, "CHECK");
      if (named) ++i;
    }
    if (at(i, "PRIMARY") && at(i + 1, "KEY")) {
      auto cols = ddl::primary_key_columns(s_, i, end);
      if (!cols || cols->empty()) {
        why = "ADD PRIMARY KEY without a column list";
        return false;
      }
      c.kind = K::add_primary_key;
      c.key_columns = std::move(*cols);
      return true;
    }
    if (at(i, "SYSTEM")) {
      why = "ADD SYSTEM VERSIONING adds hidden row_start/row_end columns to the row image";
      return false;
    }
    static constexpr std::string_view kNoColumn[] = {"INDEX",   "KEY",     "UNIQUE", "FULLTEXT",
                                                     "SPATIAL", "FOREIGN", "CHECK",  "PARTITION",
                                                     "PERIOD"};
    for (auto w : kNoColumn) {
      if (at(i, w)) return true;  // no_column_change
    }
    if (at(i, "COLUMN")) ++i;
    if_exists(true);
    if (i < end && is_punct(s_[i], '(')) {
      // ADD [COLUMN] [IF NOT EXISTS] (c1 def, c2 def, ...): each in turn, appended at the end.
      if (!is_punct(s_[end - 1], ')')) {
        why = "expected ')' closing the ADD COLUMN list";
        return false;
      }
      const bool if_not_exists = c.if_exists;
      size_t from = i + 1;
      int depth = 0;
      for (size_t k = i + 1; k < end; ++k) {
        if (is_punct(s_[k], '(')) ++depth;
        if (is_punct(s_[k], ')') && depth > 0) {
          --depth;
          continue;
        }
        if ((depth == 0 && is_punct(s_[k], ',')) || k == end - 1) {
          AlterClause one;
          one.kind = K::add_column;
          one.if_exists = if_not_exists;
          bool pk = false;
          auto col = parser_.column_definition(s_, from, k, table.to_string(),
                                               one.inherits_charset, pk);
          if (!col) {
            why = col.error().message;
            return false;
          }
          one.column = std::move(*col);
          more.push_back(std::move(one));
          from = k + 1;
        }
      }
      c = std::move(more.front());
      more.erase(more.begin());
      return true;
    }
    size_t e = end;
    placement(i, e, c);
    c.kind = K::add_column;
    return column(i, e);
  }
  if (at(i, "DROP")) {
    ++i;
    if (at(i, "PRIMARY") && at(i + 1, "KEY")) {
      c.kind = K::drop_primary_key;
      return true;
    }
    if (at(i, "SYSTEM")) {
      why = "DROP SYSTEM VERSIONING removes hidden row_start/row_end columns from the row image";
      return false;
    }
    static constexpr std::string_view kNoColumn[] = {"INDEX",      "KEY",       "FOREIGN", "CHECK",
                                                     "CONSTRAINT", "PARTITION", "PERIOD"};
    for (auto w : kNoColumn) {
      if (at(i, w)) return true;
    }
    if (at(i, "COLUMN")) ++i;
    if_exists(false);
    if (i >= end || !is_name(s_[i])) {
      why = "expected a column name after DROP";
      return false;
    }
    c.kind = K::drop_column;
    c.name = s_[i++].text;
    if (i == end || at(i, "RESTRICT") || at(i, "CASCADE")) return true;  // both do nothing
    why = "unexpected '" + ddl::Parser::preview(s_, i) + "' after DROP COLUMN";
    return false;
  }
  if (at(i, "MODIFY") || at(i, "CHANGE")) {
    const bool change = at(i, "CHANGE");
    ++i;
    if (at(i, "COLUMN")) ++i;
    if_exists(false);
    if (change) {
      if (i >= end || !is_name(s_[i])) {
        why = "expected a column name after CHANGE";
        return false;
      }
      c.name = s_[i++].text;
    }
    size_t e = end;
    placement(i, e, c);
    c.kind = change ? K::change_column : K::modify_column;
    if (!column(i, e)) return false;
    if (!change) c.name = c.column.name;
    return true;
  }
  if (at(i, "RENAME")) {
    ++i;
    if (at(i, "INDEX") || at(i, "KEY")) return true;
    if (at(i, "COLUMN")) {
      if (i + 4 != end || !is_name(s_[i + 1]) || !at(i + 2, "TO") || !is_name(s_[i + 3])) {
        why = "expected RENAME COLUMN old TO new";
        return false;
      }
      c.kind = K::rename_column;
      c.name = s_[i + 1].text;
      c.column.name = s_[i + 3].text;
      return true;
    }
    if (at(i, "TO") || at(i, "AS")) ++i;
    auto name = table_name(i);
    if (!name || i != end) {
      why = "expected RENAME [TO] table";
      return false;
    }
    c.kind = K::rename_table;
    c.new_table = *name;
    return true;
  }
  if (at(i, "ALTER")) {
    ++i;
    if (at(i, "COLUMN")) ++i;
    if (at(i, "INDEX") || at(i, "KEY") || at(i, "CHECK") || at(i, "CONSTRAINT")) return true;
    if (i >= end || !is_name(s_[i])) {
      why = "expected a column name after ALTER COLUMN";
      return false;
    }
    c.name = s_[i++].text;
    c.kind = K::set_default;
    if (at(i, "DROP") && at(i + 1, "DEFAULT")) return true;
    if (at(i, "SET") && at(i + 1, "DEFAULT") && i + 2 < end) {
      size_t v = i + 2;
      std::string sign;
      if (is_punct(s_[v], '-') && v + 1 < end) sign = s_[v++].text;
      // An expression default (SET DEFAULT (expr)) is kept as no literal, as in CREATE TABLE.
      if (!is_word(s_[v], "NULL") && !is_punct(s_[v], '(')) {
        c.column.default_value = sign + s_[v].text;
        // 1.5 is three tokens: a word, '.', a word.
        if (v + 2 < end && is_punct(s_[v + 1], '.') && s_[v + 2].kind == Token::Kind::word &&
            s_[v].kind == Token::Kind::word) {
          *c.column.default_value += "." + s_[v + 2].text;
        }
      }
      return true;
    }
    if (at(i, "SET") && (at(i + 1, "VISIBLE") || at(i + 1, "INVISIBLE"))) {
      c.kind = K::no_column_change;
      return true;
    }
    why = "expected SET DEFAULT or DROP DEFAULT";
    return false;
  }
  if (at(i, "CONVERT")) {  // changes the character set of every character column
    size_t k = i + 1;
    if (at(k, "TO")) ++k;
    if (at(k, "CHARACTER") && at(k + 1, "SET")) {
      k += 2;
    } else if (at(k, "CHARSET")) {
      ++k;
    } else {
      why = "expected CONVERT TO CHARACTER SET name";
      return false;
    }
    if (k < end && is_punct(s_[k], '=')) ++k;
    if (k >= end || !is_name(s_[k]) || at(k, "DEFAULT")) {
      why = "CONVERT TO CHARACTER SET needs a named character set (DEFAULT is not applied)";
      return false;
    }
    c.kind = K::convert_charset;
    c.column.charset = ddl::lower(s_[k].text);
    if (c.column.charset == "utf8") c.column.charset = "utf8mb3";
    ++k;
    if (at(k, "COLLATE")) {
      k += 2;
      if (k - 1 < end && is_punct(s_[k - 1], '=')) ++k;  // COLLATE = name
    }
    if (k != end) {
      why = "unexpected '" + ddl::Parser::preview(s_, k) + "' after CONVERT TO CHARACTER SET";
      return false;
    }
    return true;
  }
  // Table options and algorithm clauses change no column.
  static constexpr std::string_view kOptions[] = {"ENGINE",
                                                  "AUTO_INCREMENT",
                                                  "COMMENT",
                                                  "ALGORITHM",
                                                  "LOCK",
                                                  "FORCE",
                                                  "ROW_FORMAT",
                                                  "KEY_BLOCK_SIZE",
                                                  "ORDER",
                                                  "ENABLE",
                                                  "DISABLE",
                                                  "DEFAULT",
                                                  "CHARACTER",
                                                  "CHARSET",
                                                  "COLLATE",
                                                  "CHECKSUM",
                                                  "STATS_PERSISTENT",
                                                  "STATS_AUTO_RECALC",
                                                  "STATS_SAMPLE_PAGES",
                                                  "PACK_KEYS",
                                                  "DELAY_KEY_WRITE",
                                                  "MAX_ROWS",
                                                  "MIN_ROWS",
                                                  "AVG_ROW_LENGTH",
                                                  "PAGE_CHECKSUM",
                                                  "TRANSACTIONAL",
                                                  "ENCRYPTED",
                                                  "ENCRYPTION_KEY_ID",
                                                  "COMPRESSION",
                                                  "PARTITION",
                                                  "REMOVE",
                                                  "COALESCE",
                                                  "REORGANIZE",
                                                  "EXCHANGE",
                                                  "ANALYZE",
                                                  "CHECK",
                                                  "OPTIMIZE",
                                                  "REBUILD",
                                                  "REPAIR",
                                                  "TRUNCATE",
                                                  "DISCARD",
                                                  "IMPORT",
                                                  "PAGE_COMPRESSED",
                                                  "PAGE_COMPRESSION_LEVEL",
                                                  "IETF_QUOTES",
                                                  "SEQUENCE",
                                                  "TABLESPACE",
                                                  "STORAGE",
                                                  "UNION",
                                                  "INSERT_METHOD",
                                                  "DATA",  // DATA DIRECTORY=
                                                  "AUTOEXTEND_SIZE",
                                                  "ENGINE_ATTRIBUTE",
                                                  "SECONDARY_ENGINE",
                                                  "SECONDARY_ENGINE_ATTRIBUTE",
                                                  "SECONDARY_LOAD",
                                                  "SECONDARY_UNLOAD",
                                                  "UPGRADE"};  // UPGRADE PARTITIONING
  if (i == end) return true;  // an empty clause list (ALTER TABLE t) is a rebuild
  if (at(i, "INDEX") && at(i + 1, "DIRECTORY")) return true;
  {  // [DEFAULT] CHARACTER SET [=] cs / CHARSET [=] cs: the default of columns added later
    size_t k = at(i, "DEFAULT") ? i + 1 : i;
    bool charset = false;
    if (at(k, "CHARACTER") && at(k + 1, "SET")) {
      k += 2;
      charset = true;
    } else if (at(k, "CHARSET")) {
      ++k;
      charset = true;
    }
    if (charset && k < end && is_punct(s_[k], '=')) ++k;
    if (charset && k < end && is_name(s_[k]) && !at(k, "DEFAULT")) {
      c.kind = K::table_charset;
      c.column.charset = ddl::lower(s_[k].text);
      if (c.column.charset == "utf8") c.column.charset = "utf8mb3";
      return true;
    }
  }
  for (auto w : kOptions) {
    if (at(i, w)) {
      // DEFAULT CHARSET= is a table option; it changes the default of later columns only.
      return true;
    }
  }
  why = "cannot read the clause '" + ddl::Parser::preview(s_, i) + "'";
  return false;
}

DdlStatement StatementReader::alter(size_t i) {
  if (words(i, {"IF", "EXISTS"})) i += 2;  // MariaDB 10.5+
  auto name = table_name(i);
  if (!name) return unparseable("expected a table name after ALTER TABLE");
  // MariaDB's lock timeout: ALTER TABLE t WAIT n | NOWAIT clauses...
  if (word(i, "WAIT") && i + 1 < s_.size()) {
    i += 2;
  } else if (word(i, "NOWAIT")) {
    ++i;
  }
  DdlStatement st;
  st.kind = DdlStatement::Kind::alter_table;
  st.table = *name;
  size_t begin = i;
  int depth = 0;
  for (; i <= s_.size(); ++i) {
    if (i < s_.size() && is_punct(s_[i], '(')) ++depth;
    if (i < s_.size() && is_punct(s_[i], ')')) --depth;
    if (i == s_.size() || (depth == 0 && is_punct(s_[i], ','))) {
      AlterClause c;
      std::vector<AlterClause> more;
      std::string why;
      if (!alter_clause(begin, i, *name, c, more, why)) {
        return unparseable("ALTER TABLE " + name->to_string() + ": " + why, {*name});
      }
      if (c.kind == AlterClause::Kind::rename_table) st.tables.push_back(c.new_table);
      if (c.kind != AlterClause::Kind::no_column_change) st.clauses.push_back(std::move(c));
      for (auto& m : more) st.clauses.push_back(std::move(m));
      begin = i + 1;
    }
  }
  return st;
}

DdlStatement StatementReader::rename(size_t i) {
  DdlStatement st;
  st.kind = DdlStatement::Kind::rename_tables;
  if (words(i, {"IF", "EXISTS"})) i += 2;  // MariaDB 10.5+
  while (true) {
    auto from = table_name(i);
    if (word(i, "WAIT")) i += 2;
    if (word(i, "NOWAIT")) ++i;
    if (!from || !word(i, "TO")) return unparseable("expected RENAME TABLE a TO b[, c TO d]", {});
    ++i;
    auto to = table_name(i);
    if (!to) return unparseable("expected a table name after TO", {*from});
    st.renames.emplace_back(*from, *to);
    if (i == s_.size()) return st;
    if (!punct(i, ',')) {
      return unparseable("unexpected '" + ddl::Parser::preview(s_, i) + "'", {*from, *to});
    }
    ++i;
  }
}

DdlStatement StatementReader::drop(size_t i) {
  DdlStatement st;
  st.kind = DdlStatement::Kind::drop_tables;
  if (words(i, {"IF", "EXISTS"})) {
    st.if_exists = true;
    i += 2;
  }
  while (true) {
    auto t = table_name(i);
    if (!t) return unparseable("expected a table name in DROP TABLE", st.tables);
    st.tables.push_back(*t);
    if (i == s_.size() || word(i, "RESTRICT") || word(i, "CASCADE")) return st;
    if (!punct(i, ',')) {
      return unparseable("unexpected '" + ddl::Parser::preview(s_, i) + "'", st.tables);
    }
    ++i;
  }
}

DdlStatement StatementReader::truncate(size_t i) {
  auto t = table_name(i);
  if (!t || i != s_.size()) {
    return unparseable("expected TRUNCATE [TABLE] name",
                       t ? std::vector{*t} : std::vector<TableId>{});
  }
  DdlStatement st;
  st.kind = DdlStatement::Kind::truncate_table;
  st.table = *t;
  return st;
}

}  // namespace

Column to_column(const DdlColumn& c) {
  Column col;
  col.name = c.name;
  col.source_type = c.json ? "json" : c.source_type;
  col.kind = c.json ? ValueKind::json : c.kind;
  col.nullable = c.nullable;
  col.is_unsigned = c.is_unsigned;
  col.charset = c.charset;
  col.length = c.length;
  col.precision = c.precision;
  col.scale = c.scale;
  col.fsp = c.fsp;
  col.labels = c.labels;
  col.default_value = c.default_value;
  return col;
}

TableSchema to_table_schema(const TableId& id, const DdlTable& table) {
  TableSchema s;
  s.id = id;
  for (const auto& c : table.columns) s.columns.push_back(to_column(c));
  s.primary_key = table.primary_key;
  for (uint32_t k : s.primary_key) s.columns[k].nullable = false;
  return s;
}

DdlStatement parse_ddl_statement(std::string_view sql, std::string_view default_db) {
  ddl::Parser parser(sql, "statement");
  auto statements = parser.tokenize();
  if (!statements) {
    // Only table DDL matters: text that does not even tokenize is one only if it starts as one.
    size_t w = sql.find_first_not_of(" \t\r\n");
    std::string head(sql.substr(w == std::string_view::npos ? sql.size() : w, 8));
    for (auto& ch : head) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    static constexpr std::string_view kTableDdl[] = {"CREATE", "ALTER", "RENAME", "DROP",
                                                     "TRUNCATE"};
    bool ddl = false;
    for (auto k : kTableDdl) ddl = ddl || head.starts_with(k);
    if (!ddl) return {};
    DdlStatement st;
    st.kind = DdlStatement::Kind::unparseable;
    st.error = statements.error().message;
    return st;
  }
  const Statement* only = nullptr;
  for (const auto& s : *statements) {
    if (s.empty()) continue;
    if (only) {
      DdlStatement st = StatementReader(*only, default_db, parser).read();
      if (st.kind == DdlStatement::Kind::other) st = StatementReader(s, default_db, parser).read();
      if (st.kind == DdlStatement::Kind::other) return st;
      st.kind = DdlStatement::Kind::unparseable;
      st.error = "more than one statement in one QUERY event";
      return st;
    }
    only = &s;
  }
  if (!only) return {};
  return StatementReader(*only, default_db, parser).read();
}

}  // namespace cdc::mysql
