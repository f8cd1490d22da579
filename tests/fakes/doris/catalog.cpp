#include "tests/fakes/doris/catalog.h"

#include <algorithm>
#include <cctype>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/text.h"

namespace cdc::testing::doris {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Doris reports analysis errors as "errCode = 2, detailMessage = ...".
Error sql_error(const std::string& msg) {
  return make_error(Errc::invalid_config, "errCode = 2, detailMessage = " + msg);
}

struct Token {
  enum Kind { ident, quoted_ident, string, number, symbol, end } kind = end;
  std::string text;
};

class Parser {
 public:
  explicit Parser(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '`' || c == '\'' || c == '"') {
        std::string text;
        size_t j = i + 1;
        for (; j < s.size() && s[j] != c; ++j) {
          if (s[j] == '\\' && j + 1 < s.size()) ++j;
          text.push_back(s[j]);
        }
        if (j >= s.size()) {
          bad_ = "unterminated quote";
          return;
        }
        tokens_.push_back({c == '`' ? Token::quoted_ident : Token::string, text});
        i = j + 1;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        tokens_.push_back({Token::ident, std::string(s.substr(i, j - i))});
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i + 1 < s.size() &&
                  std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
        size_t j = i + 1;
        while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
        tokens_.push_back({Token::number, std::string(s.substr(i, j - i))});
        i = j;
      } else {
        tokens_.push_back({Token::symbol, std::string(1, c)});
        ++i;
      }
    }
  }

  const std::string& bad() const { return bad_; }
  const Token& peek(size_t ahead = 0) const {
    static const Token kEnd;
    return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : kEnd;
  }
  bool at_end() const {
    return pos_ >= tokens_.size() || (peek().text == ";" && pos_ + 1 == tokens_.size());
  }
  bool accept(std::string_view word) {
    if (peek().kind != Token::end && peek().kind != Token::string &&
        peek().kind != Token::quoted_ident && iequals(peek().text, word)) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool expect(std::string_view word) {
    if (accept(word)) return true;
    if (error_.empty())
      error_ = "Syntax error near '" + peek().text + "', expected " + std::string(word);
    return false;
  }
  std::optional<std::string> name() {
    if (peek().kind == Token::ident || peek().kind == Token::quoted_ident)
      return tokens_[pos_++].text;
    if (error_.empty()) error_ = "Syntax error near '" + peek().text + "', expected a name";
    return std::nullopt;
  }
  // [db.]table
  std::optional<std::pair<std::string, std::string>> table_name(const std::string& db) {
    auto first = name();
    if (!first) return std::nullopt;
    if (accept(".")) {
      auto second = name();
      if (!second) return std::nullopt;
      return std::make_pair(*first, *second);
    }
    return std::make_pair(db, *first);
  }
  std::optional<std::string> literal() {
    const Token& t = peek();
    if (t.kind == Token::string || t.kind == Token::number) return tokens_[pos_++].text;
    if (error_.empty()) error_ = "Syntax error near '" + t.text + "', expected a literal";
    return std::nullopt;
  }
  // Type text up to the end of its parenthesised arguments.
  std::optional<std::string> type_text() {
    auto n = name();
    if (!n) return std::nullopt;
    std::string out = *n;
    if (accept("(")) {
      out += '(';
      while (!accept(")")) {
        if (peek().kind == Token::end) {
          error_ = "unterminated type arguments";
          return std::nullopt;
        }
        out += tokens_[pos_++].text;
      }
      out += ')';
    }
    return out;
  }
  const std::string& error() const { return error_; }
  void fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
  }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string bad_;
  std::string error_;
};

