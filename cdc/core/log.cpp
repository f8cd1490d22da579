#include "cdc/core/log.h"

#include <mutex>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cdc::log {

namespace {
std::mutex g_mutex;  // guards creation of loggers and g_level
spdlog::level::level_enum g_level = spdlog::level::info;
}  // namespace

std::shared_ptr<spdlog::logger> get(std::string_view module) {
  std::lock_guard lock(g_mutex);
  const std::string name(module);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
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

}  // namespace cdc::log
