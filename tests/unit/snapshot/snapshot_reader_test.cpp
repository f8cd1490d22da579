#include "cdc/snapshot/snapshot_reader.h"

#include <doctest/doctest.h>

#include <map>
#include <memory>

#include "cdc/snapshot/snapshot_key.h"
#include "cdc/snapshot/stream_filter.h"
#include "tests/unit/snapshot/memory_chunk_reader.h"

using namespace cdc;
using namespace cdc::snapshot;
using namespace cdc::snapshot::testing;

namespace {

// Reads everything, `max_events` per batch; returns the ids read as "table:id".
std::vector<std::string> read_all(SnapshotReader& reader, size_t max_events,
                                  std::vector<Position>* ends = nullptr) {
  return read_batches([&](Batch& b, size_t max) { return reader.fill(b, max); }, max_events,
                      SnapshotMarker::yes, false, ends);
}

}  // namespace

TEST_CASE("SnapshotReader reads tables in name order in keyset chunks, never an unbounded one") {
  MemoryChunkReader mem;
  mem.ids = {{"b", {1, 2, 3, 4, 5, 6, 7}}, {"a", {}}, {"c", {9, 8}}, {"d", {42}}};
  SnapshotReader reader(mem, SnapshotPosition{}, options(3));
  auto begun = reader.begin();
  REQUIRE(begun);
  CHECK(*begun == StreamPoint(at(100)));
  REQUIRE(
      reader.set_tables({table("d", true), table("b", true), table("c", false), table("a", true)}));
  const auto got = read_all(reader, 4);
  CHECK(got == std::vector<std::string>{"b:1", "b:2", "b:3", "b:4", "b:5", "b:6", "b:7", "c:9",
                                        "c:8", "d:42"});
  // a keyed table: chunks of 3 after the last key, the last one short; a keyless one: one pass.
  CHECK(mem.chunks == std::vector<std::string>{"a after=- limit=3", "b after=- limit=3",
                                               "b after=3 limit=3", "b after=6 limit=3",
                                               "c after=- limit=0", "d after=- limit=3"});
  const SnapshotPosition& end = reader.position();
  CHECK_FALSE(end.reading);
  CHECK(end.stream == StreamPoint(at(100)));
  REQUIRE(end.segments.size() == 1);
  CHECK(end.segments[0].table == "a");
  CHECK(end.segments[0].from_key.empty());
  CHECK(mem.reads_open == 0);
  CHECK(reader.rows_read() == 10);
}

TEST_CASE("SnapshotReader resumes after the last key of a checkpoint with a second segment") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3}}, {"b", {1, 2, 3, 4, 5, 6, 7}}};
  std::vector<Position> ends;
  Position stop;
  {
    SnapshotReader first(mem, SnapshotPosition{}, options(3));
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({table("a", true), table("b", true)}));
    for (int n = 0; n < 2; ++n) {
      Batch b;
      REQUIRE(*first.fill(b, 3));
      stop = b.end;
    }
  }
  const auto& s = std::get<SnapshotPosition>(stop);
  CHECK(s.reading);
  CHECK(s.table == "b");
  auto key = decode_key(s.after_key);
  REQUIRE(key);
  CHECK((*key)[0].i == 3);  // a:1..3, b:1..3 delivered

  mem.next_at = 250;
  mem.chunks.clear();
  SnapshotReader second(mem, s, options(3));
  REQUIRE(second.begin());
  REQUIRE(second.set_tables({table("a", true), table("b", true)}));
  CHECK(read_all(second, 100) == std::vector<std::string>{"b:4", "b:5", "b:6", "b:7"});
  CHECK(mem.chunks.front() == "b after=3 limit=3");
  const SnapshotPosition& end = second.position();
  REQUIRE(end.segments.size() == 2);
  CHECK(end.segments[1].table == "b");
  CHECK(end.segments[1].from_key == s.after_key);
  CHECK(end.segments[1].at == StreamPoint(at(250)));
  CHECK(end.stream == StreamPoint(at(100)));  // the earliest segment's: the stream starts there
}

TEST_CASE(
    "SnapshotReader by a non-unique chunk key: whole values per chunk, a chunk ending with a "
    "batch continues after it") {
  MemoryChunkReader mem;
  mem.ids = {{"g", {1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5}}};
  SnapshotReaderOptions o = options(2);
  o.chunk_key = [](const TableSchema&) -> Result<ChunkKey> { return ChunkKey{{0}, false}; };
  // Batches of 2 and of 5: chunks end at a batch's end, then in the next batch with no row.
  for (const size_t max_events : {size_t{2}, size_t{5}}) {
    CAPTURE(max_events);
    mem.chunks.clear();
    SnapshotReader reader(mem, SnapshotPosition{}, o);
    REQUIRE(reader.begin());
    REQUIRE(reader.set_tables({table("g", true)}));
    std::vector<Position> ends;
    CHECK(read_all(reader, max_events, &ends) ==
          std::vector<std::string>{"g:1", "g:1", "g:2", "g:2", "g:2", "g:3", "g:3", "g:4", "g:4",
                                   "g:4", "g:5"});
    CHECK(mem.chunks ==
          std::vector<std::string>{"g whole after=- limit=2", "g whole after=1 limit=2",
                                   "g whole after=2 limit=2", "g whole after=3 limit=2",
                                   "g whole after=4 limit=2"});
    // A checkpoint inside a chunk resumes at the previous chunk's end, never inside a value.
    for (const Position& end : ends) {
      const auto& sp = std::get<SnapshotPosition>(end);
      if (!sp.reading || sp.after_key.empty()) continue;
      auto key = decode_key(sp.after_key);
      REQUIRE(key);
      CHECK((*key)[0].i >= 1);
      CHECK((*key)[0].i <= 4);
    }
  }
}

