// Fuzz target gtid_set: GtidSet::parse() (cdc/mysql/gtid_set.h) of the text the server returns
// (@@gtid_binlog_pos, @@gtid_executed) and checkpoints store. Parsing what to_string() printed
// gives the same text back: a restart resumes from exactly the set that was saved.
#include <string>
#include <string_view>

#include "cdc/mysql/gtid_resume.h"
#include "cdc/mysql/gtid_set.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;
using namespace cdc::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = GtidSet::parse(text);
  if (!set) {
    // Text from the server or a config file: refused as configuration, never a crash.
    FUZZ_CHECK(set.error().code == Errc::invalid_config || fuzz::is_bad_bytes_error(set.error()),
               "GtidSet::parse: unexpected error code");
    return 0;
  }
  const std::string once = set->to_string();
  FUZZ_CHECK(once.empty() == set->empty(), "empty() disagrees with to_string()");
  auto again = GtidSet::parse(once);
  FUZZ_CHECK(again, "GtidSet::to_string() output does not parse");
  FUZZ_CHECK(again->to_string() == once, "GtidSet text form is not stable");
  // A set minus itself is empty; a MariaDB state is as far as itself (failover checks).
  FUZZ_CHECK(set->mysql_minus(*set).empty(), "a GTID set minus itself is not empty");
  FUZZ_CHECK(mariadb_order(*set, *set) != std::partial_ordering::less &&
                 mariadb_order(*set, *set) != std::partial_ordering::greater,
             "a MariaDB state is before or after itself");
  FUZZ_CHECK(mysql_missing_gtids(*set, *set, GtidSet()).empty(),
             "a server that executed the set lacks some of it");
  FUZZ_CHECK(mariadb_missing_gtids(*set, GtidSet(), *set).empty(),
             "a server whose binlogs end at the state lacks some of it");
  GtidSet merged;
  merged.reset_mysql(text);  // PREVIOUS_GTIDS path: keeps only the MySQL part
  (void)merged.to_string();
  return 0;
}
