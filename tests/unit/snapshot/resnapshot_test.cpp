#include "cdc/snapshot/resnapshot.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/snapshot/snapshot_key.h"
#include "tests/unit/snapshot/memory_chunk_reader.h"

using namespace cdc;
using namespace cdc::snapshot;
using namespace cdc::snapshot::testing;

namespace {

// Reads the open window's chunk, `max_events` per batch, as "table:id@offset".
std::vector<std::string> read_window(Resnapshot& r, size_t max_events) {
  return read_batches([&](Batch& b, size_t max) { return r.fill(b, max); }, max_events,
                      SnapshotMarker::incremental, true);
}

}  // namespace

TEST_CASE("Resnapshot reads each chunk in a window of its own, at that window's position") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3, 4, 5, 6}}, {"n", {9, 8}}};
  Resnapshot r(mem, options(3));
  CHECK(r.idle());
  REQUIRE(r.add({table("a", true), table("n", false), table("a", true)}));  // a once
  CHECK(r.tables_requested() == 2);

  std::vector<std::string> got;
  std::vector<std::string> chunks;
  for (uint64_t at_offset : {100, 200, 300, 400}) {
    mem.next_at = at_offset;
    auto w = r.open_window();
    REQUIRE(w);
    REQUIRE(*w);
    CHECK(**w == StreamPoint(at(at_offset)));
    CHECK(mem.reads_open == 1);
    for (auto& s : read_window(r, 2)) got.push_back(std::move(s));
    CHECK(mem.reads_open == 0);  // each window's read ends with its chunk
    CHECK_FALSE(r.window());
  }
  auto none = r.open_window();
  REQUIRE(none);
  CHECK_FALSE(*none);
  CHECK(r.idle());
  // a: 3 rows, then 3 more (a full chunk), then an empty one ends it; n: one unchunked pass.
  CHECK(got == std::vector<std::string>{"a:1@100", "a:2@100", "a:3@100", "a:4@200", "a:5@200",
                                        "a:6@200", "n:9@400", "n:8@400"});
  CHECK(mem.chunks == std::vector<std::string>{"a after=- limit=3", "a after=3 limit=3",
                                               "a after=6 limit=3", "n after=- limit=0"});
  CHECK(r.rows_read() == 8);
  CHECK(r.chunks_read() == 4);
  CHECK(r.tables_done() == 2);
}

TEST_CASE("Resnapshot: a chunk whose last row ends a batch still continues after that row") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3, 4, 5}}};
  Resnapshot r(mem, options(2));
  REQUIRE(r.add({table("a", true)}));
  std::vector<std::string> got;
  for (int w = 0; w < 3; ++w) {
    REQUIRE(r.open_window());
    for (auto& s : read_window(r, 2)) got.push_back(s.substr(0, s.find('@')));
  }
  CHECK(got == std::vector<std::string>{"a:1", "a:2", "a:3", "a:4", "a:5"});
  CHECK(mem.chunks ==
        std::vector<std::string>{"a after=- limit=2", "a after=2 limit=2", "a after=4 limit=2"});
}

TEST_CASE("Resnapshot refuses to fill without a window, and a dropped window opens anew") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1}}};
  Resnapshot r(mem, options(5));
  REQUIRE(r.add({table("a", true)}));
  Batch b;
  auto early = r.fill(b, 10);
  REQUIRE_FALSE(early);
  CHECK(early.error().code == Errc::internal);
  mem.next_at = 10;
  REQUIRE(r.open_window());
  REQUIRE(mem.end_consistent_read());  // the caller ends a window that came too early
  r.drop_window();
  mem.next_at = 20;
  auto w = r.open_window();
  REQUIRE(w);
  CHECK(**w == StreamPoint(at(20)));
  CHECK(read_window(r, 10) == std::vector<std::string>{"a:1@20"});
}

TEST_CASE(
    "Resnapshot: pending() and after_key() at each batch end resume a re-snapshot cut short "
    "after exactly the rows delivered") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3, 4, 5, 6, 7}}, {"b", {1, 2}}};
  Resnapshot r(mem, options(3));
  REQUIRE(r.add({table("a", true), table("b", true)}));
  CHECK(r.pending() == std::vector<SnapshotTable>{{"db", "a"}, {"db", "b"}});
  CHECK(r.after_key().empty());
  mem.next_at = 100;
  REQUIRE(r.open_window());
  Batch first;
  auto more = r.fill(first, 2);  // rows 1, 2 of the chunk 1..3: it goes on
  REQUIRE(more);
  CHECK(*more);
  REQUIRE(first.events.size() == 2);
  const std::string after_two = r.after_key();
  auto two = decode_key(after_two);
  REQUIRE(two);
  CHECK((*two)[0].i == 2);
  Batch second;
  more = r.fill(second, 2);  // row 3, then the chunk's end: the window closes
  REQUIRE(more);
  CHECK_FALSE(*more);
  CHECK(second.events.size() == 1);
  auto three = decode_key(r.after_key());
  REQUIRE(three);
  CHECK((*three)[0].i == 3);

  // A restart whose checkpoint holds the first batch only: the next reader goes on after 2.
  MemoryChunkReader again;
  again.ids = mem.ids;
  Resnapshot resumed(again, options(3));
  REQUIRE(resumed.add({table("a", true), table("b", true)}, after_two));
  std::vector<std::string> got;
  for (uint64_t w = 200;; w += 100) {
    again.next_at = w;
    auto win = resumed.open_window();
    REQUIRE(win);
    if (!*win) break;
    for (auto& s : read_window(resumed, 2)) got.push_back(s.substr(0, s.find('@')));
  }
  CHECK(got == std::vector<std::string>{"a:3", "a:4", "a:5", "a:6", "a:7", "b:1", "b:2"});
  CHECK(again.chunks.front() == "a after=2 limit=3");
  CHECK(resumed.pending().empty());
  CHECK(resumed.after_key().empty());

  // A key that is no key is refused with the table named.
  Resnapshot bad(again, options(3));
  auto refused = bad.add({table("a", true)}, "\xff");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("db.a") != std::string::npos);
}

