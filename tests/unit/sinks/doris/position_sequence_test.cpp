#include "sinks/doris/position_sequence.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::doris;

namespace {

ChangeEvent at_binlog(std::string_view file, uint64_t offset, uint32_t row) {
  ChangeEvent e;
  e.source.at = BinlogEventPosition{file, BinlogOffset{offset}};
  e.source.row = row;
  return e;
}

std::string seq(const ChangeEvent& e) {
  auto r = position_sequence(e);
  REQUIRE(r);
  return *r;
}

// Decimal texts of equal length compare as numbers; different lengths by length.
bool less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

TEST_CASE("position sequence: MySQL file, offset and row, in that order of weight") {
  CHECK(seq(at_binlog("mysql-bin.000000", 0, 0)) == "0");
  CHECK(seq(at_binlog("mysql-bin.000000", 0, 7)) == "7");
  CHECK(seq(at_binlog("mysql-bin.000000", 1, 0)) == "4294967296");                     // 2^32
  CHECK(seq(at_binlog("mysql-bin.000001", 0, 0)) == "79228162514264337593543950336");  // 2^96
  // The largest: file 2^31-1, offset and row at their maxima: 2^127 - 1, LARGEINT's maximum.
  CHECK(seq(at_binlog("b.2147483647", UINT64_MAX, UINT32_MAX)) ==
        "170141183460469231731687303715884105727");
  // Around 10^19, where the text is made of two 64-bit halves: the low one keeps its zeros.
  CHECK(seq(at_binlog("mysql-bin.000000", 2328306436, 2313682943)) == "9999999999999999999");
  CHECK(seq(at_binlog("mysql-bin.000000", 2328306436, 2313682944)) == "10000000000000000000");
  CHECK(seq(at_binlog("mysql-bin.000000", 2328306436, 2313682949)) == "10000000000000000005");
  const auto f = position_sequence(at_binlog("b.2147483648", 0, 0));
  REQUIRE_FALSE(f);
  CHECK(f.error().code == Errc::unsupported);
  // Later positions give larger values: the row within an event, the event within a file, the
  // file over any offset.
  const std::vector<ChangeEvent> ordered = {
      at_binlog("mysql-bin.000009", 4, 0),          at_binlog("mysql-bin.000009", 4, 1),
      at_binlog("mysql-bin.000009", 4, UINT32_MAX), at_binlog("mysql-bin.000009", 5, 0),
      at_binlog("mysql-bin.000009", 1u << 31, 3),   at_binlog("mysql-bin.000010", 4, 0),
      at_binlog("mysql-bin.100000", 4, 0)};
  for (size_t i = 1; i < ordered.size(); ++i) CHECK(less(seq(ordered[i - 1]), seq(ordered[i])));
}

TEST_CASE("position sequence: the PostgreSQL LSN, the datagen row, none without a position") {
  ChangeEvent e;
  e.source.at = Lsn{0x16B374D848};
  CHECK(seq(e) == "97500059720");
  e.source.at = Lsn{UINT64_MAX};
  CHECK(seq(e) == "18446744073709551615");
  e.source.at = RowSequence{42};
  CHECK(seq(e) == "42");
  TableSchema s;
  s.id = {"db", "t"};
  e.schema = &s;
  e.source.at = std::monostate{};
  const auto r = position_sequence(e);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message.find("db.t has no source position") != std::string::npos);
}
