#include "cdc/snapshot/table_progress.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/snapshot/parallel_snapshot_reader.h"
#include "cdc/snapshot/resnapshot.h"
#include "cdc/snapshot/snapshot_key.h"
#include "cdc/snapshot/snapshot_reader.h"
#include "tests/unit/snapshot/memory_chunk_reader.h"

using namespace cdc;
using namespace cdc::snapshot;
using namespace cdc::snapshot::testing;

namespace {

// "table state rows/estimate" per entry ("-" for no estimate).
std::vector<std::string> shown(const std::vector<TableSnapshotProgress>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables) {
    out.push_back(t.table.table + " " + state_name(t.state) + " " + std::to_string(t.rows_read) +
                  "/" + (t.rows_estimated ? std::to_string(*t.rows_estimated) : "-"));
  }
  return out;
}

}  // namespace

TEST_CASE("TableProgressBook: planned tables wait, count, finish; planned again starts over") {
  TableProgressBook book;
  const size_t a = book.plan({"db", "a"}, 10);
  const size_t b = book.plan({"db", "b"}, std::nullopt);
  CHECK(shown(book.tables()) == std::vector<std::string>{"a waiting 0/10", "b waiting 0/-"});
  book.count(a, 4);
  book.count(a, 3);
  CHECK(shown(book.tables()) == std::vector<std::string>{"a reading 7/10", "b waiting 0/-"});
  book.done(a);
  book.done(b);  // an empty table: done without a row
  CHECK(shown(book.tables()) == std::vector<std::string>{"a done 7/10", "b done 0/-"});
  CHECK(book.plan({"db", "a"}, 12) == a);
  CHECK(shown(book.tables()) == std::vector<std::string>{"a waiting 0/12", "b done 0/-"});
  CHECK(book.find({"db", "b"}) == b);
  CHECK_FALSE(book.find({"db", "c"}));
}

TEST_CASE("merge_table_progress: a table read again shows its latest read, others are added") {
  std::vector<TableSnapshotProgress> into{
      {{"db", "a"}, TableSnapshotProgress::State::done, 5, 5},
      {{"db", "b"}, TableSnapshotProgress::State::done, 3, std::nullopt}};
  merge_table_progress(into, {{{"db", "b"}, TableSnapshotProgress::State::reading, 1, 4},
                              {{"db", "c"}, TableSnapshotProgress::State::waiting, 0, 9}});
  CHECK(shown(into) == std::vector<std::string>{"a done 5/5", "b reading 1/4", "c waiting 0/9"});
}

TEST_CASE("SnapshotReader: per-table progress while reading and at the end, with estimates") {
  MemoryChunkReader mem;
  mem.ids = {{"b", {1, 2, 3, 4, 5, 6, 7}}, {"a", {}}, {"c", {9, 8}}};
  mem.estimates = {{"a", 0}, {"b", 5}};  // c: no statistics
  SnapshotReader reader(mem, SnapshotPosition{}, options(3));
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({table("c", false), table("b", true), table("a", true)}));
  CHECK(shown(reader.table_progress()) ==
        std::vector<std::string>{"a waiting 0/0", "b waiting 0/5", "c waiting 0/-"});
  Batch first;
  auto more = reader.fill(first, 4);
  REQUIRE(more);
  REQUIRE(*more);
  CHECK(shown(reader.table_progress()) ==
        std::vector<std::string>{"a done 0/0", "b reading 4/5", "c waiting 0/-"});
  for (int guard = 0; guard < 100; ++guard) {
    Batch b;
    more = reader.fill(b, 4);
    REQUIRE(more);
    if (!*more) break;
  }
  REQUIRE_FALSE(*more);
  // More rows than estimated: the count is what was read.
  CHECK(shown(reader.table_progress()) ==
        std::vector<std::string>{"a done 0/0", "b done 7/5", "c done 2/-"});
}

TEST_CASE("SnapshotReader: a resumed run lists only the tables left, counting from the restart") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3}}, {"b", {1, 2, 3, 4, 5}}};
  mem.estimates = {{"a", 3}, {"b", 5}};
  SnapshotPosition start;
  start.db = "db";
  start.table = "b";
  start.after_key = encode_key(std::vector<Value>{Value::int64(2)});
  SnapshotReader reader(mem, start, options(10));
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({table("a", true), table("b", true)}));
  CHECK(shown(reader.table_progress()) == std::vector<std::string>{"b waiting 0/5"});
  Batch b;
  auto more = reader.fill(b, 100);
  REQUIRE(more);
  CHECK_FALSE(*more);
  CHECK(shown(reader.table_progress()) == std::vector<std::string>{"b done 3/5"});
}

TEST_CASE("ParallelSnapshotReader: one progress entry per table, its splits' rows summed") {
  std::vector<int64_t> many;
  for (int64_t i = 1; i <= 20; ++i) many.push_back(i);
  const std::map<std::string, std::vector<int64_t>> ids = {{"a", many}, {"k", {5, 6, 7}}};
  MemoryChunkReader r0, r1;
  r0.ids = r1.ids = ids;
  r0.estimates = {{"a", 18}, {"k", 3}};
  r1.next_at = 200;
  ParallelSnapshotReader reader({&r0, &r1}, SnapshotPosition{}, options(3), 4);
  REQUIRE(reader.begin());
  REQUIRE(reader.set_tables({table("k", false), table("a", true)}));
  CHECK(reader.tables_planned() == 2);
  CHECK(shown(reader.table_progress()) ==
        std::vector<std::string>{"a waiting 0/18", "k waiting 0/3"});
  read_batches([&](Batch& b, size_t max) { return reader.fill(b, max); }, 4, SnapshotMarker::yes);
  CHECK(shown(reader.table_progress()) == std::vector<std::string>{"a done 20/18", "k done 3/3"});
}

TEST_CASE("Resnapshot: requested tables wait, get their estimate when their read starts") {
  MemoryChunkReader mem;
  mem.ids = {{"a", {1, 2, 3, 4}}, {"n", {9}}};
  mem.estimates = {{"a", 4}};
  Resnapshot r(mem, options(3));
  r.add({table("a", true), table("n", false)});
  CHECK(shown(r.table_progress()) == std::vector<std::string>{"a waiting 0/-", "n waiting 0/-"});
  auto w = r.open_window();
  REQUIRE(w);
  Batch b;
  auto more = r.fill(b, 2);
  REQUIRE(more);
  CHECK(*more);
  CHECK(shown(r.table_progress()) == std::vector<std::string>{"a reading 2/4", "n waiting 0/-"});
  for (int guard = 0; guard < 20 && !r.idle(); ++guard) {
    if (!r.window()) REQUIRE(r.open_window());
    Batch next;
    REQUIRE(r.fill(next, 2));
  }
  CHECK(r.idle());
  CHECK(shown(r.table_progress()) == std::vector<std::string>{"a done 4/4", "n done 1/-"});
  r.add({table("a", true)});  // read again: starts over
  CHECK(shown(r.table_progress()) == std::vector<std::string>{"a waiting 0/-", "n done 1/-"});
}
