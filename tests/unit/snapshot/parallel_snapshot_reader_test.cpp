#include "cdc/snapshot/parallel_snapshot_reader.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "cdc/snapshot/snapshot_key.h"
#include "cdc/snapshot/stream_filter.h"
#include "tests/unit/snapshot/memory_chunk_reader.h"

using namespace cdc;
using namespace cdc::snapshot;
using namespace cdc::snapshot::testing;

namespace {

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

// Two readers over the same rows, their consistent reads at 100 and 200 (+ next_at steps).
struct Readers {
  MemoryChunkReader r0, r1;
  Readers(const std::map<std::string, std::vector<int64_t>>& ids, uint64_t at0, uint64_t at1) {
    r0.ids = ids;
    r1.ids = ids;
    r0.next_at = at0;
    r1.next_at = at1;
  }
  std::vector<ChunkReader*> all() { return {&r0, &r1}; }
};

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> names(const std::string& table, const std::vector<int64_t>& ids) {
  std::vector<std::string> out;
  for (int64_t id : ids) out.push_back(table + ":" + std::to_string(id));
  return out;
}

// The earliest segment's position: where the stream starts (which reader took which split is
// up to the threads).
StreamPoint earliest(const std::vector<SnapshotSegment>& segments) {
  MysqlPosition out = std::get<MysqlPosition>(segments.at(0).at);
  for (const auto& seg : segments) {
    const auto& m = std::get<MysqlPosition>(seg.at);
    if (m.binlog.offset < out.binlog.offset) out = m;
  }
  return out;
}

std::string key_int(const std::string& encoded) {
  if (encoded.empty()) return "-";
  auto k = decode_key(encoded);
  REQUIRE(k);
  return std::to_string((*k)[0].i);
}

}  // namespace

TEST_CASE("ParallelSnapshotReader splits an integer key evenly and reads every row once") {
  const std::map<std::string, std::vector<int64_t>> ids = {
      {"a", range(1, 20)}, {"k", {5, 6, 7}}, {"s", {1, 2}}};
  Readers readers(ids, 100, 200);
  ParallelSnapshotReader reader(readers.all(), SnapshotPosition{}, options(3), 4);
  auto begun = reader.begin();
  REQUIRE(begun);
  CHECK(*begun == StreamPoint(at(100)));
  REQUIRE(reader.set_tables({table("k", false), table("s", true), table("a", true)}));
  CHECK(reader.tables_planned() == 3);
  std::vector<Position> ends;
  const auto got = read_batches([&](Batch& b, size_t max) { return reader.fill(b, max); }, 4,
                                SnapshotMarker::yes, false, &ends);
  std::vector<std::string> want = names("a", range(1, 20));
  for (auto& s : names("k", {5, 6, 7})) want.push_back(s);
  for (auto& s : names("s", {1, 2})) want.push_back(s);
  CHECK(sorted(got) == sorted(want));
  // Each split's rows come in key order.
  std::vector<int64_t> low, high;
  for (const auto& s : got) {
    if (s.rfind("a:", 0) != 0) continue;
    const int64_t id = std::stoll(s.substr(2));
    (id <= 10 ? low : high).push_back(id);
  }
  CHECK(low == range(1, 10));
  CHECK(high == range(11, 20));
  // a: 20 keys from 1, two parts of width 10 (s has 2 rows: fewer than two chunks, one split).
  std::vector<std::string> chunks = readers.r0.chunks;
  chunks.insert(chunks.end(), readers.r1.chunks.begin(), readers.r1.chunks.end());
  CHECK(sorted(chunks) == sorted({"a after=- through=10 limit=3", "a after=3 through=10 limit=3",
                                  "a after=6 through=10 limit=3", "a after=9 through=10 limit=3",
                                  "a after=10 limit=3", "a after=13 limit=3", "a after=16 limit=3",
                                  "a after=19 limit=3", "k after=- limit=0", "s after=- limit=3"}));
  const SnapshotPosition& end = reader.position();
  CHECK_FALSE(end.reading);
  CHECK(end.splits.empty());
  REQUIRE(end.segments.size() == 4);  // one per split, in (table, key) order
  CHECK(end.segments[0].table == "a");
  CHECK(end.segments[0].from_key.empty());
  CHECK(end.segments[1].table == "a");
  CHECK(key_int(end.segments[1].from_key) == "10");
  CHECK(end.segments[2].table == "k");
  CHECK(end.segments[3].table == "s");
  CHECK(end.stream == earliest(end.segments));
  for (const auto& seg : end.segments) {
    CHECK((seg.at == StreamPoint(at(100)) || seg.at == StreamPoint(at(200))));
  }
  CHECK(reader.rows_read() == 25);
  CHECK(reader.tables_done() == 3);
  CHECK(readers.r0.reads_open == 0);
  CHECK(readers.r1.reads_open == 0);
  // Every position before the end is a reading one with the splits not yet done.
  for (size_t i = 0; i + 1 < ends.size(); ++i) {
    CHECK(std::get<SnapshotPosition>(ends[i]).reading);
    CHECK_FALSE(std::get<SnapshotPosition>(ends[i]).splits.empty());
  }
}

