// Spellings of enumerations in configuration files: a constexpr table of (value, name) pairs per
// enum, looked up both ways. Names are kebab case ("latest-offset"); parsing is
// case-insensitive and reads '_' as '-', so `LATEST_OFFSET` works too. Pure; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cdc {

template <class E, size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

// The name of `v`, or "unknown" for a value outside the table.
template <class E, size_t N>
constexpr std::string_view enum_name(const EnumNames<E, N>& table, E v) {
  for (const auto& [e, name] : table) {
    if (e == v) return name;
  }
  return "unknown";
}

// The value named `s`; nullopt when no name matches.
template <class E, size_t N>
std::optional<E> enum_value(const EnumNames<E, N>& table, std::string_view s) {
  std::string norm(s);
  for (char& c : norm) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = '-';
  }
  for (const auto& [e, name] : table) {
    if (name == norm) return e;
  }
  return std::nullopt;
}

}  // namespace cdc
