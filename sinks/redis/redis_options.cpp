#include "sinks/redis/redis_options.h"

#include "cdc/core/enum_names.h"

namespace cdc::sinks::redis {
namespace {

constexpr EnumNames<Mode, 4> kModes{{
    {Mode::string, "string"},
    {Mode::hash, "hash"},
    {Mode::invalidate, "invalidate"},
    {Mode::stream, "stream"},
}};

}  // namespace

std::string_view to_string(Mode v) { return enum_name(kModes, v); }
std::optional<Mode> parse_mode(std::string_view s) { return enum_value(kModes, s); }

Result<std::vector<KeyPart>> parse_key_template(std::string_view text) {
  const auto bad = [&](size_t at, std::string_view what) {
    return make_error(Errc::invalid_config, "key template '" + std::string(text) +
                                                "': " + std::string(what) + " at offset " +
                                                std::to_string(at));
  };
  if (text.empty()) return make_error(Errc::invalid_config, "expected a key template, found ''");
  std::vector<KeyPart> parts;
  std::string literal;
  const auto flush_literal = [&] {
    if (!literal.empty()) parts.push_back({false, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      return bad(i, "'}' without '{' (write '}}' for a literal brace)");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) return bad(i, "'{' is not closed");
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (name.empty()) return bad(i, "empty placeholder '{}'");
    if (name.find('{') != std::string_view::npos) return bad(i, "'{' inside a placeholder");
    flush_literal();
    parts.push_back({true, std::string(name)});
    i = close;
  }
  flush_literal();
  return parts;
}

}  // namespace cdc::sinks::redis