TEST_CASE("Resnapshot::remove takes out a table none of whose rows was read, its window ended") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3}}, {"b", {1}}, {"c", {4}}};
  Resnapshot r(mem, options(2));
  REQUIRE(r.add({table("a", true), table("b", true), table("c", true)}));
  mem.next_at = 10;
  REQUIRE(r.open_window());
  CHECK(mem.reads_open == 1);
  auto b = r.remove({"db", "b"});  // waiting
  REQUIRE(b);
  CHECK(*b);
  auto a = r.remove({"db", "a"});  // its window is open, nothing read yet: ended
  REQUIRE(a);
  CHECK(*a);
  CHECK(mem.reads_open == 0);
  CHECK_FALSE(r.window());
  auto unknown = r.remove({"db", "zz"});
  REQUIRE(unknown);
  CHECK_FALSE(*unknown);
  mem.next_at = 20;
  REQUIRE(r.open_window());
  Batch first;
  REQUIRE(r.fill(first, 10));
  CHECK(first.events.size() == 1);  // c's one row
  CHECK(r.pending().empty());
  CHECK(r.tables_done() == 3);

  // A table with rows read is kept.
  Resnapshot s(mem, options(2));
  REQUIRE(s.add({table("a", true)}));
  mem.next_at = 30;
  REQUIRE(s.open_window());
  Batch part;
  REQUIRE(s.fill(part, 1));
  auto kept = s.remove({"db", "a"});
  REQUIRE(kept);
  CHECK_FALSE(*kept);
  CHECK(s.pending() == std::vector<SnapshotTable>{{"db", "a"}});
}

TEST_CASE(
    "Resnapshot with a RowGate: touched keys are skipped but passed (the next chunk starts after "
    "them), a cut ends the chunk before its key and the next window reads on from there") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3, 4, 5, 6, 7, 8}}};
  Resnapshot r(mem, options(4));
  REQUIRE(r.add({table("a", true)}));
  TouchedKeys touched;
  auto key = [](int64_t id) {
    const Value v = Value::int64(id);
    return encode_key(std::span<const Value>(&v, 1));
  };
  const RowGate gate = [&](const TableSchema& t, std::span<const Value> row) {
    return touched.verdict(encode_key(key_of(t, row)));
  };
  auto window = [&](uint64_t offset) {
    mem.next_at = offset;
    REQUIRE(r.open_window());
    return read_batches([&](Batch& b, size_t max) { return r.fill(b, max, gate); }, 2,
                        SnapshotMarker::incremental);
  };
  // Window 1: 2 and 4 (the chunk's last row) were changed after the snapshot: skipped, and the
  // chunk (4 rows read) is full, so the table goes on after 4.
  touched.touch(key(2), false);
  touched.touch(key(4), false);
  CHECK(window(100) == std::vector<std::string>{"a:1", "a:3"});
  CHECK(r.after_key() == key(4));
  CHECK(r.rows_skipped() == 2);
  // Window 2: 7's change left a value unchanged: the chunk ends before 7 (after 6, read).
  touched.clear();
  touched.touch(key(7), true);
  touched.touch(key(6), false);
  CHECK(window(200) == std::vector<std::string>{"a:5"});
  CHECK(r.chunks_cut() == 1);
  CHECK(r.after_key() == key(6));
  CHECK_FALSE(r.window());
  CHECK(r.tables_done() == 0);
  // Window 3 (a newer read that sees 7's change): nothing touched, 7 and 8, then the end.
  touched.clear();
  CHECK(window(300) == std::vector<std::string>{"a:7", "a:8"});
  CHECK(r.tables_done() == 1);
  CHECK(mem.chunks ==
        std::vector<std::string>{"a after=- limit=4", "a after=4 limit=4", "a after=6 limit=4"});
  // A cut at a chunk's first row keeps the key it started after.
  MemoryChunkReader mem2;
  mem2.ids = {{"a", {1, 2}}};
  Resnapshot r2(mem2, options(4));
  REQUIRE(r2.add({table("a", true)}));
  touched.clear();
  touched.touch(key(1), true);
  REQUIRE(r2.open_window());
  Batch b;
  auto more = r2.fill(b, 10, gate);
  REQUIRE(more);
  CHECK_FALSE(*more);
  CHECK(b.events.empty());
  CHECK(r2.after_key().empty());
  CHECK(r2.tables_done() == 0);
}
