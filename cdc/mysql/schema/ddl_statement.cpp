#include "cdc/mysql/schema/ddl_statement.h"

#include <cctype>
#include <span>

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
  // One ALTER clause being read: its tokens s_[i, end) (`i` advances) and what they become.
  // `more`: the further clauses one clause stands for (ADD COLUMN (a INT, b INT)); `why`: the
  // reason when it cannot be read. The references are the caller's, for the call only.
  struct Clause {
    size_t i;
    size_t end;
    const TableId& table;
    AlterClause& c;
    std::vector<AlterClause>& more;
    std::string& why;
  };
  // Reads one clause by its first word, one function per ALTER action; false (and k.why) when
  // it cannot be read.
  bool alter_clause(Clause& k) const;
  bool alter_add(Clause& k) const;
  bool alter_add_column_list(Clause& k) const;
  bool alter_drop(Clause& k) const;
  bool alter_modify_or_change(Clause& k) const;
  bool alter_rename(Clause& k) const;
  bool alter_column_default(Clause& k) const;
  bool alter_convert(Clause& k) const;
  bool alter_table_option(Clause& k) const;
  bool at(const Clause& k, size_t pos, std::string_view w) const;
  bool at_any(const Clause& k, size_t pos, std::span<const std::string_view> ws) const;
  bool fail(Clause& k, std::string why) const;
  // [IF EXISTS] (or [IF NOT EXISTS] when negated) at k.i: skipped, and k.c.if_exists set.
  void skip_if_exists(Clause& k, bool negated) const;
  // The column definition in s_[from, to) into `into`.
  bool column(Clause& k, size_t from, size_t to, AlterClause& into) const;
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

// Words that may follow ADD / DROP and change no column of the row image.
constexpr std::string_view kAddNoColumn[] = {"INDEX",   "KEY",   "UNIQUE",    "FULLTEXT", "SPATIAL",
                                             "FOREIGN", "CHECK", "PARTITION", "PERIOD"};
constexpr std::string_view kDropNoColumn[] = {"INDEX",      "KEY",       "FOREIGN", "CHECK",
                                              "CONSTRAINT", "PARTITION", "PERIOD"};