TEST_CASE(
    "SnapshotReader restarted inside a whole-value chunk reads the rows delivered of it again, "
    "and the stream delivers their changes since the first read (none lost)") {
  MemoryChunkReader mem;
  mem.ids = {{"g", {1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5}}};
  SnapshotReaderOptions o = options(2);
  o.chunk_key = [](const TableSchema&) -> Result<ChunkKey> { return ChunkKey{{0}, false}; };
  const TableSchemaPtr g = table("g", true);
  // The first read (at 100) delivers 1, 1, 2, 2: cut inside the chunk of value 2.
  Position cut;
  {
    SnapshotReader first(mem, SnapshotPosition{}, o);
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({g}));
    Batch b;
    REQUIRE(*first.fill(b, 4));
    cut = b.end;
  }
  const auto& sp = std::get<SnapshotPosition>(cut);
  REQUIRE(sp.reading);
  CHECK(*decode_key(sp.after_key) == std::vector<Value>{Value::int64(1)});  // the chunk before
  CHECK(*decode_key(sp.delivered_key) == std::vector<Value>{Value::int64(2)});
  // Meanwhile (at 200) a row of value 2 the sink holds is deleted; so is one of value 3.
  mem.ids["g"] = {1, 1, 2, 2, 3, 4, 4, 4, 5};
  mem.next_at = 300;
  mem.chunks.clear();
  SnapshotReader second(mem, sp, o);
  REQUIRE(second.begin());
  REQUIRE(second.set_tables({g}));
  // Interrupted again inside the piece read again: the position keeps the key delivered.
  Position cut_again;
  {
    Batch b;
    REQUIRE(*second.fill(b, 1));
    cut_again = b.end;
    const auto& again = std::get<SnapshotPosition>(cut_again);
    CHECK(again.after_key == sp.after_key);
    CHECK(again.delivered_key == sp.delivered_key);
  }
  mem.next_at = 400;
  mem.chunks.clear();
  SnapshotReader third(mem, std::get<SnapshotPosition>(cut_again), o);
  REQUIRE(third.begin());
  REQUIRE(third.set_tables({g}));
  CHECK(read_all(third, 3) ==
        std::vector<std::string>{"g:2", "g:2", "g:3", "g:4", "g:4", "g:4", "g:5"});
  // The piece up to the key delivered, then whole values after it.
  CHECK(mem.chunks == std::vector<std::string>{"g after=1 through=2 limit=0",
                                               "g whole after=2 limit=2",
                                               "g whole after=4 limit=2"});
  const auto& end = third.position();
  REQUIRE(end.segments.size() == 2);  // the second read's segment replaced by the third's
  CHECK(end.segments[0].from_key.empty());
  CHECK(end.segments[1].from_key == sp.delivered_key);
  CHECK(end.segments[1].at == StreamPoint(at(400)));
  const StreamFilter filter(end.segments, nullptr, o.chunk_key);
  CHECK(delivers_delete(filter, g, 2, 200));        // the sink holds the row from the first read
  CHECK(delivers_delete(filter, g, 1, 200));        // a row of a finished chunk, as before
  CHECK_FALSE(delivers_delete(filter, g, 3, 200));  // read at 400 without it
  CHECK(delivers_delete(filter, g, 3, 450));
}

TEST_CASE(
    "SnapshotReader re-reads a keyless table interrupted inside, and the stream delivers its "
    "changes since the first read") {
  MemoryChunkReader mem;
  mem.ids = {{"n", {1, 2, 3, 4}}};
  Position stop;
  {
    SnapshotReader first(mem, SnapshotPosition{}, options(3));
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({table("n", false)}));
    Batch b;
    REQUIRE(*first.fill(b, 2));
    stop = b.end;
  }
  mem.next_at = 300;
  SnapshotReader second(mem, std::get<SnapshotPosition>(stop), options(3));
  REQUIRE(second.begin());
  REQUIRE(second.set_tables({table("n", false)}));
  CHECK(read_all(second, 100) == std::vector<std::string>{"n:1", "n:2", "n:3", "n:4"});
  // The second read's segment starts after every row of n: its changes since the first read
  // (at 100) are delivered, those the rows it delivered before included.
  const auto& segments = second.position().segments;
  REQUIRE(segments.size() == 2);
  CHECK(segments[0].at == StreamPoint(at(100)));
  CHECK_FALSE(segments[1].from_key.empty());
  CHECK(segments[1].at == StreamPoint(at(300)));
  const StreamFilter filter(segments);
  CHECK(delivers_delete(filter, table("n", false), 1, 200));
  CHECK_FALSE(delivers_delete(filter, table("n", false), 1, 50));
}

TEST_CASE("SnapshotReader with no table still gives the stream a start") {
  MemoryChunkReader mem;
  SnapshotReader reader(mem, SnapshotPosition{}, options(3));
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({}));
  CHECK(read_all(reader, 10).empty());
  CHECK(reader.position().stream == StreamPoint(at(100)));
  CHECK(reader.position().segments.empty());
}