std::string quote_json(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

// A column definition: name TYPE [NULL | NOT NULL] [DEFAULT lit | DEFAULT NULL] [COMMENT '...'].
std::optional<ColumnDef> column_def(Parser& p) {
  ColumnDef c;
  auto n = p.name();
  if (!n) return std::nullopt;
  c.name = *n;
  auto t = p.type_text();
  if (!t) return std::nullopt;
  auto type = parse_type(*t);
  if (!type) {
    p.fail("Unknown type '" + *t + "' of column " + c.name);
    return std::nullopt;
  }
  c.type = *type;
  for (;;) {
    if (p.accept("NOT")) {
      if (!p.expect("NULL")) return std::nullopt;
      c.nullable = false;
    } else if (p.accept("NULL")) {
      c.nullable = true;
    } else if (p.accept("DEFAULT")) {
      if (p.accept("NULL")) {
        c.default_value.reset();
        continue;
      }
      if (p.accept("CURRENT_TIMESTAMP")) {
        p.fail("the test server does not support DEFAULT CURRENT_TIMESTAMP");
        return std::nullopt;
      }
      auto lit = p.literal();
      if (!lit) return std::nullopt;
      const Checked checked = check_value(c.type, *lit);
      if (!checked.value) {
        p.fail("Invalid default value for '" + c.name + "': " + checked.reason);
        return std::nullopt;
      }
      c.default_value = checked.value;
    } else if (p.accept("COMMENT")) {
      auto lit = p.literal();
      if (!lit) return std::nullopt;
      c.comment = *lit;
    } else {
      return c;
    }
  }
}

// Doris: "The olap table first column could not be float, double, string or array, struct,
// map, please use decimal or varchar instead." and key columns may not be FLOAT, DOUBLE,
// STRING or JSON.
std::optional<std::string> key_type_refusal(const ColumnDef& c) {
  switch (c.type.kind) {
    case TypeKind::float_:
    case TypeKind::double_: return "Float or double can not used as a key, use decimal instead.";
    case TypeKind::string: return "String Type should not be used in key column[" + c.name + "].";
    case TypeKind::json: return "JSONB type should not be used in key column[" + c.name + "].";
    default: return std::nullopt;
  }
}

std::string cell_json(const ColumnDef& c, const Cell& cell) {
  if (!cell) return "null";
  // The SQL API returns numbers as JSON numbers and the rest as strings.
  if (c.type.is_integer() || c.type.kind == TypeKind::boolean) return *cell;
  return quote_json(*cell);
}

// Canonical integers (check_value: no leading zeros, '-' for negatives), exactly: a LARGEINT
// has more digits than a long double holds.
int compare_integers(const std::string& a, const std::string& b) {
  const bool na = a.starts_with('-'), nb = b.starts_with('-');
  if (na != nb) return na ? -1 : 1;
  const int magnitude =
      a.size() != b.size() ? (a.size() < b.size() ? -1 : 1) : (a < b ? -1 : (a == b ? 0 : 1));
  return na ? -magnitude : magnitude;
}

int compare_cells(const ColumnDef& c, const Cell& a, const Cell& b) {
  if (!a || !b) return a ? 1 : (b ? -1 : 0);  // NULL sorts first, as in Doris
  if (c.type.is_integer()) return compare_integers(*a, *b);
  if (c.type.kind == TypeKind::decimal || c.type.kind == TypeKind::float_ ||
      c.type.kind == TypeKind::double_) {
    const long double x = std::strtold(a->c_str(), nullptr);
    const long double y = std::strtold(b->c_str(), nullptr);
    if (x != y) return x < y ? -1 : 1;
    return 0;
  }
  return a->compare(*b) < 0 ? -1 : (*a == *b ? 0 : 1);
}

std::string show_create(const std::string& db, const Table& t) {
  std::string s = "CREATE TABLE `" + t.name + "` (\n";
  for (const ColumnDef& c : t.columns) {
    s += "  `" + c.name + "` " + c.type.to_sql() + (c.nullable ? " NULL" : " NOT NULL");
    if (c.default_value) s += " DEFAULT \"" + *c.default_value + "\"";
    if (!c.comment.empty()) s += " COMMENT '" + c.comment + "'";
    s += ",\n";
  }
  s.resize(s.size() - 2);
  s += "\n) ENGINE=OLAP\nUNIQUE KEY(";
  for (size_t i = 0; i < t.key_count; ++i) s += (i ? ", `" : "`") + t.columns[i].name + "`";
  s += ")";
  if (!t.comment.empty()) s += "\nCOMMENT '" + t.comment + "'";
  s += "\nDISTRIBUTED BY HASH(`" + t.columns[0].name + "`) BUCKETS AUTO\nPROPERTIES (\n";
  for (size_t i = 0; i < t.properties.size(); ++i) {
    s += "\"" + t.properties[i].first + "\" = \"" + t.properties[i].second + "\"";
    s += i + 1 < t.properties.size() ? ",\n" : "\n";
  }
  s += ");";
  (void)db;
  return s;
}

}  // namespace

