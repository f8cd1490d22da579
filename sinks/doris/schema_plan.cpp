#include "sinks/doris/schema_plan.h"

#include <algorithm>
#include <cctype>

#include "cdc/core/text.h"
#include "sinks/doris/type_mapping.h"

namespace cdc::sinks::doris {
namespace {

// Words of a statement: identifiers (backquotes removed), literals and symbols, in order.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '`' || c == '\'' || c == '"') {
      std::string w;
      size_t j = i + 1;
      for (; j < s.size(); ++j) {
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {  // a doubled quote inside
            w.push_back(c);
            ++j;
            continue;
          }
          break;
        }
        w.push_back(s[j]);
      }
      out.push_back(std::move(w));
      i = j + 1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' ||
                              s[j] == '$' || static_cast<unsigned char>(s[j]) >= 0x80)) {
        ++j;
      }
      out.emplace_back(s.substr(i, j - i));
      i = j;
    } else {
      out.emplace_back(1, c);
      ++i;
    }
  }
  return out;
}

bool is(const std::string& word, std::string_view keyword) {
  return lower_ascii(word) == lower_ascii(keyword);
}

const Column* find_column(const TableSchema& s, std::string_view name) {
  for (const Column& c : s.columns) {
    if (lower_ascii(c.name) == lower_ascii(name)) return &c;
  }
  return nullptr;
}

bool is_key(const TableSchema& s, std::string_view name) {
  for (uint32_t k : s.primary_key) {
    if (lower_ascii(s.columns[k].name) == lower_ascii(name)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> renamed_columns(std::string_view ddl) {
  const std::vector<std::string> w = words(ddl);
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < w.size(); ++i) {
    // RENAME COLUMN a TO b (MySQL 8, MariaDB 10.5+); `a TO a` renames nothing (column names are
    // case-insensitive), as a CHANGE that keeps the name.
    if (is(w[i], "RENAME") && i + 4 < w.size() && is(w[i + 1], "COLUMN") && is(w[i + 3], "TO")) {
      if (lower_ascii(w[i + 2]) != lower_ascii(w[i + 4])) out.emplace_back(w[i + 2], w[i + 4]);
      i += 4;
      continue;
    }
    // CHANGE [COLUMN] a b <definition>
    if (is(w[i], "CHANGE")) {
      size_t at = i + 1;
      if (at < w.size() && is(w[at], "COLUMN")) ++at;
      if (at + 1 < w.size() && lower_ascii(w[at]) != lower_ascii(w[at + 1])) {
        out.emplace_back(w[at], w[at + 1]);
      }
      i = at + 1;
    }
  }
  return out;
}

SchemaPlan plan_schema_change(const std::string& db, const std::string& table,
                              const std::vector<DorisColumn>& present, const TableSchema* previous,
                              const TableSchema& next, std::string_view ddl,
                              SchemaChangeBehavior behavior) {
  SchemaPlan plan;
  const std::string target = quote_ident(db) + "." + quote_ident(table);
  const auto add = [&](std::string stmt, std::string what) {
    plan.statements.push_back("ALTER TABLE " + target + " " + std::move(stmt));
    plan.changes.push_back(std::move(what));
  };
  std::vector<DorisColumn> have = present;
  const auto have_column = [&](std::string_view name) -> DorisColumn* {
    for (DorisColumn& c : have) {
      if (lower_ascii(c.name) == lower_ascii(name)) return &c;
    }
    return nullptr;
  };
  const bool lenient = behavior == SchemaChangeBehavior::lenient;
  const auto make_nullable = [&](DorisColumn& c, const std::string& why) {
    if (c.nullable || c.key) return;
    add("MODIFY COLUMN " + quote_ident(c.name) + " " + c.type + " NULL",
        "column " + c.name + " made nullable (" + why + ")");
    c.nullable = true;
  };
  for (const auto& [from, to] : renamed_columns(ddl)) {
    DorisColumn* old = have_column(from);
    const Column* now = find_column(next, to);
    if (old == nullptr || now == nullptr || have_column(to) != nullptr ||
        find_column(next, from) != nullptr) {
      continue;  // not a rename of a column the Doris table has (or already done)
    }
    if (lenient) {
      make_nullable(*old, "renamed to " + now->name + " in the source");
      continue;  // the new name is added below, as a new column
    }
    add("RENAME COLUMN " + quote_ident(old->name) + " " + quote_ident(now->name),
        "column " + old->name + " renamed to " + now->name);
    old->name = now->name;
  }
  for (const Column& c : next.columns) {
    if (have_column(c.name) != nullptr) continue;
    add("ADD COLUMN " + quote_ident(c.name) + " " + doris_type(c, false) + " NULL",
        "column " + c.name + " added");
    have.push_back({c.name, doris_type(c, false), true, false});
  }
  for (DorisColumn& c : have) {
    if (find_column(next, c.name) != nullptr) continue;
    if (lenient) {
      make_nullable(c, "dropped in the source");
    } else {
      add("DROP COLUMN " + quote_ident(c.name), "column " + c.name + " dropped");
    }
  }
  if (previous != nullptr) {
    for (const Column& c : next.columns) {
      const Column* before = find_column(*previous, c.name);
      if (before == nullptr || is_key(next, c.name)) continue;
      const std::string type = doris_type(c, false);
      if (type == doris_type(*before, false)) continue;
      DorisColumn* d = have_column(c.name);
      const bool nullable = d == nullptr || d->nullable || lenient || c.nullable;
      add("MODIFY COLUMN " + quote_ident(c.name) + " " + type + (nullable ? " NULL" : " NOT NULL"),
          "column " + c.name + " changed to " + type);
    }
  }
  return plan;
}

}  // namespace cdc::sinks::doris
