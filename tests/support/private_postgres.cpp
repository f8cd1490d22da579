#include "tests/support/private_postgres.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/support/child_process.h"
#include "tests/support/postgres_client.h"

namespace cdc::testing {

namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

// As root the server and its tools must run as postgres (initdb refuses root).
std::string as_postgres(const std::string& cmd) {
  return ::geteuid() == 0 ? "runuser -u postgres -- " + cmd : cmd;
}

void sh(const std::string& cmd, const std::string& what) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error(what + " failed: " + cmd);
}

}  // namespace

PrivatePostgres::PrivatePostgres(std::string dir, std::optional<Tls> tls)
    : dir_(std::move(dir)), data_(dir_ + "/data"), port_(free_port()) {
  if (::geteuid() == 0) {
    // make_temp_dir's directories are 0700: user postgres must traverse the parent.
    const std::string parent = std::filesystem::path(dir_).parent_path().string();
    sh("chmod a+x '" + parent + "' && chown postgres:postgres '" + dir_ + "'", "chown");
  }
  sh(as_postgres(std::string(kBin) + "initdb -D '" + data_ +
                 "' -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust "
                 "--auth-host=scram-sha-256 >'" +
                 dir_ + "/initdb.log' 2>&1"),
     "initdb (log " + dir_ + "/initdb.log)");
  {
    std::ofstream conf(data_ + "/postgresql.conf", std::ios::app);
    conf << "listen_addresses = '127.0.0.1'\nport = " << port_ << "\nunix_socket_directories = '"
         << dir_
         << "'\nwal_level = logical\nmax_replication_slots = 10\nmax_wal_senders = 10\n"
            "fsync = off\nshared_buffers = 16MB\n";
    if (tls) conf << "ssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server-key.pem'\n";
  }
  {
    const std::string host = tls ? "hostssl" : "host";
    std::ofstream hba(data_ + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\nlocal replication all trust\n"
        << host << " all all 127.0.0.1/32 scram-sha-256\n"
        << host << " replication all 127.0.0.1/32 scram-sha-256\n";
  }
  if (tls) {
    sh("cp '" + tls->cert + "' '" + data_ + "/server.pem' && cp '" + tls->key + "' '" + data_ +
           "/server-key.pem' && chmod 600 '" + data_ + "/server-key.pem'",
       "copying the TLS files");
  }
  if (::geteuid() == 0) sh("chown -R postgres:postgres '" + data_ + "'", "chown");
  start();
  PgSession su{PgSession::Conninfo{superuser_conninfo("postgres")}};
  su.run("CREATE ROLE sluice LOGIN REPLICATION PASSWORD '" + std::string(kPassword) + "'");
  su.run("CREATE DATABASE " + std::string(kDatabase) + " OWNER sluice");
}

PrivatePostgres::~PrivatePostgres() {
  if (!running_) return;
  try {
    stop(true);
  } catch (...) {  // ignored because a destructor must not throw; the test failed already
  }
}

std::string PrivatePostgres::pg_ctl(const std::string& args) const {
  return as_postgres(std::string(kBin) + "pg_ctl -D '" + data_ + "' -w -t 60 " + args + " >>'" +
                     dir_ + "/pg_ctl.log' 2>&1");
}

void PrivatePostgres::start() {
  sh(pg_ctl("-l '" + dir_ + "/postgres.log' start"),
     "starting the private PostgreSQL (log " + dir_ + "/postgres.log)");
  running_ = true;
}

void PrivatePostgres::stop(bool crash) {
  sh(pg_ctl(std::string("-m ") + (crash ? "immediate" : "fast") + " stop"),
     "stopping the private PostgreSQL");
  running_ = false;
}

std::string PrivatePostgres::sluice_conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=sluice password=" + kPassword +
         " dbname=" + kDatabase + " sslmode=prefer";
}

std::string PrivatePostgres::superuser_conninfo(const std::string& database) const {
  return "host=" + dir_ + " port=" + std::to_string(port_) +
         " user=postgres dbname=" + (database.empty() ? std::string(kDatabase) : database);
}

std::string PrivatePostgres::source_yaml(const std::string& tables, const std::string& slot,
                                         const std::string& extra) const {
  return "source:\n  type: postgres\n  hostname: 127.0.0.1\n  port: " + std::to_string(port_) +
         "\n  username: sluice\n  password: " + kPassword + "\n  database-name: " + kDatabase +
         "\n  tables: '" + tables + "'\n  slot.name: " + slot +
         "\n  scan.startup.mode: latest-offset\n" + extra;
}

}  // namespace cdc::testing
