#include "cdc/core/log_line.h"

#include <utility>
#include <vector>

#include "cdc/core/text.h"

namespace cdc::log {

namespace {

// Splits "[k=v k2=v2] rest" into its pairs and "rest"; a message without that prefix (or with
// a bracket that is not one) is all message. A word without '=' after a pair belongs to that
// pair's value: pipeline names are free text ("[pipeline=MySQL to Kafka pos=...]").
std::vector<std::pair<std::string_view, std::string_view>> split_context(
    std::string_view& message) {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  if (!message.starts_with('[')) return fields;
  const size_t close = message.find("] ");
  if (close == std::string_view::npos) return fields;
  std::string_view inner = message.substr(1, close - 1);
  while (!inner.empty()) {
    const size_t space = inner.find(' ');
    const std::string_view item = inner.substr(0, space);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      if (fields.empty()) return {};
      std::string_view& value = fields.back().second;
      value = std::string_view(value.data(),
                               static_cast<size_t>(item.data() + item.size() - value.data()));
    } else {
      fields.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    inner = space == std::string_view::npos ? std::string_view{} : inner.substr(space + 1);
  }
  message.remove_prefix(close + 2);
  return fields;
}

}  // namespace

void append_json_line(std::string& out, int64_t unix_ms, std::string_view level,
                      std::string_view logger, std::string_view message) {
  auto fields = split_context(message);
  out += "{\"time\":";
  append_json_quoted(out, format_utc_millis(unix_ms));
  out += ",\"level\":";
  append_json_quoted(out, level);
  out += ",\"logger\":";
  append_json_quoted(out, logger);
  out += ",\"pipeline\":";
  std::string_view pipeline;
  for (const auto& [k, v] : fields) {
    if (k == "pipeline") pipeline = v;
  }
  if (pipeline.empty()) {
    out += "null";
  } else {
    append_json_quoted(out, pipeline);
  }
  out += ",\"message\":";
  append_json_quoted(out, message);
  out += ",\"fields\":{";
  bool first = true;
  for (const auto& [k, v] : fields) {
    if (k == "pipeline") continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_quoted(out, k);
    out.push_back(':');
    append_json_quoted(out, v);
  }
  out += "}}\n";
}

}  // namespace cdc::log
