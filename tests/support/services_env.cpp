#include "tests/support/services_env.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace cdc::testing {

namespace {
std::map<std::string, std::string> load() {
  const char* path = std::getenv("SLUICE_SERVICES_ENV");
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error(
        "SLUICE_SERVICES_ENV is not set: integration tests need the services started by "
        "tools/services.sh start (tools/test.sh does this)");
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot read services env file ") + path);
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line.erase(0, 7);
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[line.substr(0, eq)] = value;
  }
  return out;
}
}  // namespace

const std::map<std::string, std::string>& services_env() {
  static const std::map<std::string, std::string> env = load();
  return env;
}

std::string service_value(const std::string& key) {
  const auto& env = services_env();
  auto it = env.find(key);
  if (it == env.end()) throw std::runtime_error("services env file has no " + key);
  return it->second;
}

int service_port(const std::string& key) { return std::stoi(service_value(key)); }

std::string source_dir() { return SLUICE_SOURCE_DIR; }
std::string binary_dir() { return SLUICE_BINARY_DIR; }
std::string sluice_binary() { return binary_dir() + "/cdc/daemon/sluice"; }

std::string mysql_source_yaml(const std::string& tables, int server_id, const std::string& user,
                              const std::string& password) {
  return "source:\n"
         "  type: mysql\n"
         "  hostname: 127.0.0.1\n"
         "  port: " +
         service_value("SLUICE_MARIADB_PORT") +
         "\n"
         "  username: " +
         (user.empty() ? service_value("SLUICE_MARIADB_USER") : user) +
         "\n"
         "  password: " +
         (password.empty() ? service_value("SLUICE_MARIADB_PASSWORD") : password) +
         "\n"
         "  tables: " +
         tables +
         "\n"
         "  server-id: " +
         std::to_string(server_id) +
         "\n"
         "  scan.startup.mode: latest-offset\n";
}

}  // namespace cdc::testing
