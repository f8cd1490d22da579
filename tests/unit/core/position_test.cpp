#include "cdc/core/position.h"

#include <doctest/doctest.h>

#include "cdc/core/byte_reader.h"

using namespace cdc;

namespace {

// `p` decodes back exactly; a cut of its bytes is refused, or (cut at the end of an older field
// list) is a record of its own, never this one.
void check_round_trip_and_cuts(const Position& p) {
  const auto enc = encode_position(p);
  auto dec = decode_position(as_bytes(enc));
  REQUIRE(dec);
  CHECK(*dec == p);
  for (size_t n = 0; n < enc.size(); ++n) {
    auto cut = decode_position(as_bytes(std::string_view(enc).substr(0, n)));
    CHECK((!cut || !(*cut == p)));
  }
}

}  // namespace

TEST_CASE("Position encodes and decodes every kind exactly") {
  MysqlPosition m{{"mysql-bin.000042", 1337}, "0-1-100,1-2-7", 3, 12};
  const Position cases[] = {Position{}, DatagenPosition{99}, m,
                            PostgresPosition{Lsn{0x16B374D848}, Lsn{0x16B374D900}}};
  for (const auto& p : cases) {
    const auto enc = encode_position(p);
    auto dec = decode_position(as_bytes(enc));
    REQUIRE(dec);
    CHECK(*dec == p);
  }
}

TEST_CASE("SnapshotPosition encodes and decodes exactly, and every truncation is refused") {
  SnapshotPosition reading;
  reading.segments = {
      {"db", "a", "", MysqlPosition{{"mysql-bin.000003", 400}, "", 0, 0}},
      {"db", "b", std::string("\x01\x00key", 6), MysqlPosition{{"mysql-bin.000004", 4}, "", 0, 0}}};
  reading.db = "db";
  reading.table = "b";
  reading.after_key = std::string("\x01k\x00y", 4);
  SnapshotPosition streaming = reading;
  streaming.reading = false;
  streaming.db.clear();
  streaming.table.clear();
  streaming.after_key.clear();
  streaming.stream = MysqlPosition{{"mysql-bin.000003", 977}, "0-1-5", 1, 2};
  for (const Position& p : {Position(reading), Position(streaming), Position(SnapshotPosition{})}) {
    const auto enc = encode_position(p);
    auto dec = decode_position(as_bytes(enc));
    REQUIRE(dec);
    CHECK(*dec == p);
    CHECK(compare(*dec, p) == std::partial_ordering::equivalent);
    for (size_t n = 0; n < enc.size(); ++n) {
      CHECK_FALSE(decode_position(as_bytes(std::string_view(enc).substr(0, n))));
    }
  }
  // Segments that hold their own table only (parallel splits), with and without splits.
  SnapshotPosition parallel = reading;
  parallel.segments[1].single_table = true;
  SnapshotPosition with_splits = parallel;
  with_splits.splits = {{"db", "b", "", std::string("\x01\x00k", 4), ""}};
  for (const Position& p : {Position(parallel), Position(with_splits)}) {
    check_round_trip_and_cuts(p);
  }
  // A record without parallel segments keeps the older encoding (no flags, no split count).
  CHECK(encode_position(parallel).size() ==
        encode_position(reading).size() + 8 + 8 + reading.segments.size());
  CHECK(compare(Position(reading), Position(streaming)) == std::partial_ordering::unordered);
  CHECK(to_string(Position(reading)) == "snapshot segments=2 reading=db.b (after a key)");
  CHECK(to_string(Position(streaming)) ==
        "snapshot segments=2 stream=mysql-bin.000003:977 gtid=0-1-5 skip=1/2");
}

