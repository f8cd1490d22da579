// Reading YAML into option structs, generically: a positioned tree (yaml_tree.h) walked by
// MapReader (known keys, duplicates, unknown keys with the nearest known one) and scalar readers
// that check a value's type and range and record its position; every problem is collected with
// file:line:col instead of stopping at the first. loader.cpp has the per-section readers built on
// these. Internal to cdc_config; not thread-safe (one Ctx per file being read).
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cdc/core/text.h"
#include "config/environment.h"
#include "config/loader.h"
#include "config/problem.h"
#include "config/validate_internal.h"
#include "config/yaml_tree.h"

namespace cdc::config::yaml {

using detail::join_path;
using detail::YamlNode;
using Kind = YamlNode::Kind;

enum class Secret { no, yes };

// "found ..." text for a node: its value, or its kind.
std::string describe(const YamlNode& n, Secret secret = Secret::no);

struct Ctx {
  std::string file;
  const Environment& env;
  ProblemList problems;
  LocationMap where;
  std::set<std::string, std::less<>> reported;  // key paths with a problem already
  std::string_view text;  // the file's text, to place positions inside quoted and block values
  std::vector<size_t> line_starts;  // offsets in `text` where each line starts; see line()

  void add(int line, int column, const std::string& path, std::string message) {
    problems.add(Problem{file, line, column, path, std::move(message)});
    reported.insert(path);
  }
  // Line `number` (1-based) of `text` without its newline; empty beyond the last. The line
  // starts are found once per file, so placing many values stays linear in the file's size.
  std::string_view line(size_t number) {
    if (line_starts.empty()) {
      line_starts.push_back(0);
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') line_starts.push_back(i + 1);
      }
    }
    if (number == 0 || number > line_starts.size()) return {};
    const size_t start = line_starts[number - 1];
    const size_t end = number < line_starts.size() ? line_starts[number] - 1 : text.size();
    return text.substr(start, end - start);
  }
  size_t line_count() {
    (void)line(1);  // fills line_starts
    return line_starts.size();
  }
  void add(const YamlNode& at, const std::string& path, std::string message) {
    add(at.line, at.column, path, std::move(message));
  }
  void locate(const std::string& path, const YamlNode& n) {
    where.emplace(path, SourceLocation{n.line, n.column});
  }
};

// Reads one mapping: gives out the values of known keys, reports duplicates and unknown keys.
class MapReader {
 public:
  MapReader(Ctx& ctx, const YamlNode& map, std::string path,
            std::vector<std::string_view> known = {})
      : ctx_(ctx), map_(map), path_(std::move(path)), known_(std::move(known)) {
    ctx_.locate(path_, map_);
  }

  void set_known(std::vector<std::string_view> known) { known_ = std::move(known); }
  // One more known key; `key` must outlive the reader (a view into the YAML tree).
  void add_known(std::string_view key) { known_.push_back(key); }

  // Reports keys that are not names, and keys given twice (yaml-cpp's own Node would silently
  // keep one of them).
  void report_duplicates() const {
    std::unordered_map<std::string_view, const YamlNode*> seen;  // linear in the keys
    seen.reserve(map_.entries.size());
    for (const auto& [key, value] : map_.entries) {
      if (key.kind != Kind::scalar) {
        ctx_.add(key, path_, "expected a key name, found " + describe(key));
        continue;
      }
      const auto [first, inserted] = seen.emplace(key.value, &key);
      if (!inserted) {
        ctx_.add(key, join_path(path_, key.value),
                 "duplicate key " + quote(key.value) + " (first at line " +
                     std::to_string(first->second->line) + ", column " +
                     std::to_string(first->second->column) + ")");
      }
    }
  }

  // report_duplicates(), then every key not in `known`, with the nearest known one suggested.
  void finish() const {
    report_duplicates();
    report_unknown();
  }

  const YamlNode& node() const { return map_; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return join_path(path_, key); }

  // The value of `key` (first occurrence), or nullptr if absent.
  const YamlNode* get(std::string_view key) const {
    for (const auto& [k, v] : map_.entries) {
      if (k.kind == Kind::scalar && k.value == key) return &v;
    }
    return nullptr;
  }
  bool has(std::string_view key) const { return get(key) != nullptr; }

  // The value of `key`, or a "missing required key" problem at the mapping's position.
  const YamlNode* require(std::string_view key) const {
    const YamlNode* v = get(key);
    if (v == nullptr) {
      ctx_.add(map_, path_of(key), "missing required key " + quote(key));
    }
    return v;
  }

  void report_unknown() const {
    for (const auto& [key, value] : map_.entries) {
      if (key.kind != Kind::scalar) continue;
      if (std::find(known_.begin(), known_.end(), key.value) != known_.end()) continue;
      std::string message = "unknown key " + quote(key.value);
      std::string_view best;
      size_t best_d = std::numeric_limits<size_t>::max();
      const size_t max_d = std::max<size_t>(2, key.value.size() / 4);
      for (std::string_view k : known_) {
        // The length difference bounds the distance from below: a key far longer than every
        // known one (garbage) costs no O(length) table.
        const size_t longer = std::max(key.value.size(), k.size());
        if (longer - std::min(key.value.size(), k.size()) > max_d) continue;
        const size_t d = edit_distance(key.value, k);
        if (d < best_d) {
          best_d = d;
          best = k;
        }
      }
      if (!best.empty() && best_d <= max_d && best_d < key.value.size()) {
        message += "; did you mean " + quote(best) + "?";
      } else {
        message += "; expected one of: ";
        for (size_t i = 0; i < known_.size(); ++i) {
          message += (i ? ", " : "") + std::string(known_[i]);
        }
      }
      // Not marked as reported: nothing judges an unknown key further, and a file of a million
      // of them would keep a million paths.
      ctx_.problems.add(
          Problem{ctx_.file, key.line, key.column, path_of(key.value), std::move(message)});
    }
  }

