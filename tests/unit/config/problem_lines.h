// Shared by the config tests: doctest prints a list of problem lines one per line, so that a
// failed comparison shows the whole text an operator would read.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& lines) {
    std::string s = "\n";
    for (const std::string& l : lines) s += "  " + l + "\n";
    return String(s.c_str());
  }
};
}  // namespace doctest
