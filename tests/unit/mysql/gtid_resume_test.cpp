// Resuming on another server: which GTIDs a server lacks for a checkpoint (MariaDB domains,
// MySQL sets), and the order of MariaDB states across servers.
#include <doctest/doctest.h>

#include "cdc/mysql/gtid_resume.h"
#include "cdc/mysql/gtid_set.h"

namespace cdc::mysql {
namespace {

GtidSet set(std::string_view text) { return GtidSet::parse(text).value(); }

TEST_CASE("MariaDB: a server holds a checkpoint when every domain reaches it unpurged") {
  // A promoted replica: the primary's 0-1-250 followed by its own 0-2-260.
  CHECK(mariadb_missing_gtids(set("0-1-250"), set(""), set("0-2-260")) == "");
  CHECK(mariadb_missing_gtids(set("0-1-250"), set("0-1-250"), set("0-1-250")) == "");
  CHECK(mariadb_missing_gtids(set(""), set(""), set("")) == "");
  // A server outside the topology, or a replica that lagged when the primary died.
  CHECK(mariadb_missing_gtids(set("0-1-250"), set(""), set("0-3-5")) ==
        "domain 0: the server lacks sequence numbers 6 to 250 (the checkpoint holds up to "
        "0-1-250, the server's binlogs end at 0-3-5)");
  CHECK(mariadb_missing_gtids(set("0-1-250,1-1-7"), set(""), set("0-1-250")) ==
        "domain 1: the checkpoint holds up to 1-1-7, the server's binlogs have no transaction "
        "of this domain");
  // Purged: its oldest binlog starts after transactions the checkpoint has not delivered.
  CHECK(mariadb_missing_gtids(set("0-1-250"), set("0-1-300"), set("0-1-400")) ==
        "domain 0: the server purged the binlogs of sequence numbers 251 to 300 (its oldest "
        "binlog starts after 0-1-300, the checkpoint holds up to 0-1-250)");
  // Both problems are named, one per domain.
  CHECK(mariadb_missing_gtids(set("0-1-9,2-1-4"), set("0-1-10"), set("0-1-12")) ==
        "domain 0: the server purged the binlogs of sequence numbers 10 to 10 (its oldest "
        "binlog starts after 0-1-10, the checkpoint holds up to 0-1-9); domain 2: the "
        "checkpoint holds up to 2-1-4, the server's binlogs have no transaction of this domain");
}

TEST_CASE("MySQL: a server holds a checkpoint it executed and did not purge past") {
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  const std::string b = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
  CHECK(mysql_missing_gtids(set(a + ":1-100"), set(a + ":1-120," + b + ":1-3"), set(a + ":1-50")) ==
        "");
  CHECK(mysql_missing_gtids(set(a + ":1-100"), set(a + ":1-90"), set("")) ==
        "the server never executed " + a + ":91-100");
  CHECK(mysql_missing_gtids(set(a + ":1-100," + b + ":1-2"), set(a + ":1-40:45-100"), set("")) ==
        "the server never executed " + a + ":41-44," + b + ":1-2");
  CHECK(mysql_missing_gtids(set(a + ":1-100"), set(a + ":1-200"), set(a + ":1-150")) ==
        "the server purged " + a + ":101-150, which the checkpoint has not delivered");
}

TEST_CASE("MySQL set difference cuts intervals") {
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  CHECK(set(a + ":1-10").mysql_minus(set(a + ":3-4:8")).to_string() == a + ":1-2:5-7:9-10");
  CHECK(set(a + ":1-10").mysql_minus(set(a + ":1-10")).empty());
  CHECK(set(a + ":5").mysql_minus(set(a + ":1-3:7-9")).to_string() == a + ":5");
  CHECK(set(a + ":1-10").mysql_minus(set("")).to_string() == a + ":1-10");
  CHECK(set(a + ":1-18446744073709551615")
            .mysql_minus(set(a + ":2-18446744073709551615"))
            .to_string() == a + ":1");
}

TEST_CASE("MariaDB states order by their sequences, whichever server wrote them") {
  using std::partial_ordering;
  CHECK(mariadb_order(set("0-1-250"), set("0-2-260")) == partial_ordering::less);
  CHECK(mariadb_order(set("0-2-260"), set("0-1-250")) == partial_ordering::greater);
  CHECK(mariadb_order(set("0-1-5,1-1-3"), set("0-2-5,1-1-3")) == partial_ordering::equivalent);
  CHECK(mariadb_order(set("0-1-5,1-1-4"), set("0-1-6,1-1-4")) == partial_ordering::less);
  // Domains moving apart, domains missing on one side, MySQL or empty sets: no order.
  CHECK(mariadb_order(set("0-1-5,1-1-4"), set("0-1-6,1-1-3")) == partial_ordering::unordered);
  CHECK(mariadb_order(set("0-1-5"), set("0-1-6,1-1-3")) == partial_ordering::unordered);
  CHECK(mariadb_order(set("0-1-5"), set("")) == partial_ordering::unordered);
  CHECK(mariadb_order(set("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"),
                      set("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6")) ==
        partial_ordering::unordered);
}

TEST_CASE("a GTID_LIST with several servers of a domain seeds its highest sequence") {
  GtidSet s;
  s.reset_mariadb({MariadbGtid{0, 2, 260}, MariadbGtid{0, 1, 250}, MariadbGtid{1, 1, 3}});
  CHECK(s.to_string() == "0-2-260,1-1-3");
}

}  // namespace
}  // namespace cdc::mysql