// Table options and algorithm clauses: they change no column.
constexpr std::string_view kTableOptions[] = {"ENGINE",
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

// A character set as the schema names it: lower case, and utf8 by its real name (utf8mb3).
std::string charset_name(const Token& t) {
  std::string cs = ddl::lower(t.text);
  return cs == "utf8" ? "utf8mb3" : cs;
}

bool StatementReader::at(const Clause& k, size_t pos, std::string_view w) const {
  return pos < k.end && is_word(s_[pos], w);
}

bool StatementReader::at_any(const Clause& k, size_t pos,
                             std::span<const std::string_view> ws) const {
  for (auto w : ws) {
    if (at(k, pos, w)) return true;
  }
  return false;
}

bool StatementReader::fail(Clause& k, std::string why) const {
  k.why = std::move(why);
  return false;
}

void StatementReader::skip_if_exists(Clause& k, bool negated) const {
  const size_t i = k.i;
  if (negated ? (at(k, i, "IF") && at(k, i + 1, "NOT") && at(k, i + 2, "EXISTS"))
              : (at(k, i, "IF") && at(k, i + 1, "EXISTS"))) {
    k.i += negated ? 3 : 2;
    k.c.if_exists = true;
  }
}

bool StatementReader::column(Clause& k, size_t from, size_t to, AlterClause& into) const {
  bool pk = false;
  auto col =
      parser_.column_definition(s_, from, to, k.table.to_string(), into.inherits_charset, pk);
  if (!col) return fail(k, col.error().message);
  into.column = std::move(*col);
  return true;
}

bool StatementReader::alter_clause(Clause& k) const {
  if (at(k, k.i, "ADD")) return alter_add(k);
  if (at(k, k.i, "DROP")) return alter_drop(k);
  if (at(k, k.i, "MODIFY") || at(k, k.i, "CHANGE")) return alter_modify_or_change(k);
  if (at(k, k.i, "RENAME")) return alter_rename(k);
  if (at(k, k.i, "ALTER")) return alter_column_default(k);
  if (at(k, k.i, "CONVERT")) return alter_convert(k);
  return alter_table_option(k);
}

// ADD [CONSTRAINT [name]] PRIMARY KEY (...), ADD [COLUMN] [IF NOT EXISTS] def [FIRST | AFTER c],
// ADD [COLUMN] (def, def, ...); indexes, keys and checks change no column.
bool StatementReader::alter_add(Clause& k) const {
  ++k.i;
  if (at(k, k.i, "CONSTRAINT")) {
    ++k.i;
    // The constraint's name is optional: ADD CONSTRAINT CHECK (...) has none.
    const bool named = k.i < k.end && is_name(s_[k.i]) && !at(k, k.i, "PRIMARY") &&
                       !at(k, k.i, "UNIQUE") && !at(k, k.i, "FOREIGN") && !at(k, k.i, "CHECK");
    if (named) ++k.i;
  }
  if (at(k, k.i, "PRIMARY") && at(k, k.i + 1, "KEY")) {
    auto cols = ddl::primary_key_columns(s_, k.i, k.end);
    if (!cols || cols->empty()) return fail(k, "ADD PRIMARY KEY without a column list");
    k.c.kind = AlterClause::Kind::add_primary_key;
    k.c.key_columns = std::move(*cols);
    return true;
  }
  if (at(k, k.i, "SYSTEM")) {
    return fail(k, "ADD SYSTEM VERSIONING adds hidden row_start/row_end columns to the row image");
  }
  if (at_any(k, k.i, kAddNoColumn)) return true;
  if (at(k, k.i, "COLUMN")) ++k.i;
  skip_if_exists(k, /*negated=*/true);
  if (k.i < k.end && is_punct(s_[k.i], '(')) return alter_add_column_list(k);
  size_t e = k.end;
  placement(k.i, e, k.c);
  k.c.kind = AlterClause::Kind::add_column;
  return column(k, k.i, e, k.c);
}

// ADD [COLUMN] [IF NOT EXISTS] (c1 def, c2 def, ...) with s_[k.i] at '(': each in turn, appended
// at the end; the first becomes k.c, the others k.more.
bool StatementReader::alter_add_column_list(Clause& k) const {
  if (!is_punct(s_[k.end - 1], ')')) return fail(k, "expected ')' closing the ADD COLUMN list");
  size_t from = k.i + 1;
  int depth = 0;
  for (size_t t = k.i + 1; t < k.end; ++t) {
    if (is_punct(s_[t], '(')) ++depth;
    if (is_punct(s_[t], ')') && depth > 0) {
      --depth;
      continue;
    }
    if ((depth == 0 && is_punct(s_[t], ',')) || t == k.end - 1) {
      AlterClause one;
      one.kind = AlterClause::Kind::add_column;
      one.if_exists = k.c.if_exists;
      if (!column(k, from, t, one)) return false;
      k.more.push_back(std::move(one));
      from = t + 1;
    }
  }
  // The list's ')' closed a parenthesis inside it: its last definition (or all) never ended.
  if (from != k.end) return fail(k, "unbalanced parentheses in the ADD COLUMN list");
  k.c = std::move(k.more.front());
  k.more.erase(k.more.begin());
  return true;
}

// DROP PRIMARY KEY, DROP [COLUMN] [IF EXISTS] c [RESTRICT | CASCADE]; indexes, keys and
// constraints change no column.
bool StatementReader::alter_drop(Clause& k) const {
  ++k.i;
  if (at(k, k.i, "PRIMARY") && at(k, k.i + 1, "KEY")) {
    k.c.kind = AlterClause::Kind::drop_primary_key;
    return true;
  }
  if (at(k, k.i, "SYSTEM")) {
    return fail(
        k, "DROP SYSTEM VERSIONING removes hidden row_start/row_end columns from the row image");
  }
  if (at_any(k, k.i, kDropNoColumn)) return true;
  if (at(k, k.i, "COLUMN")) ++k.i;
  skip_if_exists(k, /*negated=*/false);
  if (k.i >= k.end || !is_name(s_[k.i])) return fail(k, "expected a column name after DROP");
  k.c.kind = AlterClause::Kind::drop_column;
  k.c.name = s_[k.i++].text;
  if (k.i == k.end || at(k, k.i, "RESTRICT") || at(k, k.i, "CASCADE")) return true;  // no-ops
  return fail(k, "unexpected '" + ddl::Parser::preview(s_, k.i) + "' after DROP COLUMN");
}

// MODIFY [COLUMN] [IF EXISTS] def [FIRST | AFTER c], CHANGE [COLUMN] [IF EXISTS] old def [...].
bool StatementReader::alter_modify_or_change(Clause& k) const {
  const bool change = at(k, k.i, "CHANGE");
  ++k.i;
  if (at(k, k.i, "COLUMN")) ++k.i;
  skip_if_exists(k, /*negated=*/false);
  if (change) {
    if (k.i >= k.end || !is_name(s_[k.i])) return fail(k, "expected a column name after CHANGE");
    k.c.name = s_[k.i++].text;
  }
  size_t e = k.end;
  placement(k.i, e, k.c);
  k.c.kind = change ? AlterClause::Kind::change_column : AlterClause::Kind::modify_column;
  if (!column(k, k.i, e, k.c)) return false;
  if (!change) k.c.name = k.c.column.name;
  return true;
}

// RENAME COLUMN old TO new, RENAME [TO | AS] table; RENAME INDEX/KEY changes no column.
bool StatementReader::alter_rename(Clause& k) const {
  size_t i = k.i + 1;
  if (at(k, i, "INDEX") || at(k, i, "KEY")) return true;
  if (at(k, i, "COLUMN")) {
    if (i + 4 != k.end || !is_name(s_[i + 1]) || !at(k, i + 2, "TO") || !is_name(s_[i + 3])) {
      return fail(k, "expected RENAME COLUMN old TO new");
    }
    k.c.kind = AlterClause::Kind::rename_column;
    k.c.name = s_[i + 1].text;
    k.c.column.name = s_[i + 3].text;
    return true;
  }
  if (at(k, i, "TO") || at(k, i, "AS")) ++i;
  auto name = table_name(i);
  if (!name || i != k.end) return fail(k, "expected RENAME [TO] table");
  k.c.kind = AlterClause::Kind::rename_table;
  k.c.new_table = *name;
  return true;
}

// ALTER [COLUMN] c SET DEFAULT literal | DROP DEFAULT | SET [IN]VISIBLE; ALTER INDEX/KEY/CHECK/
// CONSTRAINT changes no column.
bool StatementReader::alter_column_default(Clause& k) const {
  size_t i = k.i + 1;
  if (at(k, i, "COLUMN")) ++i;
  if (at(k, i, "INDEX") || at(k, i, "KEY") || at(k, i, "CHECK") || at(k, i, "CONSTRAINT")) {
    return true;
  }
  if (i >= k.end || !is_name(s_[i])) return fail(k, "expected a column name after ALTER COLUMN");
  k.c.name = s_[i++].text;
  k.c.kind = AlterClause::Kind::set_default;
  if (at(k, i, "DROP") && at(k, i + 1, "DEFAULT")) return true;
  if (at(k, i, "SET") && at(k, i + 1, "DEFAULT") && i + 2 < k.end) {
    size_t v = i + 2;
    std::string sign;
    if (is_punct(s_[v], '-') && v + 1 < k.end) sign = s_[v++].text;
    // An expression default (SET DEFAULT (expr)) is kept as no literal, as in CREATE TABLE.
    if (!is_word(s_[v], "NULL") && !is_punct(s_[v], '(')) {
      k.c.column.default_value = sign + s_[v].text;
      // 1.5 is three tokens: a word, '.', a word.
      if (v + 2 < k.end && is_punct(s_[v + 1], '.') && s_[v + 2].kind == Token::Kind::word &&
          s_[v].kind == Token::Kind::word) {
        *k.c.column.default_value += "." + s_[v + 2].text;
      }
    }
    return true;
  }
  if (at(k, i, "SET") && (at(k, i + 1, "VISIBLE") || at(k, i + 1, "INVISIBLE"))) {
    k.c.kind = AlterClause::Kind::no_column_change;
    return true;
  }
  return fail(k, "expected SET DEFAULT or DROP DEFAULT");
}

// CONVERT TO CHARACTER SET cs [COLLATE x]: changes the character set of every character column.
bool StatementReader::alter_convert(Clause& k) const {
  size_t t = k.i + 1;
  if (at(k, t, "TO")) ++t;
  if (at(k, t, "CHARACTER") && at(k, t + 1, "SET")) {
    t += 2;
  } else if (at(k, t, "CHARSET")) {
    ++t;
  } else {
    return fail(k, "expected CONVERT TO CHARACTER SET name");
  }
  if (t < k.end && is_punct(s_[t], '=')) ++t;
  if (t >= k.end || !is_name(s_[t]) || at(k, t, "DEFAULT")) {
    return fail(k, "CONVERT TO CHARACTER SET needs a named character set (DEFAULT is not applied)");
  }
  k.c.kind = AlterClause::Kind::convert_charset;
  k.c.column.charset = charset_name(s_[t]);
  ++t;
  if (at(k, t, "COLLATE")) {
    t += 2;
    if (t - 1 < k.end && is_punct(s_[t - 1], '=')) ++t;  // COLLATE = name
  }
  if (t != k.end) {
    return fail(k,
                "unexpected '" + ddl::Parser::preview(s_, t) + "' after CONVERT TO CHARACTER SET");
  }
  return true;
}

// [DEFAULT] CHARACTER SET [=] cs / CHARSET [=] cs (the default of columns added later), the other
// table options, and an empty clause list (ALTER TABLE t: a rebuild).
bool StatementReader::alter_table_option(Clause& k) const {
  const size_t i = k.i;
  if (i == k.end) return true;
  if (at(k, i, "INDEX") && at(k, i + 1, "DIRECTORY")) return true;
  size_t t = at(k, i, "DEFAULT") ? i + 1 : i;
  bool charset = false;
  if (at(k, t, "CHARACTER") && at(k, t + 1, "SET")) {
    t += 2;
    charset = true;
  } else if (at(k, t, "CHARSET")) {
    ++t;
    charset = true;
  }
  if (charset && t < k.end && is_punct(s_[t], '=')) ++t;
  if (charset && t < k.end && is_name(s_[t]) && !at(k, t, "DEFAULT")) {
    k.c.kind = AlterClause::Kind::table_charset;
    k.c.column.charset = charset_name(s_[t]);
    return true;
  }
  if (at_any(k, i, kTableOptions)) return true;
  return fail(k, "cannot read the clause '" + ddl::Parser::preview(s_, i) + "'");
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
      Clause clause{begin, i, *name, c, more, why};
      if (!alter_clause(clause)) {
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
