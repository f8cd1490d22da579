// DdlParser: the SQL reader shared by DdlSchema (a --schema-from file of CREATE TABLEs) and
// parse_ddl_statement() (the DDL of binlog QUERY events): tokens, CREATE TABLE and column
// definitions. Internal to cdc/mysql/schema. Not thread-safe (one parser per text).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/value.h"
#include "cdc/mysql/schema/ddl_schema.h"

namespace cdc::mysql::ddl {

// The lexical level of MySQL's SQL that DDL needs: words, `quoted identifiers`,
// 'strings' (also "strings": ANSI_QUOTES is off by default), punctuation; comments (--, #,
// /* */ and mysqldump's /*!NNNNN ... */ version comments) are dropped.
struct Token {
  enum class Kind : uint8_t { word, identifier, string, punct };
  Kind kind;
  std::string text;  // unquoted / unescaped
  int line;
};
using Statement = std::vector<Token>;

// `w` is upper case.
bool is_word(const Token& t, std::string_view w);
bool is_punct(const Token& t, char c);
bool is_name(const Token& t);
std::string lower(std::string s);
// The collation a character set's text is decoded with; nullopt for one sluice does not decode.
std::optional<uint32_t> collation_of(std::string_view charset);
// `CHARACTER SET [=] x`, `CHARSET [=] x` or `COLLATE [=] x_...` starting at s[i]: the character
// set named, "" when s[i] starts none of them.
std::string charset_at(const Statement& s, size_t i, size_t end);
// The columns of the first `PRIMARY KEY [name] (a, b(10), c DESC)` in s[begin, end): empty
// when it has no list, nullopt when there is no PRIMARY KEY.
std::optional<std::vector<std::string>> primary_key_columns(const Statement& s, size_t begin,
                                                            size_t end);

// The kind of Value a column of SQL type `type_name` ("int", "VARCHAR", ...) decodes to.
ValueKind value_kind_of(std::string_view type_name, bool is_unsigned, std::string_view charset);

class Parser {
 public:
  // `text` and `file` outlive the parser; `file` only names the text in errors.
  Parser(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  // A whole --schema-from file.
  Status run(std::vector<DdlTable>& out);

  Result<std::vector<Statement>> tokenize();
  // `CREATE TABLE name (...)` with s[i] at the name (after IF NOT EXISTS is fine too).
  Status create_table(const Statement& s, size_t i, std::vector<DdlTable>& out);
  // One column definition `name type attributes...` in s[begin, end). A character column that
  // names no character set gets col.charset "" and `inherits_charset`; `primary_key` is set by
  // an inline PRIMARY KEY / KEY.
  Result<DdlColumn> column_definition(const Statement& s, size_t begin, size_t end,
                                      const std::string& table, bool& inherits_charset,
                                      bool& primary_key) const;
  // Errc::invalid_config "FILE:LINE: what".
  Error error(int line, const std::string& what) const {
    return make_error(Errc::invalid_config,
                      std::string(file_) + ":" + std::to_string(line) + ": " + what);
  }
  // The statement from s[from], as SQL, cut after 60 characters.
  static std::string preview(const Statement& s, size_t from);
  void set_database(std::string db) { db_ = std::move(db); }

 private:
  Status statement(const Statement& s, std::vector<DdlTable>& out);
  Status item(const Statement& s, size_t begin, size_t end, DdlTable& t);

  std::string_view text_;
  std::string_view file_;
  std::string db_;  // from the last USE (or the QUERY event's default database)
  // Per column of the table being read: a character column that names no character set.
  std::vector<bool> text_columns_;
};

}  // namespace cdc::mysql::ddl
