#include "config/yaml_reader.h"

#include "config/units.h"

namespace cdc::config::yaml {

std::string describe(const YamlNode& n, Secret secret) {
  switch (n.kind) {
    case Kind::null: return "an empty value";
    case Kind::sequence: return "a list";
    case Kind::mapping: return "a mapping";
    case Kind::scalar: return secret == Secret::yes ? "<redacted>" : quote(n.value);
  }
  return "?";
}

namespace {

std::string hex_byte(unsigned char b) {
  static constexpr char kHex[] = "0123456789abcdef";
  return {kHex[b >> 4], kHex[b & 0xF]};
}

}  // namespace

std::optional<std::string> read_text(Ctx& ctx, const YamlNode& n, const std::string& path,
                                     std::string_view expected, Secret secret) {
  ctx.locate(path, n);
  if (n.kind == Kind::null) return std::string();
  if (n.kind != Kind::scalar) {
    ctx.add(n, path, "expected " + std::string(expected) + ", found " + describe(n, secret));
    return std::nullopt;
  }
  auto expanded = expand_env(n.value, ctx.env);
  if (!expanded) {
    ctx.add(n, path, expanded.error().message);
    return std::nullopt;
  }
  // Every value goes on as UTF-8 (to servers, JSON, logs); a byte that is not, in a password
  // say, would fail far from here or be sent mangled. The value itself is not shown: it may be
  // a secret, and the terminal would receive the bad bytes.
  if (const size_t bad = invalid_utf8_offset(*expanded); bad != std::string::npos) {
    ctx.add(n, path,
            "expected " + std::string(expected) + " in UTF-8, found a byte that is not UTF-8 (0x" +
                hex_byte(static_cast<unsigned char>((*expanded)[bad])) + " at byte " +
                std::to_string(bad) + " of the value)");
    return std::nullopt;
  }
  return std::move(expanded).value();
}

void read_string(Ctx& ctx, const MapReader& m, std::string_view key, std::string& out,
                 Secret secret) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  if (auto s = read_text(ctx, *n, m.path_of(key), "a string", secret)) out = std::move(*s);
}

void read_required_string(Ctx& ctx, const MapReader& m, std::string_view key, std::string& out) {
  if (m.require(key) != nullptr) read_string(ctx, m, key, out);
}

std::optional<double> read_number(Ctx& ctx, const YamlNode& n, const std::string& path, double min,
                                  double max) {
  std::ostringstream expected;
  expected << "a number";
  if (max == std::numeric_limits<double>::infinity()) {
    if (min != -std::numeric_limits<double>::infinity()) expected << " >= " << min;
  } else {
    expected << " " << min << ".." << max;
  }
  auto text = read_text(ctx, n, path, expected.str());
  if (!text) return std::nullopt;
  const std::string_view s = trim(*text);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !(v >= min && v <= max)) {
    ctx.add(n, path, "expected " + expected.str() + ", found " + quote(*text));
    return std::nullopt;
  }
  return v;
}

void read_number(Ctx& ctx, const MapReader& m, std::string_view key, double& out, double min,
                 double max) {
  if (const YamlNode* n = m.get(key)) {
    if (auto v = read_number(ctx, *n, m.path_of(key), min, max)) out = *v;
  }
}

void read_number(Ctx& ctx, const MapReader& m, std::string_view key, std::optional<double>& out) {
  if (const YamlNode* n = m.get(key)) {
    const double inf = std::numeric_limits<double>::infinity();
    if (auto v = read_number(ctx, *n, m.path_of(key), -inf, inf)) out = *v;
  }
}

void read_bool(Ctx& ctx, const MapReader& m, std::string_view key, bool& out) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  const std::string path = m.path_of(key);
  auto text = read_text(ctx, *n, path, "true or false");
  if (!text) return;
  std::string s(trim(*text));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true") {
    out = true;
  } else if (s == "false") {
    out = false;
  } else {
    ctx.add(*n, path, "expected true or false, found " + quote(*text));
  }
}

void read_duration(Ctx& ctx, const MapReader& m, std::string_view key,
                   std::chrono::milliseconds& out) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  const std::string path = m.path_of(key);
  auto text = read_text(ctx, *n, path, "a duration such as 500ms, 10s, 5min, 2h or 1d");
  if (!text) return;
  auto d = parse_duration(*text);
  if (!d) {
    ctx.add(*n, path, d.error().message);
    return;
  }
  out = *d;
}

void read_size(Ctx& ctx, const MapReader& m, std::string_view key, uint64_t& out) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  const std::string path = m.path_of(key);
  auto text = read_text(ctx, *n, path, "a size such as 512b, 64kb, 10mb or 1gb");
  if (!text) return;
  auto s = parse_size(*text);
  if (!s) {
    ctx.add(*n, path, s.error().message);
    return;
  }
  out = *s;
}

void read_list(Ctx& ctx, const MapReader& m, std::string_view key, std::vector<std::string>& out) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  const std::string path = m.path_of(key);
  ctx.locate(path, *n);
  std::vector<std::string> result;
  const auto split = [&](std::string_view s) {
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
      const char c = i < s.size() ? s[i] : ',';
      if (c == '{' || c == '(' || c == '[') ++depth;
      if ((c == '}' || c == ')' || c == ']') && depth > 0) --depth;
      if (c == ',' && (depth == 0 || i == s.size())) {
        std::string_view item = trim(s.substr(start, i - start));
        if (!item.empty()) result.emplace_back(item);
        start = i + 1;
      }
    }
  };
  if (n->kind == Kind::sequence) {
    bool ok = true;
    for (size_t i = 0; i < n->items.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (auto s = read_text(ctx, n->items[i], item_path, "a string")) {
        std::string_view item = trim(*s);
        if (!item.empty()) result.emplace_back(item);
      } else {
        ok = false;
      }
    }
    if (!ok) {
      ctx.reported.insert(path);  // the list as a whole is judged no further
      return;
    }
  } else {
    auto text = read_text(ctx, *n, path, "a comma-separated string or a list of strings");
    if (!text) return;
    split(*text);
  }
  out = std::move(result);
}

bool expect_mapping(Ctx& ctx, const YamlNode& n, const std::string& path) {
  ctx.locate(path, n);
  if (n.kind == Kind::mapping) return true;
  ctx.add(n, path, "expected a mapping, found " + describe(n));
  return false;
}

}  // namespace cdc::config::yaml