std::optional<size_t> Table::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (iequals(columns[i].name, name)) return i;  // Doris column names are case-insensitive
  }
  return std::nullopt;
}

bool Table::apply(const RowChange& change) {
  Row row(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) row[i] = columns[i].default_value;
  for (const auto& [name, cell] : change.values) {
    if (auto idx = column_index(name)) row[*idx] = cell;
  }
  std::vector<std::string> key;
  for (size_t i = 0; i < key_count; ++i) key.push_back(row[i].value_or(std::string("\x01NULL")));
  Cell sequence = change.sequence;
  if (change.partial) {
    // Doris docs, "Partial Column Update": the stored row fills the columns the load leaves
    // out, its sequence value too when the load has none.
    if (auto stored = rows.find(key); stored != rows.end()) {
      Row merged = stored->second;
      for (const auto& [name, cell] : change.values) {
        if (auto idx = column_index(name)) merged[*idx] = cell;
      }
      row = std::move(merged);
    }
    if (!sequence && sequence_type) {
      if (auto s = sequences.find(key); s != sequences.end()) sequence = s->second;
    }
  }
  if (sequence_type) {
    // Doris docs, "Sequence Column": for one key, "larger values replacing smaller ones, and
    // vice versa"; the batch delete manual: a delete-signed row takes effect when its sequence
    // value is greater than or equal to the stored one. So a row replaces the stored one
    // unless its sequence value is smaller (equal: the later load wins). NULL is the
    // smallest, as Doris orders NULL first.
    auto stored = sequences.find(key);
    if (stored != sequences.end()) {
      ColumnDef as_column;
      as_column.type = *sequence_type;
      if (compare_cells(as_column, sequence, stored->second) < 0) return false;
      stored->second = sequence;
    } else {
      sequences.emplace(key, sequence);
    }
  }
  if (change.remove) {
    rows.erase(key);
  } else {
    rows[std::move(key)] = std::move(row);
  }
  return true;
}

Database* Catalog::database(const std::string& name) {
  auto it = dbs_.find(name);
  return it == dbs_.end() ? nullptr : &it->second;
}

Table* Catalog::table(const std::string& db, const std::string& name) {
  Database* d = database(db);
  if (d == nullptr) return nullptr;
  auto it = d->tables.find(name);
  return it == d->tables.end() ? nullptr : &it->second;
}

