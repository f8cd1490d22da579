#include "cdc/snapshot/stream_filter.h"

#include <doctest/doctest.h>

#include <memory>

#include "cdc/snapshot/snapshot_key.h"

using namespace cdc;
using namespace cdc::snapshot;

namespace {

MysqlPosition at(uint64_t file, uint64_t offset) {
  return {{"mysql-bin.00000" + std::to_string(file), offset}, "", 0, 0};
}

std::shared_ptr<TableSchema> schema(const std::string& name, ValueKind key_kind) {
  auto s = std::make_shared<TableSchema>();
  s->id = {"db", name};
  Column id;
  id.name = "id";
  id.kind = key_kind;
  s->columns = {id};
  s->primary_key = {0};
  return s;
}

struct Event {
  std::vector<Value> before, after;
  ChangeEvent e;
  Event(const TableSchema& s, Op op, std::optional<int64_t> old_key, std::optional<int64_t> key,
        uint64_t file, uint64_t offset) {
    e.op = op;
    e.schema = &s;
    if (old_key) before = {Value::int64(*old_key)};
    if (key) after = {Value::int64(*key)};
    if (old_key) e.before = RowImage(before);
    if (key) e.after = RowImage(after);
    e.source.at = BinlogEventPosition{file == 1 ? "mysql-bin.000001" : "mysql-bin.000002",
                                      BinlogOffset{offset}};
  }
};

}  // namespace

TEST_CASE("StreamFilter delivers a change unless its key's segment was read after it") {
  // Segment 1: from db.a's start, read at 1:500. Segment 2: db.b after key 5, read at 2:300.
  const std::vector<Value> five{Value::int64(5)};
  const StreamFilter f({{"db", "a", "", at(1, 500)}, {"db", "b", encode_key(five), at(2, 300)}});
  const auto a = schema("a", ValueKind::int64), b = schema("b", ValueKind::int64),
             c = schema("c", ValueKind::int64), first = schema("0", ValueKind::int64);
  auto deliver = [&](const Event& ev) {
    auto r = f.deliver(ev.e);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    return *r;
  };
  CHECK(deliver(Event(*a, Op::insert, {}, 1, 1, 600)));        // segment 1, after its read
  CHECK(deliver(Event(*b, Op::update, 3, 3, 1, 900)));         // b key 3 <= 5: segment 1
  CHECK(deliver(Event(*b, Op::erase, 5, {}, 2, 100)));         // key 5 itself: segment 1
  CHECK_FALSE(deliver(Event(*b, Op::update, 6, 6, 2, 100)));   // key 6: segment 2, read later
  CHECK_FALSE(deliver(Event(*c, Op::insert, {}, 1, 2, 299)));  // db.c: in segment 2
  CHECK(deliver(Event(*c, Op::insert, {}, 1, 2, 300)));        // at segment 2's read: not in it
  CHECK(deliver(Event(*first, Op::insert, {}, 1, 1, 600)));    // before every segment: not read
  CHECK(deliver(Event(*b, Op::update, 3, 9, 2, 100)));         // the key moved out of segment 1
  CHECK_FALSE(f.done(at(2, 299)));
  CHECK(f.done(at(2, 300)));
  CHECK(f.done(at(3, 4)));
  // Past the last segment's read no key is looked at.
  const auto text = schema("b", ValueKind::string);
  ChangeEvent late;
  late.op = Op::insert;
  late.schema = text.get();
  late.source.at = BinlogEventPosition{"mysql-bin.000002", BinlogOffset{400}};
  CHECK(*f.deliver(late));
}

TEST_CASE("StreamFilter places a PostgreSQL change by its transaction's commit LSN") {
  // Segment 1: db.a from its start at the slot's consistent point 0/500; segment 2: db.a after
  // key 5, read at a temporary slot's consistent point 0/900.
  const std::vector<Value> five{Value::int64(5)};
  const auto lsn = [](uint64_t v) { return PostgresPosition{Lsn{v}, Lsn{0}, 0}; };
  const StreamFilter f({{"db", "a", "", lsn(0x500)}, {"db", "a", encode_key(five), lsn(0x900)}});
  const auto a = schema("a", ValueKind::int64);
  auto deliver = [&](std::optional<int64_t> key, uint64_t commit_lsn) {
    Event ev(*a, Op::insert, {}, key, 1, 0);
    ev.e.source.at = Lsn{0x100};  // the change's own LSN: not what places it
    auto r = f.deliver(ev.e, EventPosition(Lsn{commit_lsn}));
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    return *r;
  };
  CHECK(deliver(3, 0x500));  // segment 1 holds what committed before 0/500 only
  CHECK(deliver(3, 0x700));
  CHECK_FALSE(deliver(6, 0x700));  // segment 2's rows hold it
  CHECK_FALSE(deliver(6, 0x8FF));
  CHECK(deliver(6, 0x900));  // committed at or after the temporary slot's point
  CHECK_FALSE(f.done(lsn(0x800)));
  CHECK(f.done(lsn(0x900)));
  CHECK(f.done(PostgresPosition{Lsn{0xA00}, Lsn{0xB00}, 2}));
}