TEST_CASE("ParallelSnapshotReader resumes each split after its last key, a segment each") {
  const std::map<std::string, std::vector<int64_t>> ids = {{"a", range(1, 40)}};
  std::vector<std::string> first_rows;
  Position stop;
  {
    Readers readers(ids, 100, 200);
    ParallelSnapshotReader first(readers.all(), SnapshotPosition{}, options(4), 3);
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({table("a", true)}));
    for (int n = 0; n < 6; ++n) {
      Batch b;
      auto more = first.fill(b, 3);
      REQUIRE(more);
      REQUIRE(*more);
      for (const auto& e : b.events) first_rows.push_back("a:" + std::to_string(e.after[0].i));
      stop = b.end;
    }
  }  // stopped with both splits under way
  const auto& s = std::get<SnapshotPosition>(stop);
  REQUIRE(s.reading);
  REQUIRE(s.splits.size() == 2);
  CHECK(s.splits[0].through_key == s.splits[1].from_key);
  CHECK(key_int(s.splits[1].from_key) == "20");
  // The position survives its encoding.
  const std::string encoded = encode_position(Position(s));
  auto decoded = decode_position(std::as_bytes(std::span(encoded.data(), encoded.size())));
  REQUIRE(decoded);
  CHECK(std::get<SnapshotPosition>(*decoded) == s);

  Readers again(ids, 300, 400);
  ParallelSnapshotReader second(again.all(), s, options(4), 3);
  REQUIRE(second.begin());
  REQUIRE(second.set_tables({table("a", true)}));
  auto rest = read_batches([&](Batch& b, size_t max) { return second.fill(b, max); }, 3,
                           SnapshotMarker::yes);
  rest.insert(rest.end(), first_rows.begin(), first_rows.end());
  CHECK(sorted(rest) == sorted(names("a", range(1, 40))));  // each row exactly once
  const SnapshotPosition& end = second.position();
  CHECK_FALSE(end.reading);
  // Two first reads plus one per split resumed after a key (a split that delivered nothing
  // replaces its segment), in key order.
  std::vector<std::string> starts;
  for (const auto& seg : end.segments) starts.push_back(key_int(seg.from_key));
  CHECK(std::is_sorted(starts.begin() + 1, starts.end(),
                       [](const auto& x, const auto& y) { return std::stoll(x) < std::stoll(y); }));
  CHECK(starts.front() == "-");
  CHECK(end.segments.size() >= 3);
  CHECK(end.stream == earliest(end.segments));
  CHECK(std::get<MysqlPosition>(end.stream).binlog.offset <= 200);  // a read of the first run
}

TEST_CASE("ParallelSnapshotReader takes a one-connection checkpoint on") {
  const std::map<std::string, std::vector<int64_t>> ids = {{"a", range(1, 5)}, {"b", range(1, 30)}};
  SnapshotPosition seq;
  seq.segments.push_back({"db", "a", "", at(50)});
  seq.db = "db";
  seq.table = "a";
  const Value three = Value::int64(3);
  seq.after_key = encode_key(std::span<const Value>(&three, 1));
  Readers readers(ids, 100, 200);
  ParallelSnapshotReader reader(readers.all(), seq, options(5), 100);
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({table("a", true), table("b", true)}));
  auto got = read_batches([&](Batch& b, size_t max) { return reader.fill(b, max); }, 100,
                          SnapshotMarker::yes);
  std::vector<std::string> want = names("a", {4, 5});
  for (auto& s : names("b", range(1, 30))) want.push_back(s);
  CHECK(sorted(got) == sorted(want));
  const auto& end = reader.position();
  REQUIRE(end.segments.size() == 4);  // a from the start, a after 3, b in two splits
  CHECK(end.segments[0].at == StreamPoint(at(50)));
  CHECK(key_int(end.segments[1].from_key) == "3");
  CHECK(end.stream == StreamPoint(at(50)));
}

