#include "cdc/daemon/pgoutput_command.h"

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cdc/core/byte_reader.h"
#include "cdc/postgres/pgoutput/pgoutput_decoder.h"
#include "cdc/postgres/pgoutput/pgoutput_text.h"

namespace cdc::daemon {

const char* const kPgoutputUsage =
    "usage: sluice pgoutput [FILE]\n"
    "  Decodes pgoutput messages (one per line: [LSN ]HEX, e.g. '0/16B3748 4200...') from FILE\n"
    "  or stdin into JSON lines, one per message.\n";

namespace {

std::optional<std::string> unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::optional<Lsn> parse_lsn(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size())
    return std::nullopt;
  uint64_t parts[2] = {0, 0};
  for (int p = 0; p < 2; ++p) {
    const auto s = p == 0 ? text.substr(0, slash) : text.substr(slash + 1);
    if (s.size() > 8) return std::nullopt;
    for (char c : s) {
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) return std::nullopt;
      parts[p] = parts[p] * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
  }
  return Lsn{(parts[0] << 32) | parts[1]};
}

}  // namespace

int decode_pgoutput_lines(std::istream& in, std::ostream& out, std::ostream& err) {
  postgres::PgoutputContext ctx;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string_view text = line;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty() || text.front() == '#') continue;
    Lsn at{0};
    if (const auto space = text.find(' '); space != std::string_view::npos) {
      auto lsn = parse_lsn(text.substr(0, space));
      if (!lsn) {
        err << "line " << line_no << ": expected an LSN such as 0/16B3748 before the hex\n";
        return 1;
      }
      at = *lsn;
      text.remove_prefix(space + 1);
    }
    auto bytes = unhex(text);
    if (!bytes) {
      err << "line " << line_no << ": not an even number of hex digits\n";
      return 1;
    }
    auto msg = postgres::decode_pgoutput(as_bytes(*bytes), ctx, at);
    if (!msg) {
      err << "line " << line_no << ": " << msg.error().message << "\n";
      return 1;
    }
    if (std::holds_alternative<postgres::StreamStartMessage>(*msg)) ctx.in_stream = true;
    if (std::holds_alternative<postgres::StreamStopMessage>(*msg)) ctx.in_stream = false;
    out << postgres::describe_pgoutput(*msg, at) << "\n";
  }
  return 0;
}

int run_pgoutput_command(const std::vector<std::string>& args) {
  if (args.size() > 1 || (!args.empty() && (args[0] == "--help" || args[0] == "-h"))) {
    std::cerr << kPgoutputUsage;
    return args.size() == 1 ? 0 : 2;
  }
  if (args.empty()) return decode_pgoutput_lines(std::cin, std::cout, std::cerr);
  std::ifstream file(args[0]);
  if (!file) {
    std::cerr << "sluice pgoutput: cannot read " << args[0] << "\n";
    return 2;
  }
  return decode_pgoutput_lines(file, std::cout, std::cerr);
}

}  // namespace cdc::daemon
