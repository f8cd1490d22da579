#include <doctest/doctest.h>

#include "cdc/mysql/gtid_set.h"

namespace cdc::mysql {
namespace {

TEST_CASE("MariaDB GTID set keeps the last GTID per domain") {
  auto s = GtidSet::parse("0-1-5,1-2-7");
  REQUIRE(s);
  s->add(MariadbGtid{0, 1, 6});
  s->add(MariadbGtid{2, 3, 1});
  CHECK(s->to_string() == "0-1-6,1-2-7,2-3-1");
  CHECK(GtidSet::parse("").value().empty());
  CHECK_FALSE(GtidSet::parse("0-1"));
  CHECK_FALSE(GtidSet::parse("a-b-c"));
}

TEST_CASE("MySQL GTID set merges adjacent numbers") {
  auto s = GtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  REQUIRE(s);
  s->add_mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562", 6);
  s->add_mysql("3e11fa47-71ca-11e1-9e33-c80aa9429562", 9);
  CHECK(s->to_string() == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6:9");
}

}  // namespace
}  // namespace cdc::mysql
