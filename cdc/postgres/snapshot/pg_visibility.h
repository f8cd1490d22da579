// Which transactions a PostgreSQL snapshot sees, from the text of pg_current_snapshot()
// (`xmin:xmax:xip,...`, 64-bit xid8 values with the epoch in the high half), asked with the
// 32-bit top-level xids pgoutput's Begin and Stream Commit carry. The rule is the server's own
// (pg_visible_in_snapshot, XidInMVCCSnapshot): a committed transaction X is visible iff
// X < xmax and X is not in xip. Pure. Used by the PostgreSQL re-snapshot windows
// (ARCHITECTURE.md "Snapshots", re-snapshots while streaming).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::postgres {

struct PgSnapshot {
  uint64_t xmin = 0;
  uint64_t xmax = 0;
  std::vector<uint64_t> xip;  // ascending

  // Parses pg_current_snapshot()::text; an error names what is wrong.
  static Result<PgSnapshot> parse(std::string_view text);
  // The 64-bit xid of a 32-bit one seen in the stream: the one nearest to xmax (a transaction the
  // stream delivers is at most 2^31 xids from the server's next xid, else it would have wrapped
  // around), so the epoch follows xmax across a wraparound.
  uint64_t widen(uint32_t xid) const;
  // Whether the committed top-level transaction `xid` is visible in this snapshot.
  bool visible(uint32_t xid) const;
};

// The top-level xids of the last kCapacity transactions the stream delivered rows of, oldest
// first overwritten. A window whose snapshot does not see one of them (its commit record was
// decoded before the snapshot was taken, its ProcArray end came after: the commit/visibility
// race, or a synchronous-replication wait) is opened again later.
class RecentXids {
 public:
  static constexpr size_t kCapacity = 4096;
  void push(uint32_t xid);
  // The first remembered xid `snapshot` does not see; 0 (never a normal xid) when it sees all.
  uint32_t first_invisible(const PgSnapshot& snapshot) const;
  size_t size() const { return size_; }

 private:
  std::array<uint32_t, kCapacity> ring_{};
  size_t next_ = 0;
  size_t size_ = 0;
  uint32_t last_ = 0;  // a transaction's rows come in a row: pushed once
};

}  // namespace cdc::postgres
