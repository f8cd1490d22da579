// Small ASCII text helpers shared by the config reader, the SQL and GTID parsers and the
// expression language. Byte-wise and locale-free on purpose: identifiers, keywords and option
// names are ASCII, and std::tolower/std::isspace depend on the process locale. Pure; thread-safe.
#pragma once

#include <cstddef>
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

}  // namespace cdc
