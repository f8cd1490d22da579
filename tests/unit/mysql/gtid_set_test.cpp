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

namespace cdc::mysql {

TEST_CASE("MySQL GTID set encodes as COM_BINLOG_DUMP_GTID's SID block") {
  auto set = GtidSet::parse("3E11FA47-71CA-11E1-9E33-C80AA9429562:7:1-5:6,0-1-100");
  REQUIRE(set);
  auto bytes = set->encode_mysql();
  REQUIRE(bytes);
  auto u64 = [](uint64_t v) {
    std::string s;
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
    return s;
  };
  const std::string sid("\x3e\x11\xfa\x47\x71\xca\x11\xe1\x9e\x33\xc8\x0a\xa9\x42\x95\x62", 16);
  // One uuid; 7, 1-5 and 6 merge into the single interval [1, 8). The MariaDB part is not
  // MySQL's business.
  CHECK(*bytes == u64(1) + sid + u64(1) + u64(1) + u64(8));

  auto two = GtidSet::parse("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-3:10-12");
  REQUIRE(two);
  const std::string a(16, '\xaa');
  CHECK(*two->encode_mysql() == u64(1) + a + u64(2) + u64(1) + u64(4) + u64(10) + u64(13));

  CHECK(*GtidSet().encode_mysql() == u64(0));
  auto bad = GtidSet::parse("not-a-uuid:1-2");
  REQUIRE(bad);
  CHECK(bad->encode_mysql().error().code == Errc::invalid_config);
  CHECK(GtidSet::parse("3E11FA47-71CA-11E1-9E33-C80AA942956:1")->encode_mysql().error().code ==
        Errc::invalid_config);  // 31 digits
}

}  // namespace cdc::mysql
