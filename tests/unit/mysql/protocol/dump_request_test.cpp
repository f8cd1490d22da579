#include <doctest/doctest.h>

#include "cdc/mysql/mysql_source_options.h"
#include "cdc/mysql/protocol/dump_request.h"

namespace cdc::mysql {
namespace {

std::string le(uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

TEST_CASE("COM_BINLOG_DUMP body: pos u32, flags u16, server id u32, file name") {
  auto body = binlog_dump_request(54001, BinlogPosition{"mysql-bin.000003", 0x01020304}, 2);
  REQUIRE(body);
  CHECK(*body == le(0x01020304, 4) + le(2, 2) + le(54001, 4) + "mysql-bin.000003");
  auto too_far = binlog_dump_request(1, BinlogPosition{"mysql-bin.000009", 1ull << 32}, 0);
  REQUIRE_FALSE(too_far);
  CHECK(too_far.error().code == Errc::invalid_config);
  CHECK(too_far.error().to_string().find("mysql-bin.000009") != std::string::npos);
}

TEST_CASE("COM_BINLOG_DUMP flags: ANNOTATE_ROWS only from MariaDB and only with include.query") {
  CHECK(binlog_dump_flags(Flavor::mariadb, MysqlSourceOptions{}.include_query) == 0);
  CHECK(binlog_dump_flags(Flavor::mariadb, true) == kDumpSendAnnotateRows);
  CHECK(kDumpSendAnnotateRows == 2);
  CHECK(binlog_dump_flags(Flavor::mysql, false) == 0);
  CHECK(binlog_dump_flags(Flavor::mysql, true) == 0);
}

TEST_CASE("COM_BINLOG_DUMP_GTID body: through-GTID flag, no file, position 4, SID block") {
  const std::string sids = le(1, 8) + std::string(16, '\xab') + le(1, 8) + le(1, 8) + le(8, 8);
  CHECK(binlog_dump_gtid_request(7, sids) ==
        le(4, 2) + le(7, 4) + le(0, 4) + le(4, 8) + le(sids.size(), 4) + sids);
}

}  // namespace
}  // namespace cdc::mysql
