// PgStream over hand-built pgoutput messages: row events with exact before/after images per
// replica identity, unchanged TOAST, streamed transactions (commit, abort, subtransaction
// abort) through the spool, and resume points that neither lose nor repeat a change.
#include "cdc/postgres/pg_stream.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "cdc/core/byte_reader.h"
#include "tests/unit/postgres/pgoutput_bytes.h"

using namespace cdc;
using namespace cdc::postgres;
using cdc::postgres::testing::PgBytes;

namespace {

constexpr uint32_t kRel = 16385;

// public.t(id int8 key, body text, flag bool) with replica identity `ri`.
std::string relation(char ri, std::optional<uint32_t> xid = std::nullopt) {
  PgBytes b('R');
  if (xid) b.u32(*xid);
  b.u32(kRel).str("public").str("t").u8(static_cast<uint8_t>(ri)).u16(3);
  b.u8(1).str("id").u32(20).u32(0xffffffff);
  b.u8(ri == 'f' ? 1 : 0).str("body").u32(25).u32(0xffffffff);
  b.u8(ri == 'f' ? 1 : 0).str("flag").u32(16).u32(0xffffffff);
  return b.bytes();
}
std::string begin(uint64_t final_lsn, uint32_t xid) {
  return PgBytes('B').u64(final_lsn).u64(0).u32(xid).bytes();
}
std::string commit(uint64_t commit_lsn, uint64_t end_lsn) {
  return PgBytes('C').u8(0).u64(commit_lsn).u64(end_lsn).u64(0).bytes();
}
std::string insert(int id, std::optional<uint32_t> xid = std::nullopt) {
  PgBytes b('I');
  if (xid) b.u32(*xid);
  return b.u32(kRel)
      .u8('N')
      .tuple({{'t', std::to_string(id)}, {'t', "b" + std::to_string(id)}, {'t', "t"}})
      .bytes();
}

struct Fixture {
  std::string dir;
  PgTypeRegistry registry;
  std::unique_ptr<PgStream> stream;
  explicit Fixture(PostgresPosition resume = {}, size_t max_batch = 1024) {
    dir = std::filesystem::temp_directory_path() / ("pg_stream_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    PgStreamConfig c;
    c.pipeline_name = "p";
    c.database = "db";
    c.max_batch_events = max_batch;
    c.spool_dir = dir;
    stream = std::make_unique<PgStream>(c, registry, resume);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  Status feed(const std::string& m, Batch& b, uint64_t at = 0x100) {
    return stream->handle(as_bytes(m), Lsn{at}, b);
  }
};

std::vector<int64_t> ids(const Batch& b) {
  std::vector<int64_t> out;
  for (const auto& e : b.events) {
    if (e.op == Op::schema_change) continue;
    out.push_back(e.after.present ? e.after[0].i : e.before[0].i);
  }
  return out;
}

}  // namespace

TEST_CASE("PgStream: insert, update and delete with DEFAULT identity, exact images") {
  Fixture f;
  Batch b;
  REQUIRE(f.feed(begin(0x500, 7), b));
  REQUIRE(f.feed(relation('d'), b));
  REQUIRE(f.feed(insert(1), b));
  // Update with the key unchanged: no old tuple; body's TOASTed value unchanged ('u').
  REQUIRE(
      f.feed(PgBytes('U').u32(kRel).u8('N').tuple({{'t', "1"}, {'u', ""}, {'t', "f"}}).bytes(), b));
  // Update changing the key: the old key tuple.
  REQUIRE(f.feed(PgBytes('U')
                     .u32(kRel)
                     .u8('K')
                     .tuple({{'t', "1"}, {'n', ""}, {'n', ""}})
                     .u8('N')
                     .tuple({{'t', "2"}, {'t', "x"}, {'n', ""}})
                     .bytes(),
                 b));
  REQUIRE(
      f.feed(PgBytes('D').u32(kRel).u8('K').tuple({{'t', "2"}, {'n', ""}, {'n', ""}}).bytes(), b));
  REQUIRE(f.feed(commit(0x500, 0x530), b));

  REQUIRE(b.events.size() == 5);
  CHECK(b.events[0].op == Op::schema_change);  // first sight of the table
  const auto& ins = b.events[1];
  CHECK(ins.op == Op::insert);
  CHECK(ins.after[0] == Value::int64(1));
  CHECK(ins.after[1].text == "b1");
  CHECK(ins.after[2] == Value::boolean(true));
  CHECK_FALSE(ins.before.present);
  CHECK(ins.source.tx_id == 7u);
  CHECK(std::get<Lsn>(ins.source.at) == Lsn{0x100});
  CHECK(ins.source.database == "db");

  const auto& u1 = b.events[2];
  CHECK(u1.op == Op::update);
  CHECK(u1.after[0] == Value::int64(1));
  CHECK(u1.after[1].is_null());
  REQUIRE(u1.unchanged_columns.size() == 1);
  CHECK(u1.unchanged_columns[0] == 1);
  CHECK(u1.after[2] == Value::boolean(false));
  REQUIRE(u1.before.present);  // the key, from the new row
  CHECK(u1.before[0] == Value::int64(1));
  CHECK(u1.before[1].is_null());

  const auto& u2 = b.events[3];
  CHECK(u2.before[0] == Value::int64(1));
  CHECK(u2.after[0] == Value::int64(2));
  CHECK(u2.after[2].is_null());
  CHECK(u2.unchanged_columns.empty());

  const auto& d = b.events[4];
  CHECK(d.op == Op::erase);
  CHECK(d.before[0] == Value::int64(2));
  CHECK(d.before[1].is_null());
  CHECK_FALSE(d.after.present);

  CHECK(f.stream->position() == PostgresPosition{Lsn{0x530}, Lsn{0}, 0});
}

TEST_CASE("PgStream: FULL identity fills an unchanged TOAST column from the old row") {
  Fixture f;
  Batch b;
  REQUIRE(f.feed(begin(0x500, 7), b));
  REQUIRE(f.feed(relation('f'), b));
  REQUIRE(f.feed(PgBytes('U')
                     .u32(kRel)
                     .u8('O')
                     .tuple({{'t', "1"}, {'t', "big"}, {'t', "t"}})
                     .u8('N')
                     .tuple({{'t', "1"}, {'u', ""}, {'t', "f"}})
                     .bytes(),
                 b));
  REQUIRE(f.feed(commit(0x500, 0x530), b));
  REQUIRE(b.events.size() == 2);
  const auto& u = b.events[1];
  CHECK(u.after[1].text == "big");
  CHECK(u.unchanged_columns.empty());
  CHECK(u.before[1].text == "big");
  CHECK(u.before[2] == Value::boolean(true));
  CHECK(u.after[2] == Value::boolean(false));
  // FULL flags every column as identity: that is no primary key.
  CHECK(u.schema->primary_key.empty());
}

TEST_CASE("PgStream: a resume point skips what was delivered, also inside a transaction") {
  // First run: two transactions, the batch cut after the 2nd row of the second one.
  const auto run = [](PostgresPosition resume, Batch& b, PgStream*& out, Fixture& f) {
    out = f.stream.get();
    REQUIRE(f.feed(begin(0x500, 7), b));
    REQUIRE(f.feed(relation('d'), b));
    REQUIRE(f.feed(insert(1), b));
    REQUIRE(f.feed(commit(0x500, 0x530), b));
    REQUIRE(f.feed(begin(0x600, 8), b));
    REQUIRE(f.feed(insert(2), b));
    REQUIRE(f.feed(insert(3), b));
  };
  PgStream* s = nullptr;
  Fixture first;
  Batch b1;
  run({}, b1, s, first);
  CHECK(ids(b1) == std::vector<int64_t>{1, 2, 3});
  const PostgresPosition cut = s->position();
  CHECK(cut == PostgresPosition{Lsn{0x530}, Lsn{0x600}, 2});

  // After a crash the slot replays from 0x530: the second transaction again, whole.
  Fixture second(cut);
  Batch b2;
  REQUIRE(second.feed(begin(0x600, 8), b2));
  REQUIRE(second.feed(relation('d'), b2));
  CHECK(second.stream->position() == cut);  // nothing new yet: still the resume point
  REQUIRE(second.feed(insert(2), b2));
  REQUIRE(second.feed(insert(3), b2));
  REQUIRE(second.feed(insert(4), b2));
  REQUIRE(second.feed(commit(0x600, 0x640), b2));
  CHECK(ids(b2) == std::vector<int64_t>{4});
  CHECK(second.stream->position() == PostgresPosition{Lsn{0x640}, Lsn{0}, 0});

  // A transaction that committed before the resume point is skipped whole.
  Fixture third(PostgresPosition{Lsn{0x640}, Lsn{0}, 0});
  Batch b3;
  REQUIRE(third.feed(begin(0x600, 8), b3));
  REQUIRE(third.feed(relation('d'), b3));
  REQUIRE(third.feed(insert(2), b3));
  REQUIRE(third.feed(commit(0x600, 0x640), b3));
  CHECK(ids(b3).empty());
}

TEST_CASE("PgStream: a streamed transaction is emitted at its Stream Commit, in batches") {
  Fixture f({}, /*max_batch=*/2);
  Batch b;
  REQUIRE(f.feed(PgBytes('S').u32(900).u8(1).bytes(), b));
  REQUIRE(f.feed(relation('d', 900), b));
  REQUIRE(f.feed(insert(1, 900), b));
  REQUIRE(f.feed(insert(2, 901), b));  // subtransaction 901
  REQUIRE(f.feed(PgBytes('E').bytes(), b));
  // A plain transaction between the segments.
  REQUIRE(f.feed(begin(0x500, 5), b));
  REQUIRE(f.feed(relation('d'), b));
  REQUIRE(f.feed(insert(50), b));
  REQUIRE(f.feed(commit(0x500, 0x530), b));
  CHECK(ids(b) == std::vector<int64_t>{50});
  REQUIRE(f.feed(PgBytes('S').u32(900).u8(0).bytes(), b));
  REQUIRE(f.feed(insert(3, 902), b));
  REQUIRE(f.feed(insert(4, 902), b));
  REQUIRE(f.feed(PgBytes('E').bytes(), b));
  CHECK(f.stream->open_streams() == 1);
  REQUIRE(f.feed(PgBytes('A').u32(900).u32(902).bytes(), b));  // ROLLBACK TO SAVEPOINT
  REQUIRE(f.feed(PgBytes('S').u32(900).u8(0).bytes(), b));
  REQUIRE(f.feed(insert(5, 900), b));
  REQUIRE(f.feed(PgBytes('E').bytes(), b));

  Batch c;
  REQUIRE(f.feed(PgBytes('c').u32(900).u8(0).u64(0x700).u64(0x740).u64(0).bytes(), c));
  REQUIRE(f.stream->replaying());
  CHECK(c.events.size() == 2);  // cut at max_batch_events
  CHECK(f.stream->position() == PostgresPosition{Lsn{0x530}, Lsn{0x700}, 2});
  Batch d;
  REQUIRE(f.stream->continue_replay(d));
  CHECK_FALSE(f.stream->replaying());
  std::vector<int64_t> all = ids(c);
  for (auto id : ids(d)) all.push_back(id);
  CHECK(all == std::vector<int64_t>{1, 2, 5});
  CHECK(f.stream->position() == PostgresPosition{Lsn{0x740}, Lsn{0}, 0});
  CHECK(f.stream->open_streams() == 0);
  CHECK(std::filesystem::is_empty(f.dir));  // the spool file is gone
}

TEST_CASE("PgStream: an aborted streamed transaction emits nothing and leaves no file") {
  Fixture f;
  Batch b;
  REQUIRE(f.feed(PgBytes('S').u32(900).u8(1).bytes(), b));
  REQUIRE(f.feed(relation('d', 900), b));
  REQUIRE(f.feed(insert(1, 900), b));
  REQUIRE(f.feed(PgBytes('E').bytes(), b));
  REQUIRE(f.feed(PgBytes('A').u32(900).u32(900).bytes(), b));
  CHECK(b.events.empty());
  CHECK(f.stream->open_streams() == 0);
  CHECK(std::filesystem::is_empty(f.dir));
}

TEST_CASE("PgStream: protocol errors name the message and LSN") {
  Fixture f;
  Batch b;
  SUBCASE("a change outside a transaction") {
    REQUIRE(f.feed(relation('d'), b));
    auto st = f.feed(insert(1), b, 0x16B3748);
    REQUIRE_FALSE(st);
    CHECK(st.error().message == "pgoutput Insert message at 0/16B3748 outside a transaction");
  }
  SUBCASE("an unknown relation") {
    REQUIRE(f.feed(begin(0x500, 7), b));
    auto st = f.feed(insert(1), b);
    REQUIRE_FALSE(st);
    CHECK(st.error().message.find("names relation 16385") != std::string::npos);
  }
  SUBCASE("a later segment of a stream never started") {
    auto st = f.feed(PgBytes('S').u32(900).u8(0).bytes(), b);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::malformed);
  }
  SUBCASE("a tuple whose width differs from the relation") {
    REQUIRE(f.feed(begin(0x500, 7), b));
    REQUIRE(f.feed(relation('d'), b));
    auto st = f.feed(PgBytes('I').u32(kRel).u8('N').tuple({{'t', "1"}}).bytes(), b);
    REQUIRE_FALSE(st);
    CHECK(st.error().message.find("a tuple of 1 columns for public.t of 3") != std::string::npos);
  }
}