TEST_CASE(
    "a re-snapshot in progress rides on a streaming SnapshotPosition, with or without segments, "
    "and every truncation is refused") {
  SnapshotPosition plain;  // no initial snapshot left to merge: only the re-snapshot
  plain.reading = false;
  plain.stream = MysqlPosition{{"mysql-bin.000007", 1200}, "0-1-9", 0, 0};
  plain.resnapshot_tables = {{"db", "t2"}, {"db", "t3"}};
  plain.resnapshot_after_key = std::string("\x01\x00\x07", 3);
  SnapshotPosition merging = plain;  // and the initial snapshot's segments, one single-table
  merging.segments = {{"db", "a", "", MysqlPosition{{"mysql-bin.000003", 400}, "", 0, 0}},
                      {"db", "b", "", MysqlPosition{{"mysql-bin.000004", 4}, "", 0, 0}, true}};
  SnapshotPosition unflagged = merging;
  unflagged.segments[1].single_table = false;
  SnapshotPosition fresh = plain;  // its first table not started yet
  fresh.resnapshot_after_key.clear();
  for (const Position& p :
       {Position(plain), Position(merging), Position(unflagged), Position(fresh)}) {
    check_round_trip_and_cuts(p);
  }
  CHECK(to_string(Position(plain)) ==
        "snapshot segments=0 stream=mysql-bin.000007:1200 gtid=0-1-9 re-snapshot=db.t2 (after a "
        "key) +1 table(s)");
  // A re-snapshot inside a snapshot still reading is no record of ours.
  SnapshotPosition bad = plain;
  bad.reading = true;
  CHECK_FALSE(decode_position(as_bytes(encode_position(bad))));
}

TEST_CASE(
    "the key delivered inside a whole-value chunk rides on a reading SnapshotPosition, alone or "
    "after segment flags, and every truncation is refused") {
  SnapshotPosition cut;
  cut.segments = {{"db", "a", "", MysqlPosition{{"mysql-bin.000003", 400}, "", 0, 0}}};
  cut.db = "db";
  cut.table = "a";
  cut.after_key = std::string("\x01\x00\x03", 3);
  cut.delivered_key = std::string("\x01\x00\x05", 3);
  SnapshotPosition first_chunk = cut;  // cut in the table's first chunk
  first_chunk.after_key.clear();
  SnapshotPosition flagged = cut;
  flagged.segments[0].single_table = true;
  SnapshotPosition split = flagged;  // a parallel read's split, the only one with a key
  split.db.clear();
  split.table.clear();
  split.after_key.clear();
  split.delivered_key.clear();
  split.splits = {{"db", "a", "", "", std::string("\x01\x00\x03", 3), ""},
                  {"db", "b", "", "", "", std::string("\x01\x00\x05", 3)}};
  for (const Position& p :
       {Position(cut), Position(first_chunk), Position(flagged), Position(split)}) {
    check_round_trip_and_cuts(p);
  }
  CHECK(to_string(Position(cut)) ==
        "snapshot segments=1 reading=db.a (after a key) (inside a whole-value chunk)");
  // Only a snapshot still reading has one, and it is never the key it goes on after.
  SnapshotPosition streaming = cut;
  streaming.reading = false;
  CHECK_FALSE(decode_position(as_bytes(encode_position(streaming))));
  SnapshotPosition same = cut;
  same.delivered_key = same.after_key;
  CHECK_FALSE(decode_position(as_bytes(encode_position(same))));
}

TEST_CASE("a PostgreSQL SnapshotPosition encodes and decodes exactly, its points LSNs") {
  SnapshotPosition reading;
  reading.segments = {{"public", "a", "", PostgresPosition{Lsn{0x16B374D848}, Lsn{0}, 0}},
                      {"public", "b", std::string("\x01\x00key", 6),
                       PostgresPosition{Lsn{0x16B3750000}, Lsn{0}, 0}}};
  reading.db = "public";
  reading.table = "b";
  reading.after_key = "k";
  reading.stream = PostgresPosition{};
  SnapshotPosition streaming = reading;
  streaming.reading = false;
  streaming.db.clear();
  streaming.table.clear();
  streaming.after_key.clear();
  streaming.stream = PostgresPosition{Lsn{0x16B374D900}, Lsn{0x16B374DA00}, 3};
  for (const Position& p : {Position(reading), Position(streaming)}) {
    const auto enc = encode_position(p);
    CHECK(enc[1] == 5);  // its own kind: a binlog snapshot record stays as it was
    auto dec = decode_position(as_bytes(enc));
    REQUIRE(dec);
    CHECK(*dec == p);
    for (size_t n = 0; n < enc.size(); ++n) {
      CHECK_FALSE(decode_position(as_bytes(std::string_view(enc).substr(0, n))));
    }
  }
  CHECK(to_string(Position(streaming)) ==
        "snapshot segments=2 stream=lsn=16/B374DA00 commit=16/B374D900 skip=3");
}