 private:
  Ctx& ctx_;
  const YamlNode& map_;
  std::string path_;
  std::vector<std::string_view> known_;
};

// ---- scalar readers: each records the value's position and reports its own problems ----------

// The env-expanded text of a scalar; null reads as "". nullopt after a problem.
std::optional<std::string> read_text(Ctx& ctx, const YamlNode& n, const std::string& path,
                                     std::string_view expected, Secret secret = Secret::no);

void read_string(Ctx& ctx, const MapReader& m, std::string_view key, std::string& out,
                 Secret secret = Secret::no);

void read_required_string(Ctx& ctx, const MapReader& m, std::string_view key, std::string& out);

// An integer in [min, max] from a scalar (plain or quoted, after ${} expansion).
template <class T>
std::optional<T> read_int(Ctx& ctx, const YamlNode& n, const std::string& path, T min, T max) {
  // Small types (ports) show their full range; for wide ones only the lower bound is news.
  const bool wide = sizeof(T) >= 4 && max == std::numeric_limits<T>::max();
  const std::string expected =
      wide && min == 0 ? "a non-negative integer"
      : wide           ? "an integer >= " + std::to_string(min)
                       : "an integer " + std::to_string(min) + ".." + std::to_string(max);
  auto text = read_text(ctx, n, path, expected);
  if (!text) return std::nullopt;
  const std::string_view s = trim(*text);
  const auto fail = [&](std::string why) -> std::optional<T> {
    ctx.add(n, path, "expected " + expected + ", found " + quote(*text) + why);
    return std::nullopt;
  };
  if (n.kind == Kind::null || s.empty()) return fail("");
  const bool negative = s.front() == '-';
  if (negative) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return fail("");
    if (std::is_unsigned_v<T> || v < static_cast<int64_t>(min)) return fail("");
    return static_cast<T>(v);
  }
  uint64_t v = 0;
  std::string_view digits = s.front() == '+' ? s.substr(1) : s;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc::result_out_of_range) return fail(" (out of range)");
  if (ec != std::errc() || p != digits.data() + digits.size()) return fail("");
  if (v > static_cast<uint64_t>(max) || (min > 0 && v < static_cast<uint64_t>(min))) {
    return fail("");
  }
  return static_cast<T>(v);
}

template <class T>
void read_int(Ctx& ctx, const MapReader& m, std::string_view key, T& out,
              T min = std::numeric_limits<T>::min(), T max = std::numeric_limits<T>::max()) {
  if (const YamlNode* n = m.get(key)) {
    if (auto v = read_int<T>(ctx, *n, m.path_of(key), min, max)) out = *v;
  }
}

template <class T>
void read_int(Ctx& ctx, const MapReader& m, std::string_view key, std::optional<T>& out,
              T min = std::numeric_limits<T>::min(), T max = std::numeric_limits<T>::max()) {
  if (const YamlNode* n = m.get(key)) {
    if (auto v = read_int<T>(ctx, *n, m.path_of(key), min, max)) out = *v;
  }
}

std::optional<double> read_number(Ctx& ctx, const YamlNode& n, const std::string& path, double min,
                                  double max);

void read_number(Ctx& ctx, const MapReader& m, std::string_view key, double& out, double min,
                 double max);

void read_number(Ctx& ctx, const MapReader& m, std::string_view key, std::optional<double>& out);

void read_bool(Ctx& ctx, const MapReader& m, std::string_view key, bool& out);

void read_duration(Ctx& ctx, const MapReader& m, std::string_view key,
                   std::chrono::milliseconds& out);

void read_size(Ctx& ctx, const MapReader& m, std::string_view key, uint64_t& out);

// One of `names` (the YAML spellings), via `parse`.
template <class E, class Parse>
void read_enum(Ctx& ctx, const MapReader& m, std::string_view key, E& out, Parse parse,
               std::initializer_list<std::string_view> names) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  const std::string path = m.path_of(key);
  std::string expected = "one of ";
  for (auto it = names.begin(); it != names.end(); ++it) {
    expected += (it == names.begin() ? "" : ", ") + std::string(*it);
  }
  auto text = read_text(ctx, *n, path, expected);
  if (!text) return;
  if (auto v = parse(trim(*text))) {
    out = *v;
  } else {
    ctx.add(*n, path, "expected " + expected + ", found " + quote(*text));
  }
}

// A comma-separated string or a YAML list of strings; entries trimmed, empty ones dropped.
// For `tables` the comma inside a regex quantifier like `{1,3}` is kept.
void read_list(Ctx& ctx, const MapReader& m, std::string_view key, std::vector<std::string>& out);

// A list whose items are mappings; calls f(item_reader_path, item) for each.
template <class F>
void for_each_mapping(Ctx& ctx, const YamlNode& n, const std::string& path, F f) {
  ctx.locate(path, n);
  if (n.kind == Kind::null) return;
  if (n.kind != Kind::sequence) {
    ctx.add(n, path, "expected a list of mappings, found " + describe(n));
    return;
  }
  for (size_t i = 0; i < n.items.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const YamlNode& item = n.items[i];
    if (item.kind != Kind::mapping) {
      ctx.add(item, item_path, "expected a mapping, found " + describe(item));
      continue;
    }
    f(item_path, item);
  }
}

// True if `n` is a mapping; reports it otherwise.
bool expect_mapping(Ctx& ctx, const YamlNode& n, const std::string& path);

}  // namespace cdc::config::yaml
