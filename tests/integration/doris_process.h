// DorisProcess: the Doris test server (tests/fakes/doris) as a child process of a test, with
// its control port and the SQL API to read tables back; or, with $SLUICE_DORIS_FE_PORT set, a
// real Doris (deploy/doris). Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sinks/doris/doris_client.h"
#include "tests/support/child_process.h"

namespace cdc::testing {

using SqlRows = std::vector<sinks::doris::SqlRow>;

class DorisProcess {
 public:
  explicit DorisProcess(const std::vector<std::string>& extra_args = {});
  ~DorisProcess();

  int fe_port() const { return fe_port_; }
  int be_port() const { return be_port_; }
  const std::string& password() const { return password_; }
  // True for a real Doris named by $SLUICE_DORIS_FE_PORT (deploy/doris/run-tests.sh).
  bool external() const { return external_; }
  // The number after `word` in the control port's "stats" line ("loads", "max_commits", ...).
  long stat(const std::string& word);
  // SIGKILLs the test server; restart() starts it again with the same arguments on the same
  // ports (with --data-dir in the arguments: on the same data, as after a crash of Doris).
  void kill();
  void restart();
  // One control command ("restart_be", "fail 2", "stats"); returns the answer line.
  std::string control(const std::string& command);
  // Runs a statement through the FE's SQL API (the sink's DorisClient); REQUIREs success.
  // Cells as text (numbers as their JSON text), nullopt for NULL.
  SqlRows sql(const std::string& db, const std::string& stmt);
  // As sql(), nullopt when Doris refuses the statement (a table not created yet).
  std::optional<SqlRows> try_sql(const std::string& db, const std::string& stmt);
  const std::string& log() const { return log_; }

 private:
  void start(const std::vector<std::string>& port_args);

  std::string dir_;
  std::vector<std::string> extra_args_;
  std::string log_;
  std::unique_ptr<ChildProcess> child_;
  int fe_port_ = 0;
  int be_port_ = 0;
  int control_port_ = 0;
  std::string last_answer_;
  std::string password_ = "pw";
  bool external_ = false;
  std::unique_ptr<sinks::doris::DorisClient> client_;
};

}  // namespace cdc::testing
