#include "cdc/mysql/captured_tables.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::mysql;

TEST_CASE("the captured-tables record round-trips, a newline in a pattern as the regex escape") {
  const CapturedTables c{{"shop\\.orders", "shop\\.items_[0-9]+"}, {"shop\\.items_0"}};
  const std::string enc = encode_captured_tables(c);
  CHECK(enc == "sluice captured-tables 1\n+shop\\.orders\n+shop\\.items_[0-9]+\n-shop\\.items_0\n");
  auto dec = decode_captured_tables(enc);
  REQUIRE(dec);
  CHECK(*dec == c);
  const CapturedTables none{};  // every table outside MySQL's own databases
  auto empty = decode_captured_tables(encode_captured_tables(none));
  REQUIRE(empty);
  CHECK(*empty == none);
  auto nl = decode_captured_tables(encode_captured_tables({{"a\nb"}, {}}));
  REQUIRE(nl);
  CHECK(nl->include == std::vector<std::string>{"a\\nb"});
}

TEST_CASE("a captured-tables record that is not ours is refused, naming the line") {
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"", "captured-tables record: empty"},
           {"sluice captured-tables 2\n", "captured-tables record: the first line is not"},
           {"sluice captured-tables 1", "captured-tables record: line 1 has no end"},
           {"sluice captured-tables 1\n+a", "captured-tables record: line 2 has no end"},
           {"sluice captured-tables 1\n\n", "captured-tables record: line 2 is no pattern line"},
           {"sluice captured-tables 1\n*a\n", "captured-tables record: line 2 is no pattern"},
           {"sluice captured-tables 1\n-a\n+b\n", "captured-tables record: line 3 is no pattern"},
       }) {
    INFO(text);
    auto dec = decode_captured_tables(text);
    REQUIRE_FALSE(dec);
    CHECK(dec.error().code == Errc::malformed);
    CHECK(dec.error().message.find(want) == 0);
  }
}

TEST_CASE("newly_captured: the tables the patterns capture now and did not before") {
  const std::vector<TableId> tables{
      {"shop", "a"}, {"shop", "b"}, {"shop", "c"}, {"mysql", "user"}, {"crm", "x"}};
  // Widened: b and c are new; a was captured.
  auto added = newly_captured(tables, {{"shop\\.[abc]"}, {}}, {{"shop\\.a"}, {}});
  REQUIRE(added);
  CHECK(*added == std::vector<TableId>{{"shop", "b"}, {"shop", "c"}});
  // An exclude taken away; narrowed patterns add nothing.
  added = newly_captured(tables, {{"shop\\..*"}, {}}, {{"shop\\..*"}, {"shop\\.c"}});
  REQUIRE(added);
  CHECK(*added == std::vector<TableId>{{"shop", "c"}});
  added = newly_captured(tables, {{"shop\\.a"}, {}}, {{"shop\\..*"}, {}});
  REQUIRE(added);
  CHECK(added->empty());
  // No include pattern: every table outside MySQL's own databases.
  added = newly_captured(tables, {{}, {}}, {{"shop\\..*"}, {}});
  REQUIRE(added);
  CHECK(*added == std::vector<TableId>{{"crm", "x"}});
  // A recorded pattern that is no regex is named.
  auto bad = newly_captured(tables, {{"shop\\.a"}, {}}, {{"shop\\.("}, {}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_config);
  CHECK(bad.error().message.find("shop\\.(") != std::string::npos);
}
