#include "tests/support/private_mariadb.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

namespace cdc::testing {

namespace {

void must(const CommandResult& r, const std::string& what) {
  if (r.exit_code != 0) {
    throw std::runtime_error(what + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
  }
}

void write_config(const std::string& dir, int port, int server_id) {
  ::mkdir((dir + "/tmp").c_str(), 0755);  // private temporary tables (tools/services.sh says why)
  // As ENVIRONMENT.md says: always a defaults file of our own, else /etc/mysql/my.cnf applies.
  // Durability is relaxed: a killed server of these tests is never started again.
  std::ofstream(dir + "/my.cnf")
      << "[mysqld]\ndatadir=" << dir << "/data\ntmpdir=" << dir << "/tmp\nsocket=" << dir
      << "/mariadb.sock\npid-file=" << dir << "/mariadbd.pid\nport=" << port
      << "\nbind-address=127.0.0.1\nskip-name-resolve\nlog-error=" << dir
      << "/mariadb.log\ncharacter-set-server=utf8mb4\nlog_bin=mysql-bin\nbinlog_format=ROW\n"
         "binlog_row_image=FULL\nbinlog_row_metadata=FULL\nserver_id="
      << server_id
      << "\ngtid_strict_mode=ON\nlog_slave_updates=ON\nbinlog_checksum=CRC32\n"
         "innodb_buffer_pool_size=32M\ninnodb_log_file_size=16M\n"
         "innodb_flush_log_at_trx_commit=2\nperformance_schema=OFF\n";
}

void own_for_mysqld(const std::string& dir) {
  ::chmod(dir.c_str(), 0755);
  if (::geteuid() == 0) {
    must(run_command({"/bin/chown", "-R", "mysql:mysql", dir}, std::chrono::seconds(30)), "chown");
  }
}

}  // namespace

std::string PrivateMariadb::initialise(const std::string& dir) {
  write_config(dir, 0, 1);
  own_for_mysqld(dir);
  std::vector<std::string> install{"/usr/bin/mariadb-install-db",
                                   "--defaults-file=" + dir + "/my.cnf",
                                   "--auth-root-authentication-method=socket", "--skip-test-db"};
  if (::geteuid() == 0) install.push_back("--user=mysql");
  must(run_command(install, std::chrono::seconds(180)), "mariadb-install-db in " + dir);
  return dir + "/data";
}

PrivateMariadb::PrivateMariadb(std::string dir, int server_id, const std::string& seed)
    : dir_(std::move(dir)), server_id_(server_id), port_(free_port()) {
  socket_ = dir_ + "/mariadb.sock";
  ::mkdir(dir_.c_str(), 0755);
  must(run_command({"/bin/cp", "-a", seed, dir_ + "/data"}, std::chrono::seconds(60)),
       "copying " + seed);
  write_config(dir_, port_, server_id_);
  own_for_mysqld(dir_);
  start();
  // The sluice user as tools/services.sh makes it, outside the binlog: a replica of this
  // server must not receive it (its own copy would break gtid_strict_mode).
  MariaDbSession sql(socket_);
  sql.run("SET SESSION sql_log_bin = 0");
  sql.run("CREATE USER 'sluice'@'127.0.0.1' IDENTIFIED BY '" +
          service_value("SLUICE_MARIADB_PASSWORD") + "'");
  sql.run(
      "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, REPLICA MONITOR, "
      "INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, BINLOG ADMIN ON *.* TO "
      "'sluice'@'127.0.0.1'");
}

PrivateMariadb::~PrivateMariadb() {
  if (server_ && server_->running()) {
    server_->signal(SIGTERM);
    if (!server_->wait(std::chrono::seconds(30))) server_->signal(SIGKILL);
    server_->wait(std::chrono::seconds(10));
  }
}

void PrivateMariadb::start() {
  std::vector<std::string> argv{"/usr/sbin/mariadbd", "--defaults-file=" + dir_ + "/my.cnf"};
  if (::geteuid() == 0) argv.push_back("--user=mysql");
  server_ = std::make_unique<ChildProcess>(argv, dir_ + "/mariadbd.out", dir_ + "/mariadbd.err");
  for (int i = 0; i < 600; ++i) {  // 60 s
    try {
      MariaDbSession probe(socket_);
      return;
    } catch (const std::exception&) {
      if (!server_->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  throw std::runtime_error("private mariadbd did not start on port " + std::to_string(port_) +
                           " (log " + dir_ + "/mariadb.log)");
}

void PrivateMariadb::replicate_from(const PrivateMariadb& primary) {
  MariaDbSession sql(socket_);
  sql.run(
      "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + std::to_string(primary.port()) +
      ", MASTER_USER='sluice', MASTER_PASSWORD='" + service_value("SLUICE_MARIADB_PASSWORD") +
      "', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1");
  sql.run("START SLAVE");
  for (int i = 0; i < 300; ++i) {  // 30 s
    const auto rows = sql.query(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = "
        "'SLAVE_RUNNING'");
    if (!rows.empty() && rows[0][0] == "ON") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("the replica on port " + std::to_string(port_) +
                           " did not start replicating (log " + dir_ + "/mariadb.log)");
}

void PrivateMariadb::kill() {
  server_->signal(SIGKILL);
  if (!server_->wait(std::chrono::seconds(20))) {
    throw std::runtime_error("private mariadbd on port " + std::to_string(port_) + " did not die");
  }
}

}  // namespace cdc::testing
