#include "cdc/snapshot/resnapshot_queue.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "cdc/snapshot/snapshot_key.h"
#include "tests/unit/snapshot/memory_chunk_reader.h"

using namespace cdc;
using namespace cdc::snapshot;
using namespace cdc::snapshot::testing;

namespace {

struct Fixture {
  MemoryChunkReader* mem = nullptr;  // owned by the queue once connected
  int connects = 0;
  ResnapshotQueue queue{options(2), hooks()};

  ResnapshotHooks hooks() {
    ResnapshotHooks h;
    h.captured = [](const TableId& t) { return t.table != "other"; };
    h.schema_of = [](const TableId& t) -> TableSchemaPtr {
      return t.table == "gone" ? nullptr : table(t.table, true);
    };
    h.connect_reader = [this]() -> Result<std::unique_ptr<ChunkReader>> {
      ++connects;
      auto r = std::make_unique<MemoryChunkReader>();
      r->ids = {{"a", {1, 2, 3}}, {"b", {1}}};
      mem = r.get();
      return std::unique_ptr<ChunkReader>(std::move(r));
    };
    return h;
  }
};

}  // namespace

TEST_CASE(
    "ResnapshotQueue: requests from another thread, what a checkpoint records, resuming after a "
    "key, tables the source does not know skipped") {
  Fixture f;
  auto refused = f.queue.queue({{"db", "a"}, {"db", "other"}}, "test");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "re-snapshot of db.other: the pipeline does not capture it");
  CHECK_FALSE(f.queue.queue({}, "test"));

  const Value two = Value::int64(2);
  const std::string after_two = encode_key(std::span<const Value>(&two, 1));
  f.queue.resume({{"db", "a"}}, after_two);
  std::thread asker([&] { REQUIRE(f.queue.queue({{"db", "b"}, {"db", "a"}}, "test")); });
  asker.join();
  std::vector<SnapshotTable> tables;
  std::string after;
  f.queue.pending(tables, after);
  CHECK(tables == std::vector<SnapshotTable>{{"db", "a"}, {"db", "b"}});
  CHECK(after == after_two);
  CHECK(f.connects == 0);  // nothing is connected before the reader thread takes them

  Resnapshot* r = f.queue.take();
  REQUIRE(r != nullptr);
  CHECK(f.connects == 1);
  CHECK(r->pending() == std::vector<SnapshotTable>{{"db", "a"}, {"db", "b"}});
  CHECK(r->after_key() == after_two);
  f.queue.pending(tables, after);
  CHECK(tables == std::vector<SnapshotTable>{{"db", "a"}, {"db", "b"}});
  REQUIRE(r->open_window());
  Batch b;
  REQUIRE(r->fill(b, 10));
  REQUIRE(b.events.size() == 1);  // a after 2: only 3
  CHECK(b.events[0].after[0].i == 3);

  // Taken again with nothing new: the same re-snapshot, no new connection.
  CHECK(f.queue.take() == r);
  CHECK(f.connects == 1);
  REQUIRE(f.queue.queue({{"db", "gone"}}, "test"));
  CHECK(f.queue.take() == r);  // the unknown table is skipped with an error log
  CHECK(r->pending() == std::vector<SnapshotTable>{{"db", "b"}});
  CHECK(f.queue.progress().rows == 1);
  f.queue.end();
  CHECK(f.queue.current() == nullptr);
  CHECK(f.queue.progress().rows == 1);  // kept as the past re-snapshots'
  f.queue.pending(tables, after);
  CHECK(tables.empty());
  CHECK(after.empty());
  f.queue.clear();
  CHECK(f.queue.progress().rows == 0);
}

TEST_CASE("ResnapshotQueue: resume_also, resuming and unresume (newly added tables)") {
  Fixture f;
  const Value one = Value::int64(1);
  f.queue.resume({{"db", "a"}}, encode_key(std::span<const Value>(&one, 1)));
  f.queue.resume_also({"db", "b"});
  f.queue.resume_also({"db", "b"});
  CHECK(f.queue.resuming({"db", "b"}));
  std::vector<SnapshotTable> tables;
  std::string after;
  f.queue.pending(tables, after);
  CHECK(tables == std::vector<SnapshotTable>{{"db", "a"}, {"db", "b"}});
  CHECK(f.queue.unresume({"db", "a"}));  // its key goes with it
  CHECK_FALSE(f.queue.unresume({"db", "a"}));
  f.queue.pending(tables, after);
  CHECK(tables == std::vector<SnapshotTable>{{"db", "b"}});
  CHECK(after.empty());
}

TEST_CASE("stream_resume_position: the plain point unless segments merge or tables are re-read") {
  const MysqlPosition p = at(100);
  CHECK(stream_resume_position(p, {}, {}, "") == Position(p));
  const Position with = stream_resume_position(p, {}, {{"db", "a"}}, "k");
  const auto* sp = std::get_if<SnapshotPosition>(&with);
  REQUIRE(sp != nullptr);
  CHECK_FALSE(sp->reading);
  CHECK(sp->stream == StreamPoint(p));
  CHECK(sp->resnapshot_tables == std::vector<SnapshotTable>{{"db", "a"}});
  CHECK(sp->resnapshot_after_key == "k");
  CHECK(sp->segments.empty());
}
