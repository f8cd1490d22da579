// PrivateRedis: a redis-server of the test's own (a free port, the test's directory,
// appendonly with fsync on every write so that an acknowledged EXEC survives a SIGKILL), so
// that restarting or reconfiguring it disturbs no other test. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace cdc::testing {

class PrivateRedis {
 public:
  // `extra` is appended to the command line (e.g. {"--requirepass", "pw"}). Starts it; a server
  // that does not answer PING within 10 s fails the test.
  explicit PrivateRedis(std::string dir, std::vector<std::string> extra = {});
  int port() const { return port_; }
  void start();
  // Stops it with `sig` (SIGTERM: AOF flushed; SIGKILL: a crash) and waits for the exit.
  void stop(int sig);

 private:
  std::string dir_;
  std::vector<std::string> extra_;
  int port_;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace cdc::testing
