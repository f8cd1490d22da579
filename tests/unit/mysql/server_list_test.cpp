#include "cdc/mysql/server_list.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::mysql;

namespace {

std::string error_of(std::string_view text, uint16_t port = 3306) {
  auto r = parse_server_list(text, port);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_config);
  return r.error().message;
}

}  // namespace

TEST_CASE("hostname list: one server, or several with their ports or the default port") {
  auto one = parse_server_list("db.internal", 3307);
  REQUIRE(one);
  CHECK(*one == std::vector<ServerAddress>{{"db.internal", 3307}});

  auto list = parse_server_list(" db1:3306 , db2,10.0.0.7:33061,[::1]:3308,[fe80::2]", 3310);
  REQUIRE(list);
  CHECK(*list ==
        std::vector<ServerAddress>{
            {"db1", 3306}, {"db2", 3310}, {"10.0.0.7", 33061}, {"::1", 3308}, {"fe80::2", 3310}});
  CHECK((*list)[0].to_string() == "db1:3306");
  CHECK((*list)[3].to_string() == "[::1]:3308");

  // A bare IPv6 address is one host, as a single hostname always could be.
  auto bare = parse_server_list("::1", 3306);
  REQUIRE(bare);
  CHECK(*bare == std::vector<ServerAddress>{{"::1", 3306}});
  CHECK((*bare)[0].to_string() == "[::1]:3306");
}

TEST_CASE("hostname list: empty entries and hosts are named") {
  CHECK(error_of("") == "expected a host name or address, found ''");
  CHECK(error_of("  ") == "expected a host name or address, found ''");
  CHECK(error_of("db1,,db2") ==
        "hostname entry 2 of 'db1,,db2' is empty: expected host or host:port");
  CHECK(error_of("db1,") == "hostname entry 2 of 'db1,' is empty: expected host or host:port");
  CHECK(error_of(":3306,db2") == "hostname entry ':3306': the host is empty");
  CHECK(error_of("db1,[]:3306") == "hostname entry '[]:3306': the host is empty");
}

TEST_CASE("hostname list: a port that is not 1..65535 is named") {
  CHECK(error_of("db1:0") == "hostname entry 'db1:0': expected a port 1..65535, found '0'");
  CHECK(error_of("db1:3306,db2:65536") ==
        "hostname entry 'db2:65536': expected a port 1..65535, found '65536'");
  CHECK(error_of("db1:") == "hostname entry 'db1:': expected a port 1..65535, found ''");
  CHECK(error_of("db1:33o6") ==
        "hostname entry 'db1:33o6': expected a port 1..65535, found '33o6'");
  CHECK(error_of("db1:-1") == "hostname entry 'db1:-1': expected a port 1..65535, found '-1'");
  CHECK(error_of("db1:99999999999999999999") ==
        "hostname entry 'db1:99999999999999999999': expected a port 1..65535, found "
        "'99999999999999999999'");
  CHECK(error_of("[::1]3306") ==
        "hostname entry '[::1]3306': expected ':port' after ']', found '3306'");
  CHECK(error_of("[::1:3306") ==
        "hostname entry '[::1:3306': '[' without ']' (an IPv6 address is written [addr] or "
        "[addr]:port)");
}

TEST_CASE("hostname list: the same server twice is named with both entries") {
  CHECK(error_of("db1:3306,db2,db1") ==
        "hostname entry 'db1' is server db1:3306, listed already by entry 'db1:3306'");
  CHECK(error_of("DB1:3307,db1", 3307) ==
        "hostname entry 'db1' is server db1:3307, listed already by entry 'DB1:3307'");
  // Another port is another server.
  auto two = parse_server_list("db1:3306,db1:3307", 3306);
  REQUIRE(two);
  CHECK(two->size() == 2);
}