Result<SqlResult> Catalog::execute(const std::string& session_db, std::string_view stmt) {
  Parser p(stmt);
  if (!p.bad().empty()) return sql_error(p.bad());
  SqlResult out;
  const auto need_db = [&](const std::string& db) -> Result<Database*> {
    Database* d = database(db);
    if (d == nullptr) return sql_error("Unknown database '" + db + "'");
    return d;
  };
  const auto need_table = [&](const std::pair<std::string, std::string>& n) -> Result<Table*> {
    CDC_TRY_ASSIGN(Database * d, need_db(n.first));
    auto it = d->tables.find(n.second);
    if (it == d->tables.end()) return sql_error("Unknown table '" + n.second + "'");
    return &it->second;
  };
  const auto done = [&]() -> Result<SqlResult> {
    if (!p.error().empty()) return sql_error(p.error());
    if (!p.at_end()) return sql_error("Syntax error near '" + p.peek().text + "'");
    return out;
  };

  if (p.accept("CREATE")) {
    if (p.accept("DATABASE")) {
      const bool if_not_exists = p.accept("IF") && p.expect("NOT") && p.expect("EXISTS");
      auto n = p.name();
      if (!n) return sql_error(p.error());
      if (database(*n) != nullptr && !if_not_exists) {
        return sql_error("Can't create database '" + *n + "'; database exists");
      }
      ensure_database(*n);
      return done();
    }
    if (!p.expect("TABLE")) return sql_error(p.error());
    const bool if_not_exists = p.accept("IF") && p.expect("NOT") && p.expect("EXISTS");
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Database * d, need_db(n->first));
    Table t;
    t.name = n->second;
    if (!p.expect("(")) return sql_error(p.error());
    do {
      auto c = column_def(p);
      if (!c) return sql_error(p.error());
      if (t.column_index(c->name)) return sql_error("Duplicate column name '" + c->name + "'");
      t.columns.push_back(std::move(*c));
    } while (p.accept(","));
    if (!p.expect(")")) return sql_error(p.error());
    p.accept("ENGINE") && p.expect("=") && p.name();
    if (p.accept("DUPLICATE") || p.accept("AGGREGATE")) {
      return sql_error("the Doris test server keeps Unique Key tables only");
    }
    if (!p.expect("UNIQUE") || !p.expect("KEY") || !p.expect("(")) return sql_error(p.error());
    std::vector<std::string> keys;
    do {
      auto k = p.name();
      if (!k) return sql_error(p.error());
      keys.push_back(*k);
    } while (p.accept(","));
    if (!p.expect(")")) return sql_error(p.error());
    // Doris: "Key columns should be a ordered prefix of the schema." (the key columns are the
    // first columns, in the order of the KEY clause).
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i >= t.columns.size() || !iequals(t.columns[i].name, keys[i])) {
        return sql_error("Key columns should be a ordered prefix of the schema. KeyColumns[" +
                         std::to_string(i) + "] (starts from zero) is " + keys[i] +
                         ", but corresponding column is " +
                         (i < t.columns.size() ? t.columns[i].name : std::string("missing")) +
                         " in the previous columns declaration.");
      }
      if (auto why = key_type_refusal(t.columns[i])) return sql_error(*why);
    }
    t.key_count = keys.size();
    if (p.accept("COMMENT")) {
      auto lit = p.literal();
      if (!lit) return sql_error(p.error());
      t.comment = *lit;
    }
    // DISTRIBUTED BY HASH(cols) BUCKETS N|AUTO is required for Unique Key tables before 2.1;
    // accepted, with the hash columns checked to be key columns ("Distribution column[x] is
    // not key column").
    if (p.accept("DISTRIBUTED")) {
      if (!p.expect("BY") || !p.expect("HASH") || !p.expect("(")) return sql_error(p.error());
      do {
        auto k = p.name();
        if (!k) return sql_error(p.error());
        const auto idx = t.column_index(*k);
        if (!idx || *idx >= t.key_count) {
          return sql_error("Distribution column[" + *k + "] is not key column");
        }
      } while (p.accept(","));
      if (!p.expect(")") || !p.expect("BUCKETS")) return sql_error(p.error());
      if (!p.accept("AUTO") && !p.literal()) return sql_error(p.error());
    }
    if (p.accept("PROPERTIES")) {
      if (!p.expect("(")) return sql_error(p.error());
      do {
        auto k = p.literal();
        if (!k || !p.expect("=")) return sql_error(p.error());
        auto v = p.literal();
        if (!v) return sql_error(p.error());
        if (*k == "function_column.sequence_type") {
          // Doris docs, "Sequence Column": "integer or date/time type (DATE, DATETIME)".
          auto type = parse_type(*v);
          if (!type || !(type->is_integer() || type->kind == TypeKind::date ||
                         type->kind == TypeKind::datetime)) {
            return sql_error("sequence type only support integer types and date types, not " + *v);
          }
          t.sequence_type = type;
        } else if (*k == "function_column.sequence_col") {
          return sql_error(
              "the Doris test server implements function_column.sequence_type (a hidden "
              "sequence column), not function_column.sequence_col");
        }
        t.properties.emplace_back(*k, *v);
      } while (p.accept(","));
      if (!p.expect(")")) return sql_error(p.error());
    }
    if (!p.error().empty()) return sql_error(p.error());
    if (d->tables.contains(t.name)) {
      if (if_not_exists) return done();
      return sql_error("Table '" + t.name + "' already exists");
    }
    d->tables.emplace(t.name, std::move(t));
    return done();
  }

  if (p.accept("DROP")) {
    if (!p.expect("TABLE")) return sql_error(p.error());
    const bool if_exists = p.accept("IF") && p.expect("EXISTS");
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Database * d, need_db(n->first));
    if (d->tables.erase(n->second) == 0 && !if_exists) {
      return sql_error("Unknown table '" + n->second + "'");
    }
    return done();
  }

  if (p.accept("TRUNCATE")) {
    if (!p.expect("TABLE")) return sql_error(p.error());
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Table * t, need_table(*n));
    t->rows.clear();
    t->sequences.clear();
    return done();
  }

  if (p.accept("ALTER")) {
    if (!p.expect("TABLE")) return sql_error(p.error());
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Table * t, need_table(*n));
    if (p.accept("ADD")) {
      p.accept("COLUMN");
      const bool list = p.accept("(");
      do {
        auto c = column_def(p);
        if (!c) return sql_error(p.error());
        if (t->column_index(c->name))
          return sql_error("Can not add column which already exists in base table: " + c->name);
        // Doris: a new non-key column of a Unique Key table needs a DEFAULT or NULL.
        if (!c->nullable && !c->default_value) {
          return sql_error("Can not add column which is not nullable and has no default value: " +
                           c->name);
        }
        size_t at = t->columns.size();
        if (!list && p.accept("FIRST")) {
          return sql_error("Can not add value column before key column");
        }
        if (!list && p.accept("AFTER")) {
          auto after = p.name();
          if (!after) return sql_error(p.error());
          const auto idx = t->column_index(*after);
          if (!idx) return sql_error("Column[" + *after + "] does not exists");
          if (*idx + 1 < t->key_count)
            return sql_error("Can not add value column before key column");
          at = *idx + 1;
        }
        const std::optional<std::string> fill = c->default_value;
        t->columns.insert(t->columns.begin() + static_cast<std::ptrdiff_t>(at), std::move(*c));
        for (auto& [key, row] : t->rows)
          row.insert(row.begin() + static_cast<std::ptrdiff_t>(at), fill);
      } while (list && p.accept(","));
      if (list && !p.expect(")")) return sql_error(p.error());
      return done();
    }
    if (p.accept("DROP")) {
      p.accept("COLUMN");
      auto c = p.name();
      if (!c) return sql_error(p.error());
      const auto idx = t->column_index(*c);
      if (!idx) return sql_error("Column does not exists: " + *c);
      if (*idx < t->key_count) {
        return sql_error("Can not drop key column in Unique data model table");
      }
      t->columns.erase(t->columns.begin() + static_cast<std::ptrdiff_t>(*idx));
      for (auto& [key, row] : t->rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(*idx));
      return done();
    }
    if (p.accept("MODIFY")) {
      p.accept("COLUMN");
      auto c = column_def(p);
      if (!c) return sql_error(p.error());
      const auto idx = t->column_index(c->name);
      if (!idx) return sql_error("Column[" + c->name + "] does not exists");
      ColumnDef& old = t->columns[*idx];
      // Doris FE Column.checkSchemaChangeAllowed: NOT NULL may become NULL, not the reverse; a
      // string type may not get shorter; the default may not change. Other type changes are
      // checked per row below (a value that does not fit the new type fails the statement).
      if (old.nullable && !c->nullable)
        return sql_error("Can not change from nullable to non-nullable");
      const bool text = old.type.kind == TypeKind::varchar || old.type.kind == TypeKind::char_;
      if (text && (c->type.kind == TypeKind::varchar || c->type.kind == TypeKind::char_) &&
          c->type.length < old.type.length) {
        return sql_error("Can not change from wider type " + old.type.to_sql() +
                         " to narrower type " + c->type.to_sql());
      }
      if (old.default_value != c->default_value) return sql_error("Can not change default value");
      for (auto& [key, row] : t->rows) {
        if (!row[*idx]) continue;
        if (!check_value(c->type, *row[*idx]).value) {
          return sql_error("Can not change column type: a value of " + c->name + " does not fit " +
                           c->type.to_sql());
        }
      }
      for (auto& [key, row] : t->rows) {
        if (row[*idx]) row[*idx] = check_value(c->type, *row[*idx]).value;
      }
      old.type = c->type;
      old.nullable = c->nullable;
      return done();
    }
    if (p.accept("RENAME")) {
      if (!p.expect("COLUMN")) return sql_error(p.error());
      auto from = p.name();
      auto to = p.name();
      if (!from || !to) return sql_error(p.error());
      const auto idx = t->column_index(*from);
      if (!idx) return sql_error("Column[" + *from + "] does not exists");
      if (t->column_index(*to)) return sql_error("Column name[" + *to + "] is already used");
      t->columns[*idx].name = *to;
      return done();
    }
    return sql_error("the test server supports ALTER TABLE ADD/DROP/MODIFY/RENAME COLUMN only");
  }

  if (p.accept("SHOW")) {
    if (!p.expect("CREATE") || !p.expect("TABLE")) return sql_error(p.error());
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Table * t, need_table(*n));
    out.result_set = true;
    out.meta = {{"Table", "CHAR"}, {"Create Table", "CHAR"}};
    out.rows.push_back({quote_json(t->name), quote_json(show_create(n->first, *t))});
    return done();
  }

  if (p.accept("DESC") || p.accept("DESCRIBE")) {
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Table * t, need_table(*n));
    out.result_set = true;
    out.meta = {{"Field", "CHAR"}, {"Type", "CHAR"},    {"Null", "CHAR"},
                {"Key", "CHAR"},   {"Default", "CHAR"}, {"Extra", "CHAR"}};
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const ColumnDef& c = t->columns[i];
      out.rows.push_back({quote_json(c.name), quote_json(upper_ascii(c.type.to_sql())),
                          quote_json(c.nullable ? "Yes" : "No"),
                          quote_json(i < t->key_count ? "true" : "false"),
                          c.default_value ? quote_json(*c.default_value) : "null", quote_json("")});
    }
    return done();
  }

  if (p.accept("SELECT")) {
    // SELECT * | COUNT(*) | col, ... FROM [db.]t [ORDER BY col [ASC|DESC], ...]
    bool count = false;
    bool star = false;
    std::vector<std::string> cols;
    if (p.accept("*")) {
      star = true;
    } else if (p.accept("COUNT")) {
      if (!p.expect("(") || !p.expect("*") || !p.expect(")")) return sql_error(p.error());
      count = true;
    } else {
      do {
        auto c = p.name();
        if (!c) return sql_error(p.error());
        cols.push_back(*c);
      } while (p.accept(","));
    }
    if (!p.expect("FROM")) return sql_error(p.error());
    auto n = p.table_name(session_db);
    if (!n) return sql_error(p.error());
    CDC_TRY_ASSIGN(Table * t, need_table(*n));
    std::vector<std::pair<size_t, bool>> order;  // (column, descending)
    if (p.accept("ORDER")) {
      if (!p.expect("BY")) return sql_error(p.error());
      do {
        auto c = p.name();
        if (!c) return sql_error(p.error());
        const auto idx = t->column_index(*c);
        if (!idx) return sql_error("Unknown column '" + *c + "' in 'table list'");
        bool desc = p.accept("DESC");
        if (!desc) p.accept("ASC");
        order.emplace_back(*idx, desc);
      } while (p.accept(","));
    }
    out.result_set = true;
    if (count) {
      out.meta = {{"count(*)", "BIGINT"}};
      out.rows.push_back({std::to_string(t->rows.size())});
      return done();
    }
    std::vector<size_t> picked;
    if (star) {
      for (size_t i = 0; i < t->columns.size(); ++i) picked.push_back(i);
    } else {
      for (const std::string& c : cols) {
        const auto idx = t->column_index(c);
        if (!idx) return sql_error("Unknown column '" + c + "' in 'table list'");
        picked.push_back(*idx);
      }
    }
    for (size_t i : picked)
      out.meta.emplace_back(t->columns[i].name, upper_ascii(t->columns[i].type.to_sql()));
    std::vector<const Row*> rows;
    for (const auto& [key, row] : t->rows) rows.push_back(&row);
    std::stable_sort(rows.begin(), rows.end(), [&](const Row* a, const Row* b) {
      for (const auto& [idx, desc] : order) {
        const int c = compare_cells(t->columns[idx], (*a)[idx], (*b)[idx]);
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      return false;
    });
    for (const Row* row : rows) {
      std::vector<std::string> cells;
      for (size_t i : picked) cells.push_back(cell_json(t->columns[i], (*row)[i]));
      out.rows.push_back(std::move(cells));
    }
    return done();
  }
  return sql_error("the Doris test server does not run this statement: " +
                   std::string(stmt.substr(0, 80)));
}

}  // namespace cdc::testing::doris
