// Small text helpers shared by the config reader, the SQL and GTID parsers, the expression
// language and the command line. Byte-wise and locale-free on purpose: identifiers, keywords and
// option names are ASCII, and std::tolower/std::isspace depend on the process locale. Pure;
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cdc {

// True for ' ', '\t', '\n', '\v', '\f', '\r'.
constexpr bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// `s` without leading and trailing ASCII white space.
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper_ascii(std::string_view s);
std::string lower_ascii(std::string_view s);

// Equal ignoring the case of ASCII letters.
bool iequals_ascii(std::string_view a, std::string_view b);

// `s` in single quotes, as error messages show a value: 'x'. Nothing is escaped.
std::string quote(std::string_view s);

// Optimal string alignment distance (Levenshtein plus adjacent transposition), for "did you
// mean" suggestions. O(|a|·|b|) time and memory: meant for names, not documents.
size_t edit_distance(std::string_view a, std::string_view b);

// The offset of the first byte of `s` that is not part of a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are not), or npos when all are.
size_t invalid_utf8_offset(std::string_view s);

// `s` safe to print on a terminal: control characters (C0, DEL, C1) and bytes that are not
// well-formed UTF-8 become escapes (\n, \r, \t, \xNN, \u0085); other text, backslashes
// included, is kept as it is. For messages that quote bytes from a file or a server.
std::string printable(std::string_view s);

// Appends `s` as a quoted JSON string (RFC 8259 section 7) for text sluice writes itself (log
// lines, state records): `"` and `\` escaped, controls as \n, \t or \u00XX; other bytes pass
// through unchecked. Values from a source go through cdc/core/json's append_string, which
// validates UTF-8.
void append_json_quoted(std::string& out, std::string_view s);

// Unix milliseconds as ISO-8601 UTC, "2024-05-01T12:34:56.789Z" (checkpoint wall times, log
// lines). Outside years 0000..9999, where ISO-8601 needs a sign, the number and "ms".
std::string format_utc_millis(int64_t unix_ms);

}  // namespace cdc