TEST_CASE(
    "ParallelSnapshotReader restarted inside a whole-value chunk reads the rows delivered of it "
    "again, and the stream delivers their changes since the first read (none lost)") {
  SnapshotReaderOptions o = options(2);
  o.chunk_key = [](const TableSchema&) -> Result<ChunkKey> { return ChunkKey{{0}, false}; };
  const TableSchemaPtr g = table("g", true);
  Position stop;
  {
    Readers readers({{"g", {1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5}}}, 100, 100);
    ParallelSnapshotReader first(readers.all(), SnapshotPosition{}, o, 3);
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({g}));
    // Until a batch ends inside the chunk of value 2 (its three rows delivered, its end not).
    for (int n = 0; n < 10; ++n) {
      Batch b;
      REQUIRE(*first.fill(b, 3));
      stop = b.end;
      const auto& sp = std::get<SnapshotPosition>(stop);
      if (!sp.splits.empty() && !sp.splits[0].delivered_key.empty()) break;
    }
  }
  const auto& sp = std::get<SnapshotPosition>(stop);
  REQUIRE(sp.splits.size() == 1);  // a non-unique key is one split
  CHECK(key_int(sp.splits[0].after_key) == "1");
  CHECK(key_int(sp.splits[0].delivered_key) == "2");
  const std::string encoded = encode_position(Position(sp));
  auto decoded = decode_position(std::as_bytes(std::span(encoded.data(), encoded.size())));
  REQUIRE(decoded);
  CHECK(std::get<SnapshotPosition>(*decoded) == sp);
  // Meanwhile (at 200) a row of value 2 the sink holds is deleted, and one of value 3.
  Readers again({{"g", {1, 1, 2, 2, 3, 4, 4, 4, 5}}}, 300, 300);
  ParallelSnapshotReader second(again.all(), sp, o, 3);
  REQUIRE(second.begin());
  REQUIRE(second.set_tables({g}));
  CHECK(read_batches([&](Batch& b, size_t max) { return second.fill(b, max); }, 3,
                     SnapshotMarker::yes) == names("g", {2, 2, 3, 4, 4, 4, 5}));
  std::vector<std::string> chunks = again.r0.chunks;
  chunks.insert(chunks.end(), again.r1.chunks.begin(), again.r1.chunks.end());
  CHECK(chunks == std::vector<std::string>{"g after=1 through=2 limit=0", "g whole after=2 limit=2",
                                           "g whole after=4 limit=2"});
  const auto& end = second.position();
  REQUIRE(end.segments.size() == 2);
  CHECK(key_int(end.segments[1].from_key) == "2");
  CHECK(end.segments[1].at == StreamPoint(at(300)));
  const StreamFilter filter(end.segments, nullptr, o.chunk_key);
  CHECK(delivers_delete(filter, g, 2, 200));  // the sink holds that row from the first read
  CHECK_FALSE(delivers_delete(filter, g, 3, 200));
}

TEST_CASE("insert_segment keeps (table, key) order and replaces a segment at the same key") {
  auto seg = [](const std::string& t, int64_t key, uint64_t offset) {
    const Value v = Value::int64(key);
    return SnapshotSegment{"db", t, key < 0 ? "" : encode_key(std::span<const Value>(&v, 1)),
                           at(offset)};
  };
  std::vector<SnapshotSegment> segs;
  const auto a = table("a", true);
  insert_segment(segs, seg("b", -1, 1), *a);
  insert_segment(segs, seg("a", 20, 2), *a);
  insert_segment(segs, seg("a", -1, 3), *a);
  insert_segment(segs, seg("a", 7, 4), *a);
  insert_segment(segs, seg("a", 20, 5), *a);
  REQUIRE(segs.size() == 4);
  CHECK(segs[0].at == StreamPoint(at(3)));
  CHECK(key_int(segs[1].from_key) == "7");
  CHECK(segs[2].at == StreamPoint(at(5)));
  CHECK(segs[3].table == "b");
  // A segment after every row (a table without a key read again) keeps the earlier position:
  // the rows of that earlier read were delivered, and their changes stream from there.
  const auto n = table("n", false);
  insert_segment(segs, {"db", "n", after_every_row_key(), at(6)}, *n);
  insert_segment(segs, {"db", "n", after_every_row_key(), at(8)}, *n);
  REQUIRE(segs.size() == 5);
  CHECK(segs[4].table == "n");
  CHECK(segs[4].at == StreamPoint(at(6)));
}

