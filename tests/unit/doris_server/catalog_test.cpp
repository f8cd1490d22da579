#include "tests/fakes/doris/catalog.h"

#include <doctest/doctest.h>

using namespace cdc::testing::doris;

namespace {
std::string run_error(Catalog& c, std::string_view stmt) {
  auto r = c.execute("db", stmt);
  REQUIRE_FALSE(r);
  return r.error().message;
}
void run(Catalog& c, std::string_view stmt) {
  auto r = c.execute("db", stmt);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
}
}  // namespace

TEST_CASE("catalog: CREATE TABLE keeps Doris's key rules") {
  Catalog c;
  c.ensure_database("db");
  CHECK(run_error(c, "CREATE TABLE t (a INT, b INT) UNIQUE KEY(b) DISTRIBUTED BY HASH(b) BUCKETS 1")
            .find("Key columns should be a ordered prefix of the schema") != std::string::npos);
  CHECK(run_error(c,
                  "CREATE TABLE t (a DOUBLE, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1")
            .find("Float or double can not used as a key") != std::string::npos);
  CHECK(run_error(c, "CREATE TABLE t (a STRING, b INT) UNIQUE KEY(a)")
            .find("String Type should not be used in key") != std::string::npos);
  CHECK(run_error(c, "CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(b) BUCKETS 1")
            .find("Distribution column[b] is not key column") != std::string::npos);
  CHECK(run_error(c, "CREATE TABLE t (a INT, b INT) DUPLICATE KEY(a)")
            .find("Unique Key tables only") != std::string::npos);
  run(c,
      "CREATE TABLE `t` (`a` INT NOT NULL, b VARCHAR(3) NULL DEFAULT 'x' COMMENT 'c') UNIQUE "
      "KEY(a) "
      "DISTRIBUTED BY HASH(a) BUCKETS AUTO PROPERTIES (\"replication_num\" = \"1\")");
  CHECK(run_error(c, "CREATE TABLE t (a INT) UNIQUE KEY(a)").find("already exists") !=
        std::string::npos);
  run(c, "CREATE TABLE IF NOT EXISTS t (a INT) UNIQUE KEY(a)");
  const Table* t = c.table("db", "t");
  REQUIRE(t);
  CHECK(t->key_count == 1);
  CHECK(t->columns[1].default_value == "x");
}

TEST_CASE("catalog: upserts by key, the delete sign removes, ALTER keeps rows consistent") {
  Catalog c;
  c.ensure_database("db");
  run(c, "CREATE TABLE t (a INT NOT NULL, b VARCHAR(3)) UNIQUE KEY(a)");
  Table* t = c.table("db", "t");
  t->apply({false, {{"a", "1"}, {"b", "x"}}});
  t->apply({false, {{"a", "2"}, {"b", "y"}}});
  t->apply({false, {{"a", "1"}, {"b", "z"}}});  // last write per key wins
  t->apply({true, {{"a", "2"}, {"b", std::nullopt}}});
  auto r = c.execute("db", "SELECT * FROM t ORDER BY a");
  REQUIRE(r);
  REQUIRE(r->rows.size() == 1);
  CHECK(r->rows[0] == std::vector<std::string>{"1", "\"z\""});
  run(c, "ALTER TABLE t ADD COLUMN c INT DEFAULT \"7\"");
  CHECK(run_error(c, "ALTER TABLE t ADD COLUMN d INT NOT NULL")
            .find("not nullable and has no default") != std::string::npos);
  CHECK(run_error(c, "ALTER TABLE t DROP COLUMN a").find("Can not drop key column") !=
        std::string::npos);
  r = c.execute("db", "SELECT a, c FROM t");
  REQUIRE(r);
  CHECK(r->rows[0] == std::vector<std::string>{"1", "7"});
  run(c, "ALTER TABLE t DROP COLUMN b");
  r = c.execute("db", "SELECT * FROM t");
  REQUIRE(r);
  CHECK(r->rows[0] == std::vector<std::string>{"1", "7"});
  CHECK(run_error(c, "ALTER TABLE t MODIFY COLUMN c TINYINT NOT NULL DEFAULT \"7\"") ==
        "errCode = 2, detailMessage = Can not change from nullable to non-nullable");
  CHECK(run_error(c, "ALTER TABLE t MODIFY COLUMN c BIGINT NULL") ==
        "errCode = 2, detailMessage = Can not change default value");
  run(c, "ALTER TABLE t MODIFY COLUMN c BIGINT NULL DEFAULT \"7\"");
  run(c, "ALTER TABLE t ADD COLUMN s VARCHAR(10) NOT NULL DEFAULT \"x\"");
  CHECK(run_error(c, "ALTER TABLE t MODIFY COLUMN s VARCHAR(5) NOT NULL DEFAULT \"x\"") ==
        "errCode = 2, detailMessage = Can not change from wider type varchar(10) to narrower type "
        "varchar(5)");
  run(c, "ALTER TABLE t MODIFY COLUMN s VARCHAR(20) NULL DEFAULT \"x\"");  // NOT NULL -> NULL
  CHECK(c.table("db", "t")->columns.back().nullable);
  run(c, "ALTER TABLE t DROP COLUMN s");
  run(c, "ALTER TABLE t RENAME COLUMN c d");
  r = c.execute("db", "SELECT COUNT(*) FROM t");
  REQUIRE(r);
  CHECK(r->rows[0][0] == "1");
  run(c, "TRUNCATE TABLE t");
  CHECK(c.table("db", "t")->rows.empty());
  CHECK(run_error(c, "SELECT * FROM nope").find("Unknown table 'nope'") != std::string::npos);
  CHECK(run_error(c, "UPDATE t SET a = 1").find("does not run this statement") !=
        std::string::npos);
}
