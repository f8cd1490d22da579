#include "state/state_keys.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using namespace cdc;
using namespace cdc::state;

TEST_CASE("pipeline components are prefix-free, order-preserving and decode back") {
  const std::string names[] = {
      "",   "a", std::string("a\0", 2),         std::string("a\0b", 3), "a/b",
      "ab", "b", std::string("\xff\x00\x01", 3)};
  for (const auto& a : names) {
    CHECK(keys::pipeline_of(keys::checkpoint_key(a, 7)) == a);
    CHECK(keys::pipeline_of(keys::pipeline_prefix(a)) == a);
    for (const auto& b : names) {
      if (a == b) continue;
      const auto pa = keys::pipeline_prefix(a), pb = keys::pipeline_prefix(b);
      CHECK_FALSE(pb.starts_with(pa));  // a scan of a never sees b's keys
      CHECK((a < b) == (pa < pb));      // bytewise order of names is kept
    }
  }
  CHECK_FALSE(keys::pipeline_of(keys::layout_key()));
  CHECK_FALSE(
      keys::pipeline_of(std::string("\x01"
                                    "abc",
                                    4)));  // no terminator
  CHECK_FALSE(
      keys::pipeline_of(std::string("\x01"
                                    "a\0\x07",
                                    4)));  // bad escape
  CHECK_FALSE(
      keys::pipeline_of(std::string("\x01"
                                    "a\0",
                                    3)));  // cut escape
}

TEST_CASE("checkpoint keys sort numerically by id") {
  const uint64_t ids[] = {0, 1, 9, 10, 255, 256, 1u << 20, UINT64_MAX};
  for (size_t i = 0; i + 1 < std::size(ids); ++i) {
    CHECK(keys::checkpoint_key("p", ids[i]) < keys::checkpoint_key("p", ids[i + 1]));
  }
  const auto prefix = keys::checkpoint_prefix("p");
  CHECK(keys::checkpoint_id(keys::checkpoint_key("p", 0x0102030405060708), prefix) ==
        0x0102030405060708);
  CHECK_FALSE(keys::checkpoint_id(prefix + "1234567", prefix));
  CHECK_FALSE(keys::checkpoint_id(keys::checkpoint_key("q", 1), prefix));
}

TEST_CASE("schema keys sort in cdc::compare() order within a position kind") {
  auto mp = [](const char* f, uint64_t off, uint64_t ev = 0, uint64_t rows = 0) {
    return Position{MysqlPosition{{f, off}, "ignored-in-order", ev, rows}};
  };
  const std::vector<Position> ordered = {
      mp("mysql-bin.000009", 900),  mp("mysql-bin.000010", 4),   mp("mysql-bin.000010", 4, 0, 1),
      mp("mysql-bin.000010", 4, 1), mp("mysql-bin.000010", 256), mp("mysql-bin.000100", 4)};
  const TableId t{"db", "t"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    REQUIRE(compare(ordered[i], ordered[i + 1]) < 0);
    CHECK(*keys::schema_key("p", t, ordered[i]) < *keys::schema_key("p", t, ordered[i + 1]));
  }
  const Position pg[] = {PostgresPosition{Lsn{1}, Lsn{0xffff}}, PostgresPosition{Lsn{2}, Lsn{0}},
                         PostgresPosition{Lsn{2}, Lsn{1}}};
  CHECK(*keys::schema_key("p", t, pg[0]) < *keys::schema_key("p", t, pg[1]));
  CHECK(*keys::schema_key("p", t, pg[1]) < *keys::schema_key("p", t, pg[2]));
  CHECK(*keys::schema_key("p", t, DatagenPosition{255}) <
        *keys::schema_key("p", t, DatagenPosition{256}));
  auto none = keys::schema_key("p", t, Position{});
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::internal);
  // db and table are separate components: ("a.b", "c") and ("a", "b.c") never share keys.
  CHECK_FALSE(keys::schema_table_prefix("p", {"a", "b.c"})
                  .starts_with(keys::schema_table_prefix("p", {"a", ""})));
  CHECK(keys::snapshot_key("p", {"a.b", "c"}) != keys::snapshot_key("p", {"a", "b.c"}));
}

TEST_CASE("prefix_successor and printable") {
  CHECK(keys::prefix_successor("ab") == "ac");
  CHECK(keys::prefix_successor(std::string("a\xff", 2)) == "b");
  CHECK(keys::prefix_successor(std::string("\xff\xff", 2)).empty());
  CHECK(keys::printable(std::string("\x01p\0\x01"
                                    "C\\",
                                    6)) == "\\x01p\\x00\\x01C\\x5c");
}