TEST_CASE("decode_position rejects every truncation, unknown versions and kinds") {
  const auto enc = encode_position(MysqlPosition{{"mysql-bin.000001", 4}, "", 0, 0});
  for (size_t n = 0; n < enc.size(); ++n) {
    auto dec = decode_position(as_bytes(std::string_view(enc).substr(0, n)));
    REQUIRE_FALSE(dec);
    CHECK((dec.error().code == Errc::truncated || dec.error().code == Errc::malformed));
  }
  std::string bad_version = enc;
  bad_version[0] = 9;
  auto v = decode_position(as_bytes(bad_version));
  REQUIRE_FALSE(v);
  CHECK(v.error().code == Errc::unsupported);
  std::string bad_kind = enc;
  bad_kind[1] = 77;
  CHECK_FALSE(decode_position(as_bytes(bad_kind)));
  // A string length far beyond the record is malformed, not an allocation.
  std::string huge = enc;
  huge[2] = '\xff';
  huge[9] = '\x7f';
  auto h = decode_position(as_bytes(huge));
  REQUIRE_FALSE(h);
  CHECK(h.error().code == Errc::malformed);
}

TEST_CASE("Positions order by file index, offset and skip counts") {
  auto mp = [](const char* f, uint64_t off, uint64_t ev = 0) {
    return Position{MysqlPosition{{f, off}, "", ev, 0}};
  };
  CHECK(compare(mp("mysql-bin.000009", 900), mp("mysql-bin.000010", 4)) < 0);
  CHECK(compare(mp("mysql-bin.000010", 4), mp("mysql-bin.000010", 4, 1)) < 0);
  CHECK(compare(mp("mysql-bin.000010", 4), mp("mysql-bin.000010", 4)) == 0);
  CHECK(compare(Position{DatagenPosition{5}}, Position{DatagenPosition{4}}) > 0);
  CHECK(compare(Position{DatagenPosition{5}}, mp("a.1", 1)) == std::partial_ordering::unordered);
  CHECK(binlog_file_index("mysql-bin.000042") == 42);
}

TEST_CASE("Position renders for humans") {
  CHECK(to_string(Position{MysqlPosition{{"mysql-bin.000042", 1337}, "0-1-5", 2, 0}}) ==
        "mysql-bin.000042:1337 gtid=0-1-5 skip=2/0");
  CHECK(to_string(Position{MysqlPosition{{"", 0}, "0-1-5", 0, 0}}) == "gtid=0-1-5");
  CHECK(to_string(Lsn{0x16B374D848}) == "16/B374D848");
  CHECK(to_string(Position{DatagenPosition{7}}) == "datagen:row=7");
}

TEST_CASE("an event position has one text form per kind") {
  CHECK(to_string(EventPosition{BinlogEventPosition{"mysql-bin.000003", BinlogOffset{1234}}}) ==
        "mysql-bin.000003:1234");
  CHECK(to_string(EventPosition{Lsn{0x16B374D848ull}}) == "16/B374D848");
  CHECK(to_string(EventPosition{RowSequence{42}}) == "42");
  CHECK(to_string(EventPosition{}).empty());
  std::string out = "at ";
  append_text(BinlogEventPosition{"b.000001", BinlogOffset{4}}, out);
  CHECK(out == "at b.000001:4");
}
