// Fuzz target snapshot_signal: parse_snapshot_signal() (cdc/snapshot/snapshot_signal.h), the
// `data` of a signal-table row, which any user with INSERT on that table writes. It must give
// tables with a non-empty db and table, or a malformed error; never crash.
#include <string_view>

#include "cdc/snapshot/snapshot_signal.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto tables = snapshot::parse_snapshot_signal(in);
  if (!tables) {
    FUZZ_CHECK(tables.error().code == Errc::malformed, "parse_snapshot_signal: not malformed");
    return 0;
  }
  FUZZ_CHECK(!tables->empty(), "a signal naming no table was accepted");
  for (const TableId& t : *tables) {
    FUZZ_CHECK(!t.db.empty() && !t.table.empty(), "a table with an empty part was accepted");
  }
  return 0;
}