TEST_CASE("StreamFilter names the table when a key inside a resumed table cannot be ordered") {
  const std::vector<Value> k{Value::string("m")};
  const StreamFilter f({{"db", "a", "", at(1, 500)}, {"db", "s", encode_key(k), at(2, 300)}});
  const auto s = schema("s", ValueKind::string);
  std::vector<Value> row{Value::string("x")};
  ChangeEvent e;
  e.op = Op::insert;
  e.schema = s.get();
  e.after = RowImage(row);
  e.source.at = BinlogEventPosition{"mysql-bin.000002", BinlogOffset{100}};
  auto r = f.deliver(e);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message.find("db.s") != std::string::npos);
}

TEST_CASE("StreamFilter: a TRUNCATE is delivered when the whole table was read before it") {
  const std::vector<Value> five{Value::int64(5)};
  const StreamFilter f({{"db", "a", "", at(1, 500)}, {"db", "b", encode_key(five), at(2, 300)}});
  const auto a = schema("a", ValueKind::int64), c = schema("c", ValueKind::int64),
             b = schema("b", ValueKind::int64);
  auto truncate = [](const TableSchema& s, uint64_t file, uint64_t offset) {
    ChangeEvent e;
    e.op = Op::truncate;
    e.schema = &s;
    e.source.at = BinlogEventPosition{file == 1 ? "mysql-bin.000001" : "mysql-bin.000002",
                                      BinlogOffset{offset}};
    return e;
  };
  CHECK(*f.deliver(truncate(*a, 1, 600)));        // db.a read at 1:500
  CHECK_FALSE(*f.deliver(truncate(*c, 1, 600)));  // db.c read at 2:300: its rows hold it
  CHECK(*f.deliver(truncate(*c, 2, 300)));
  auto split = f.deliver(truncate(*b, 1, 600));  // db.b: up to key 5 at 1:500, after at 2:300
  REQUIRE_FALSE(split);
  CHECK(split.error().code == Errc::unsupported);
  CHECK(split.error().message.find("TRUNCATE of db.b") != std::string::npos);
}

TEST_CASE(
    "StreamFilter: a table between the splits of a parallel read was not read, whatever its "
    "name's place") {
  // Parallel splits, each holding its own table only: db.a read at 1:500, db.c at 2:300. db.b
  // and db.d were created while the snapshot ran; their changes before 2:300 are no rows read.
  const std::vector<Value> five{Value::int64(5)};
  const StreamFilter f({{"db", "a", "", at(1, 500), true},
                        {"db", "c", "", at(2, 300), true},
                        {"db", "c", encode_key(five), at(1, 700), true}});
  const auto a = schema("a", ValueKind::int64), b = schema("b", ValueKind::int64),
             c = schema("c", ValueKind::int64), d = schema("d", ValueKind::int64);
  auto deliver = [&](const Event& ev) {
    auto r = f.deliver(ev.e);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    return *r;
  };
  CHECK(deliver(Event(*b, Op::insert, {}, 1, 1, 600)));  // after db.a's split: not read
  // After db.c's last split, read at 1:700: not in its rows (an older walk dropped this one).
  CHECK(deliver(Event(*d, Op::insert, {}, 1, 1, 600)));
  CHECK(deliver(Event(*d, Op::update, 1, 1, 2, 100)));
  CHECK_FALSE(deliver(Event(*c, Op::insert, {}, 1, 2, 100)));  // db.c key 1: read at 2:300
  CHECK(deliver(Event(*c, Op::insert, {}, 9, 2, 100)));        // db.c key 9: read at 1:700
  CHECK_FALSE(deliver(Event(*c, Op::insert, {}, 9, 1, 600)));
  auto truncate = [](const TableSchema& s) {
    ChangeEvent e;
    e.op = Op::truncate;
    e.schema = &s;
    e.source.at = BinlogEventPosition{"mysql-bin.000002", BinlogOffset{100}};
    return e;
  };
  CHECK(*f.deliver(truncate(*d)));  // db.d was not read: its TRUNCATE is the stream's
}
