#include "config/environment.h"

#include <cstdlib>

namespace cdc::config {

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    const char* v = std::getenv(key.c_str());  // NOLINT(concurrency-mt-unsafe): read at startup
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Environment map_environment(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

namespace {
bool valid_var_name(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}
}  // namespace

Result<std::string> expand_env(std::string_view text, const Environment& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return make_error(Errc::invalid_config, "unterminated '${' (write '$${' for a literal '${')");
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    const size_t sep = inner.find(":-");
    const std::string_view name = inner.substr(0, sep);
    if (!valid_var_name(name)) {
      return make_error(Errc::invalid_config,
                        "invalid environment variable name '" + std::string(name) +
                            "' in '${...}' (expected [A-Za-z_][A-Za-z0-9_]*)");
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (sep != std::string_view::npos && (!value || value->empty())) {
      value = std::string(inner.substr(sep + 2));
    }
    if (!value) {
      return make_error(Errc::invalid_config, "environment variable '" + std::string(name) +
                                                  "' is not set (write ${" + std::string(name) +
                                                  ":-default} to give a default)");
    }
    out += *value;
    i = close + 1;
  }
  return out;
}

}  // namespace cdc::config
