#include "cdc/core/log.h"

#include <chrono>
#include <mutex>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>

#include "cdc/core/log_line.h"

namespace cdc::log {

namespace {
std::mutex g_mutex;  // guards creation of loggers, g_level and g_json
spdlog::level::level_enum g_level = spdlog::level::info;
bool g_json = false;
constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v";

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const auto level = spdlog::level::to_string_view(msg.level);
    append_json_line(line, ms, std::string_view(level.data(), level.size()),
                     std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                     std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

void apply_format(spdlog::logger& logger) {
  if (g_json) {
    logger.set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger.set_pattern(kTextPattern);
  }
}
}  // namespace

std::shared_ptr<spdlog::logger> get(std::string_view module) {
  std::lock_guard lock(g_mutex);
  const std::string name(module);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_color_mt(name);
  apply_format(*logger);
  logger->set_level(g_level);
  return logger;
}

bool set_level(std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return false;
  std::lock_guard lock(g_mutex);
  g_level = lvl;
  spdlog::set_level(lvl);
  return true;
}

bool set_format(std::string_view format) {
  if (format != "text" && format != "json") return false;
  std::lock_guard lock(g_mutex);
  g_json = format == "json";
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { apply_format(*l); });
  return true;
}

}  // namespace cdc::log
