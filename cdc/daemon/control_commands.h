// The CLI over the control API and the savepoints in a state store: `sluice status`,
// `sluice savepoint create|list|delete` (README "Control API", "Savepoints"). Each returns the
// process exit code and prints to stdout/stderr. Main thread only.
#pragma once

#include <string>
#include <vector>

namespace cdc::daemon {

struct ControlCommandArgs {
  std::string file;       // a pipeline file: its metrics port is the API, its state dirs the stores
  std::string url;        // --url: the API's base URL (http://127.0.0.1:9249)
  std::string state_dir;  // --state-dir
  std::string pipeline;   // --pipeline: which pipeline of the file / API (default: the only one)
  std::string name;       // --name: the savepoint's name
  bool json = false;      // --json
};

int cmd_status(const ControlCommandArgs& args);
// verb: create | list | delete; `operand` is the savepoint name of delete.
int cmd_savepoint(const std::string& verb, const ControlCommandArgs& args,
                  const std::string& operand);

}  // namespace cdc::daemon
