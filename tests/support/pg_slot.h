// What the slot and the state dir say about positions, for the PostgreSQL kill and fault tests:
// the slot's confirmed_flush_lsn must never pass the newest checkpoint sluice committed
// (PostgreSQL accepts any LSN; one too far would drop WAL that was never delivered).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <regex>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/postgres_client.h"
#include "tests/support/services_env.h"

namespace cdc::testing {

// "16/B374D848" → its 64-bit value; "" (no slot, or NULL) → 0.
inline uint64_t parse_lsn(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return 0;
  return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) |
         std::stoull(text.substr(slash + 1), nullptr, 16);
}

// The largest commit_lsn among the checkpoints in the state dir (0 when none), read with
// `sluice checkpoints --json` (the process must have exited: it opens the store read-only).
inline uint64_t newest_checkpoint_lsn(const std::string& state_dir) {
  auto listing = run_command({sluice_binary(), "checkpoints", "--state-dir", state_dir, "--json"},
                             std::chrono::seconds(30));
  uint64_t best = 0;
  static const std::regex re("\"commit_lsn\":\"([0-9A-F]+/[0-9A-F]+)\"");
  for (std::sregex_iterator it(listing.out.begin(), listing.out.end(), re), end; it != end; ++it) {
    best = std::max(best, parse_lsn((*it)[1].str()));
  }
  return best;
}

inline uint64_t confirmed_flush_lsn(PgSession& su, const std::string& slot) {
  return parse_lsn(su.scalar(
      "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
}

// Checks, after sluice was killed, that the slot is not confirmed beyond its newest checkpoint.
inline void check_slot_not_ahead(PgSession& su, const std::string& slot,
                                 const std::string& state_dir, const std::string& when) {
  const uint64_t committed = newest_checkpoint_lsn(state_dir);
  const uint64_t confirmed = confirmed_flush_lsn(su, slot);
  CHECK_MESSAGE(confirmed <= committed, when << ": confirmed_flush_lsn " << confirmed
                                             << " beyond the newest checkpoint's " << committed);
}

}  // namespace cdc::testing
