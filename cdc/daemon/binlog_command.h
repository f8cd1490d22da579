// `sluice binlog FILE...`: decodes binlog files from disk, with no server, into change events
// as JSON lines (any sluice format), optionally with one line per binlog event. The files go
// through MysqlSource itself (its offline mode), so the output is what a pipeline would emit.
#pragma once

#include <string>
#include <vector>

namespace cdc::daemon {

extern const char* const kBinlogUsage;

// Runs the command with the arguments that follow "binlog"; returns the exit code: 0 every
// event decoded, 1 a file could not be read or decoded (after writing everything before the
// bad event), 2 bad usage or an unusable --schema-from file.
int run_binlog_command(const std::vector<std::string>& args);

}  // namespace cdc::daemon