namespace {

// A reader whose table without a key is stored in id order, row id at place id - 1 (as a heap's
// blocks): storage_split_points cuts it in halves, and a part's places become the memory
// reader's id bounds (place >= a: id > a; place < b: id <= b).
class PlacedChunkReader final : public ChunkReader {
 public:
  MemoryChunkReader m;
  bool lsn = false;  // consistent reads at PostgreSQL LSNs
  Result<StreamPoint> begin_consistent_read() override {
    if (lsn) return StreamPoint(PostgresPosition{Lsn{m.next_at}, Lsn{0}, 0});
    return m.begin_consistent_read();
  }
  Status start_chunk(const TableSchema& t, std::span<const Value> after, uint64_t limit) override {
    return start_chunk_through(t, after, {}, limit);
  }
  Status start_chunk_through(const TableSchema& t, std::span<const Value> after,
                             std::span<const Value> through, uint64_t limit) override {
    if (!t.primary_key.empty()) return m.start_chunk_through(t, after, through, limit);
    std::vector<Value> a, b;
    for (const Value& v : after) a.push_back(Value::int64(static_cast<int64_t>(v.u)));
    for (const Value& v : through) b.push_back(Value::int64(static_cast<int64_t>(v.u)));
    for (const Value& v : after) CHECK(v.kind == ValueKind::uint64);
    return m.start_chunk_through(t, a, b, limit);
  }
  Result<std::optional<std::span<const Value>>> next_row(Arena& arena) override {
    return m.next_row(arena);
  }
  Status end_consistent_read() override { return m.end_consistent_read(); }
  Result<std::vector<uint64_t>> storage_split_points(const TableSchema& t, size_t parts) override {
    const uint64_t n = m.ids[t.id.table].size();
    if (parts < 2 || n < 2) return std::vector<uint64_t>();
    return std::vector<uint64_t>{n / 2};
  }
};

// Reads `table` (without a key) to its end from `start` with two placed readers whose shared
// consistent read is at `at`: the rows read, the final position, and (optionally) the chunks.
std::pair<std::vector<std::string>, SnapshotPosition> read_all_placed(
    const std::map<std::string, std::vector<int64_t>>& ids, const SnapshotPosition& start,
    uint64_t at, const std::string& table_name, std::vector<std::string>* chunks = nullptr) {
  PlacedChunkReader q0, q1;
  q0.m.ids = q1.m.ids = ids;
  q0.m.next_at = q1.m.next_at = at;
  ParallelSnapshotReader reader({&q0, &q1}, start, options(3), 3);
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({table(table_name, false)}));
  auto rows = read_batches([&](Batch& b, size_t max) { return reader.fill(b, max); }, 3,
                           SnapshotMarker::yes);
  if (chunks != nullptr) {
    *chunks = q0.m.chunks;
    chunks->insert(chunks->end(), q1.m.chunks.begin(), q1.m.chunks.end());
  }
  return {std::move(rows), reader.position()};
}

}  // namespace

TEST_CASE(
    "ParallelSnapshotReader cuts a table without a key at the source's storage places; a "
    "restart reads it again whole, planned anew, its segment after every row") {
  const std::map<std::string, std::vector<int64_t>> ids = {{"n", range(1, 20)}};
  PlacedChunkReader r0, r1;
  r0.m.ids = r1.m.ids = ids;
  r0.m.next_at = r1.m.next_at = 100;  // one shared snapshot
  std::vector<std::string> first_rows;
  Position stop;
  {
    ParallelSnapshotReader first({&r0, &r1}, SnapshotPosition{}, options(3), 3);
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({table("n", false)}));
    const auto& planned = first.position();
    REQUIRE(planned.splits.size() == 2);
    CHECK(planned.splits[0].from_key.empty());
    CHECK(planned.splits[1].through_key.empty());  // the last part is open above
    CHECK(planned.splits[0].through_key == planned.splits[1].from_key);
    auto place = decode_key(planned.splits[1].from_key);
    REQUIRE(place);
    REQUIRE(place->size() == 1);
    CHECK((*place)[0].kind == ValueKind::uint64);
    CHECK((*place)[0].u == 10);
    // At least two fills and some rows: a fill may bring a worker's message without rows (a
    // part opened), and the two workers' messages come in either order (two fills without a
    // row: 2 runs in 30).
    for (int n = 0; n < 2 || (first_rows.empty() && n < 10); ++n) {
      Batch b;
      auto more = first.fill(b, 3);
      REQUIRE(more);
      REQUIRE(*more);
      for (const auto& e : b.events) first_rows.push_back("n:" + std::to_string(e.after[0].i));
      stop = b.end;
    }
  }
  CHECK_FALSE(first_rows.empty());
  const auto& s = std::get<SnapshotPosition>(stop);
  REQUIRE(s.reading);
  // One segment for the table however many of its parts opened: from its start.
  REQUIRE(s.segments.size() == 1);
  CHECK(s.segments[0].from_key.empty());
  CHECK(s.segments[0].at == StreamPoint(at(100)));

  std::vector<std::string> chunks;
  const auto [again, end] = read_all_placed(ids, s, 300, "n", &chunks);
  CHECK(sorted(again) == sorted(names("n", range(1, 20))));  // whole, each row once
  CHECK(sorted(chunks) == sorted({"n after=- through=10 limit=0", "n after=10 limit=0"}));
  // The first read's segment stays and the second's starts after every row (one for both
  // parts): the stream delivers the table's changes from 100 on, those of the rows the first
  // run delivered included (at least once, none lost).
  REQUIRE(end.segments.size() == 2);
  CHECK(end.segments[0].from_key.empty());
  CHECK(end.segments[0].at == StreamPoint(at(100)));
  CHECK(end.segments[1].from_key == encode_key(std::span<const Value>()));
  CHECK(end.segments[1].at == StreamPoint(at(300)));
  CHECK(end.stream == StreamPoint(at(100)));
}

