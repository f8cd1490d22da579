#include "cdc/mysql/captured_tables.h"

#include "cdc/core/regex.h"

namespace cdc::mysql {

namespace {

constexpr std::string_view kHeader = "sluice captured-tables 1";

bool is_system_db(std::string_view db) {
  return db == "mysql" || db == "sys" || db == "information_schema" || db == "performance_schema";
}

void put_line(std::string& out, char sign, std::string_view pattern) {
  out.push_back(sign);
  for (char c : pattern) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\n');
}

Result<std::vector<std::regex>> compile_all(const std::vector<std::string>& patterns) {
  std::vector<std::regex> out;
  for (const auto& p : patterns) {
    auto re = compile_regex(p, RegexCase::sensitive);
    if (!re) {
      return make_error(Errc::invalid_config, "bad table regex '" + p + "': " + re.error().message);
    }
    out.push_back(std::move(*re));
  }
  return out;
}

}  // namespace

std::string encode_captured_tables(const CapturedTables& c) {
  std::string out(kHeader);
  out.push_back('\n');
  for (const auto& p : c.include) put_line(out, '+', p);
  for (const auto& p : c.exclude) put_line(out, '-', p);
  return out;
}

Result<CapturedTables> decode_captured_tables(std::string_view text) {
  CapturedTables out;
  size_t line_no = 0;
  bool excludes = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return make_error(Errc::malformed, "captured-tables record: line " +
                                             std::to_string(line_no + 1) + " has no end");
    }
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != kHeader) {
        return make_error(Errc::malformed, "captured-tables record: the first line is not '" +
                                               std::string(kHeader) +
                                               "' (a record of a newer sluice?)");
      }
      continue;
    }
    // Includes first, then excludes, as written: anything else is not a record of ours.
    if (line.empty() || (line[0] != '+' && line[0] != '-') || (line[0] == '+' && excludes)) {
      return make_error(Errc::malformed, "captured-tables record: line " + std::to_string(line_no) +
                                             " is no pattern line");
    }
    excludes = line[0] == '-';
    (excludes ? out.exclude : out.include).emplace_back(line.substr(1));
  }
  if (line_no == 0) return make_error(Errc::malformed, "captured-tables record: empty");
  return out;
}

bool captured_by(const std::vector<std::regex>& include, const std::vector<std::regex>& exclude,
                 const TableId& id) {
  const std::string name = id.db + "." + id.table;
  bool in = include.empty() ? !is_system_db(id.db) : false;
  for (const auto& re : include) in = in || std::regex_match(name, re);
  for (const auto& re : exclude) in = in && !std::regex_match(name, re);
  return in;
}

Result<std::vector<TableId>> newly_captured(const std::vector<TableId>& tables,
                                            const CapturedTables& now,
                                            const CapturedTables& before) {
  CDC_TRY_ASSIGN(const auto now_in, compile_all(now.include));
  CDC_TRY_ASSIGN(const auto now_ex, compile_all(now.exclude));
  CDC_TRY_ASSIGN(const auto before_in, compile_all(before.include));
  CDC_TRY_ASSIGN(const auto before_ex, compile_all(before.exclude));
  std::vector<TableId> out;
  for (const TableId& t : tables) {
    if (captured_by(now_in, now_ex, t) && !captured_by(before_in, before_ex, t)) out.push_back(t);
  }
  return out;
}

}  // namespace cdc::mysql
