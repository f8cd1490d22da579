// PrivatePostgres: a PostgreSQL 15 cluster of the test's own (initdb in the test's directory, a
// free port, wal_level logical), for tests that stop, crash or reconfigure the server (TLS)
// without disturbing the services' one. Role `sluice` (LOGIN REPLICATION, password) owns the
// database `sluice_test`; the superuser `postgres` logs in over the private socket. As root,
// the server runs as user postgres. Any failing step throws std::runtime_error. Not
// thread-safe.
#pragma once

#include <optional>
#include <string>

namespace cdc::testing {

class PrivatePostgres {
 public:
  // A server certificate and key (PEM files), copied into the data directory; with them the
  // server accepts TCP connections over TLS only (pg_hba `hostssl`).
  struct Tls {
    std::string cert;
    std::string key;
  };

  // initdb and start; `dir` must exist and is the test's to remove. As root, its parent is made
  // traversable (a+x) and `dir` is given to user postgres.
  explicit PrivatePostgres(std::string dir, std::optional<Tls> tls = std::nullopt);
  ~PrivatePostgres();  // an immediate stop if it still runs
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  int port() const { return port_; }
  static constexpr const char* kPassword = "sluice_pw";
  static constexpr const char* kDatabase = "sluice_test";

  void start();
  // pg_ctl stop: fast (clean shutdown, walsenders cut) or immediate (a crash: WAL recovery at
  // the next start).
  void stop(bool crash);

  // libpq connection strings: the sluice role over TCP, the superuser over the socket.
  std::string sluice_conninfo() const;
  std::string superuser_conninfo(const std::string& database = "") const;
  // A `source:` section reading `tables` through slot `slot` from latest-offset (as
  // postgres_source_yaml does for the services' server), plus `extra` lines indented by two
  // spaces.
  std::string source_yaml(const std::string& tables, const std::string& slot,
                          const std::string& extra = "") const;

 private:
  std::string pg_ctl(const std::string& args) const;

  std::string dir_;
  std::string data_;
  int port_;
  bool running_ = false;
};

}  // namespace cdc::testing