TEST_CASE(
    "ParallelSnapshotReader: a table without a key whose parts are all listed and unread is not "
    "read again, and a later restart's segment after every row leaves the stream at the first "
    "read") {
  // Found by pg_snapshot_kill_it: a checkpoint taken before any part opened lists both parts,
  // the second with a place as its from_key; that was taken for rows delivered, the table was
  // read again with its segment after every row, and the next restart moved that segment's
  // position past the changes of the rows the run between delivered.
  const std::map<std::string, std::vector<int64_t>> ids = {{"n", range(1, 20)}};
  PlacedChunkReader r0, r1;
  r0.m.ids = r1.m.ids = ids;
  r0.m.next_at = r1.m.next_at = 100;
  SnapshotPosition early;
  {
    ParallelSnapshotReader first({&r0, &r1}, SnapshotPosition{}, options(3), 3);
    REQUIRE(first.begin());
    REQUIRE(first.set_tables({table("n", false)}));
    early = first.position();
  }
  REQUIRE(early.splits.size() == 2);
  REQUIRE(early.segments.empty());

  PlacedChunkReader q0, q1;
  q0.m.ids = q1.m.ids = ids;
  q0.m.next_at = q1.m.next_at = 200;
  Position cut;
  {
    ParallelSnapshotReader second({&q0, &q1}, early, options(3), 3);
    REQUIRE(second.begin());
    REQUIRE(second.set_tables({table("n", false)}));
    for (int n = 0; n < 100; ++n) {  // until a batch holds rows (the parts open first)
      Batch b;
      auto more = second.fill(b, 3);
      REQUIRE(more);
      REQUIRE(*more);
      cut = b.end;
      if (!b.events.empty()) break;
    }
  }
  const auto& c = std::get<SnapshotPosition>(cut);
  REQUIRE(c.segments.size() == 1);
  CHECK(c.segments[0].from_key.empty());  // a first read, not a read again
  CHECK(c.segments[0].at == StreamPoint(at(200)));

  const auto [again, end] = read_all_placed(ids, c, 300, "n");
  CHECK(sorted(again) == sorted(names("n", range(1, 20))));
  REQUIRE(end.segments.size() == 2);
  CHECK(end.segments[1].from_key == after_every_row_key());
  CHECK(end.stream == StreamPoint(at(200)));
}

TEST_CASE("ParallelSnapshotReader: a checkpoint before any part opened is of the source's kind") {
  // PostgreSQL's points are LSNs; an unset stream point would read as MySQL's and the source
  // would refuse its own checkpoint (found by pg_snapshot_kill_it with 2 connections).
  PlacedChunkReader r0, r1;
  r0.m.ids = r1.m.ids = {{"a", range(1, 20)}};
  r0.lsn = r1.lsn = true;
  ParallelSnapshotReader reader({&r0, &r1}, SnapshotPosition{}, options(3), 4);
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({table("a", true)}));
  CHECK(reader.position().segments.empty());
  CHECK(reader.position().reading);
  CHECK(std::holds_alternative<PostgresPosition>(reader.position().stream));
  CHECK(of_postgres(reader.position()));
}
