// Fuzz target pg_window: the texts a PostgreSQL re-snapshot window reads (pg_resnapshot.h). The
// first byte picks the parser: even, parse_watermark() over a logical decoding message's
// content (any role allowed to call pg_logical_emit_message can write one with sluice's prefix);
// odd, PgSnapshot::parse() over pg_current_snapshot() text. Either a malformed error or a value
// that keeps its invariants (a watermark id encodes back to itself; a snapshot's xip ascending
// inside [xmin, xmax), visibility by its rule); never a crash.
#include <algorithm>
#include <string_view>

#include "cdc/postgres/snapshot/pg_visibility.h"
#include "cdc/postgres/snapshot/pg_watermark.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::postgres;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto id = parse_watermark(in);
    if (!id) {
      FUZZ_CHECK(id.error().code == Errc::malformed, "parse_watermark: not malformed");
      return 0;
    }
    FUZZ_CHECK(!id->pipeline.empty(), "a watermark without a pipeline was accepted");
    auto again = parse_watermark(encode_watermark(*id));
    FUZZ_CHECK(again && *again == *id, "a watermark id does not encode back to itself");
    return 0;
  }
  auto snap = PgSnapshot::parse(in);
  if (!snap) {
    FUZZ_CHECK(snap.error().code == Errc::malformed, "PgSnapshot::parse: not malformed");
    return 0;
  }
  FUZZ_CHECK(snap->xmin <= snap->xmax, "xmin above xmax accepted");
  FUZZ_CHECK(std::is_sorted(snap->xip.begin(), snap->xip.end()), "xip not ascending");
  for (const uint64_t x : snap->xip) {
    FUZZ_CHECK(x >= snap->xmin && x < snap->xmax, "an xip outside [xmin, xmax)");
    FUZZ_CHECK(
        !snap->visible(static_cast<uint32_t>(x)) || snap->widen(static_cast<uint32_t>(x)) != x,
        "an in-progress xid is visible");
  }
  const auto xmax32 = static_cast<uint32_t>(snap->xmax);
  FUZZ_CHECK(!snap->visible(xmax32) || snap->widen(xmax32) != snap->xmax, "xmax is visible");
  return 0;
}
