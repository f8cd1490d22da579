// MariaDbSession: a libmariadb connection for integration tests to change data and read it
// back, with the sluice user over TCP or root over the services' private socket. A failed
// statement throws std::runtime_error with the server's message, failing the test.
#pragma once

#include <optional>
#include <string>
#include <vector>

struct st_mysql;

namespace cdc::testing {

class MariaDbSession {
 public:
  enum class As { sluice_user, root };
  explicit MariaDbSession(As who = As::sluice_user);  // from the services env file
  // root over the unix socket of a server of the test's own (tests/support/private_mariadb.h).
  explicit MariaDbSession(const std::string& root_socket);
  ~MariaDbSession();
  MariaDbSession(const MariaDbSession&) = delete;
  MariaDbSession& operator=(const MariaDbSession&) = delete;

  void run(const std::string& sql);
  // Rows of a query, each a list of column texts (nullopt for NULL).
  std::vector<std::vector<std::optional<std::string>>> query(const std::string& sql);

 private:
  st_mysql* m_;
};

}  // namespace cdc::testing
