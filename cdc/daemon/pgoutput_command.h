// `sluice pgoutput [FILE]`: decodes recorded pgoutput messages with no server, one JSON line
// per message, through the decoder the source uses (as `sluice binlog` does for MySQL).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cdc::daemon {

extern const char* const kPgoutputUsage;

// Input: one message per line, its bytes in hex, optionally preceded by the LSN it was sent
// at ("0/16B3748 42000000..."); blank lines and lines starting with '#' are skipped. Whether a
// streamed segment is open is tracked from Stream Start/Stop, as the source does. Returns the
// exit code: 0 every message decoded, 1 a bad line (named with its number, after everything
// before it was written), 2 bad usage or an unreadable file.
int run_pgoutput_command(const std::vector<std::string>& args);
int decode_pgoutput_lines(std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace cdc::daemon
