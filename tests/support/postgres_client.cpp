#include "tests/support/postgres_client.h"

#include <libpq-fe.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/services_env.h"

namespace cdc::testing {

PgSession::PgSession(As as, const std::string& database) {
  const std::string db = database.empty() ? service_value("SLUICE_PG_DATABASE") : database;
  std::string conninfo;
  if (as == As::superuser) {
    conninfo = "host=" + service_value("SLUICE_PG_SOCKET_DIR") +
               " port=" + service_value("SLUICE_PG_PORT") +
               " user=" + service_value("SLUICE_PG_SUPERUSER") + " dbname=" + db;
  } else {
    conninfo = "host=" + service_value("SLUICE_PG_HOST") +
               " port=" + service_value("SLUICE_PG_PORT") +
               " user=" + service_value("SLUICE_PG_USER") +
               " password=" + service_value("SLUICE_PG_PASSWORD") + " dbname=" + db;
  }
  connect(conninfo);
}

PgSession::PgSession(const Conninfo& conninfo) { connect(conninfo.text); }

void PgSession::connect(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string msg = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("connecting to PostgreSQL: " + msg);
  }
}

PgSession::~PgSession() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::vector<std::vector<std::optional<std::string>>> PgSession::query(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error("PostgreSQL: " + msg + " in: " + sql);
  }
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (int row = 0; row < PQntuples(r); ++row) {
    auto& out = rows.emplace_back();
    for (int col = 0; col < PQnfields(r); ++col) {
      if (PQgetisnull(r, row, col)) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col)));
      }
    }
  }
  PQclear(r);
  return rows;
}

int PgSession::backend_pid() const { return PQbackendPID(conn_); }

void PgSession::run(const std::string& sql) { (void)query(sql); }

std::string PgSession::scalar(const std::string& sql) {
  auto rows = query(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

std::string postgres_source_yaml(const std::string& tables, const std::string& slot,
                                 const std::string& extra) {
  return "source:\n"
         "  type: postgres\n"
         "  hostname: " +
         service_value("SLUICE_PG_HOST") +
         "\n"
         "  port: " +
         service_value("SLUICE_PG_PORT") +
         "\n"
         "  username: " +
         service_value("SLUICE_PG_USER") +
         "\n"
         "  password: " +
         service_value("SLUICE_PG_PASSWORD") +
         "\n"
         "  database-name: " +
         service_value("SLUICE_PG_DATABASE") +
         "\n"
         "  tables: '" +
         tables +
         "'\n"
         "  slot.name: " +
         slot + "\n  scan.startup.mode: latest-offset\n" + extra;
}

void drop_slot_and_publication(const std::string& slot) {
  PgSession su(PgSession::As::superuser);
  for (int i = 0; i < 50; ++i) {
    if (su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot +
                  "' AND active") == "0")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
}

}  // namespace cdc::testing
