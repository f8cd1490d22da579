// PgSession: a libpq session to the services' PostgreSQL for integration tests, either as the
// sluice role over TCP (the credentials of services.env) or as the superuser over the private
// socket. Throws std::runtime_error (failing the test with the server's message) on any error.
#pragma once

#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace cdc::testing {

class PgSession {
 public:
  enum class As { sluice, superuser };
  explicit PgSession(As as = As::sluice, const std::string& database = "");
  // Any server (a test's PrivatePostgres): a libpq connection string.
  struct Conninfo {
    std::string text;
  };
  explicit PgSession(const Conninfo& conninfo);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  void run(const std::string& sql);
  std::vector<std::vector<std::optional<std::string>>> query(const std::string& sql);
  // The first column of the first row ("" for NULL or no row).
  std::string scalar(const std::string& sql);
  // The backend's PID (to find its walsender or to terminate it).
  int backend_pid() const;

 private:
  void connect(const std::string& conninfo);
  pg_conn* conn_ = nullptr;
};

// The `source:` section of a pipeline file reading `tables` (db.schema.table regexes) of the
// services' database through slot `slot` from `scan.startup.mode: latest-offset` (replace that
// line for another mode), plus `extra` lines (already indented by two spaces).
std::string postgres_source_yaml(const std::string& tables, const std::string& slot,
                                 const std::string& extra = "");

// Drops replication slot `slot` (once no backend holds it, waiting up to 5 s) and the
// publication sluice made for it: a slot left behind retains WAL forever.
void drop_slot_and_publication(const std::string& slot);

// drop_slot_and_publication at the end of a test, however it ends (errors ignored).
struct PgSlotGuard {
  std::string slot;
  ~PgSlotGuard() {
    try {
      drop_slot_and_publication(slot);
    } catch (...) {
    }
  }
};

}  // namespace cdc::testing
