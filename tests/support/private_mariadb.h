// PrivateMariadb: a mariadbd of the test's own (a free port, a data dir in the test's
// directory, GTID binlog settings as users run them: log_bin, ROW, FULL image and metadata,
// gtid_strict_mode, log_slave_updates), for tests that need several servers (replication,
// failover) or to kill one without disturbing the services' server. It has the services'
// sluice user and password. Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace cdc::testing {

class PrivateMariadb {
 public:
  // A fresh data dir (mariadb-install-db, the slow part: seconds) in `dir`, to be copied by
  // each server; returns its path.
  static std::string initialise(const std::string& dir);
  // Copies `seed` (from initialise) into `dir` (made world-traversable: mariadbd runs as mysql
  // under root) and starts the server with `server_id`; one that does not answer within 60 s
  // fails the test.
  PrivateMariadb(std::string dir, int server_id, const std::string& seed);
  ~PrivateMariadb();
  int port() const { return port_; }
  const std::string& socket() const { return socket_; }
  // Makes it a replica of `primary` (GTID replication, slave_pos) and waits until it runs.
  void replicate_from(const PrivateMariadb& primary);
  // SIGKILL: a crash, nothing flushed; waits for the exit.
  void kill();

 private:
  void start();

  std::string dir_;
  int server_id_;
  int port_;
  std::string socket_;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace cdc::testing
