// ChildProcess: runs a program (the sluice binary) for integration tests, with stdout and
// stderr redirected to files, and kills it if the test forgets. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cdc::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; output goes to stdout_path/stderr_path (appended).
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
               const std::string& stderr_path);
  ~ChildProcess();  // SIGKILLs and reaps a child that is still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits up to `timeout` for the exit; returns the exit code (128+signal when killed), or
  // nullopt if still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Runs a command to completion (bounded by `timeout`), returning its exit code and output.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();
// A fresh directory under /tmp, removed by the caller.
std::string make_temp_dir(const std::string& prefix);
std::string read_file(const std::string& path);

}  // namespace cdc::testing
