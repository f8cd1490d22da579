#include "tests/support/mariadb_client.h"

#include <mysql.h>

#include <stdexcept>

#include "tests/support/services_env.h"

namespace cdc::testing {

MariaDbSession::MariaDbSession(As who) : m_(mysql_init(nullptr)) {
  bool ok;
  if (who == As::root) {
    ok = mysql_real_connect(m_, nullptr, "root", nullptr, nullptr, 0,
                            service_value("SLUICE_MARIADB_ROOT_SOCKET").c_str(), 0) != nullptr;
  } else {
    ok = mysql_real_connect(m_, service_value("SLUICE_MARIADB_HOST").c_str(),
                            service_value("SLUICE_MARIADB_USER").c_str(),
                            service_value("SLUICE_MARIADB_PASSWORD").c_str(), nullptr,
                            static_cast<unsigned>(service_port("SLUICE_MARIADB_PORT")), nullptr,
                            0) != nullptr;
  }
  if (!ok) {
    const std::string why = mysql_error(m_);
    mysql_close(m_);
    throw std::runtime_error("connecting to the test MariaDB: " + why);
  }
  run("SET NAMES utf8mb4");
}

MariaDbSession::MariaDbSession(const std::string& root_socket) : m_(mysql_init(nullptr)) {
  if (mysql_real_connect(m_, nullptr, "root", nullptr, nullptr, 0, root_socket.c_str(), 0) ==
      nullptr) {
    const std::string why = mysql_error(m_);
    mysql_close(m_);
    throw std::runtime_error("connecting to the MariaDB at " + root_socket + ": " + why);
  }
  run("SET NAMES utf8mb4");
}

MariaDbSession::~MariaDbSession() { mysql_close(m_); }

void MariaDbSession::run(const std::string& sql) {
  if (mysql_query(m_, sql.c_str()) != 0) {
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(m_)) + " in: " + sql);
  }
  if (MYSQL_RES* r = mysql_store_result(m_)) mysql_free_result(r);
}

std::vector<std::vector<std::optional<std::string>>> MariaDbSession::query(const std::string& sql) {
  if (mysql_query(m_, sql.c_str()) != 0) {
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(m_)) + " in: " + sql);
  }
  std::vector<std::vector<std::optional<std::string>>> rows;
  MYSQL_RES* r = mysql_store_result(m_);
  if (r == nullptr) return rows;
  const unsigned cols = mysql_num_fields(r);
  while (MYSQL_ROW row = mysql_fetch_row(r)) {
    unsigned long* lengths = mysql_fetch_lengths(r);
    auto& out = rows.emplace_back();
    for (unsigned c = 0; c < cols; ++c) {
      if (row[c] == nullptr)
        out.emplace_back();
      else
        out.emplace_back(std::string(row[c], lengths[c]));
    }
  }
  mysql_free_result(r);
  return rows;
}

}  // namespace cdc::testing
