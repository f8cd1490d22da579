#include "sinks/doris/type_mapping.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::doris;

namespace {
Column col(std::string name, std::string type, bool is_unsigned = false, uint32_t length = 0,
           uint32_t precision = 0, uint32_t scale = 0, uint8_t fsp = 0) {
  Column c;
  c.name = std::move(name);
  c.source_type = std::move(type);
  c.is_unsigned = is_unsigned;
  c.length = length;
  c.precision = precision;
  c.scale = scale;
  c.fsp = fsp;
  return c;
}
}  // namespace

TEST_CASE("doris type mapping follows Flink CDC's MySQL to Doris table") {
  CHECK(doris_type(col("a", "tinyint(1)"), false) == "BOOLEAN");
  CHECK(doris_type(col("a", "tinyint(4)"), false) == "TINYINT");
  CHECK(doris_type(col("a", "tinyint(3) unsigned", true), false) == "SMALLINT");
  CHECK(doris_type(col("a", "smallint unsigned", true), false) == "INT");
  CHECK(doris_type(col("a", "mediumint"), false) == "INT");
  CHECK(doris_type(col("a", "int(10) unsigned", true), false) == "BIGINT");
  CHECK(doris_type(col("a", "bigint(20) unsigned", true), false) == "LARGEINT");
  CHECK(doris_type(col("a", "decimal(10,2)", false, 0, 10, 2), false) == "DECIMAL(10,2)");
  CHECK(doris_type(col("a", "decimal(65,2)", false, 0, 65, 2), false) == "STRING");
  CHECK(doris_type(col("a", "datetime(6)", false, 0, 0, 0, 6), false) == "DATETIME(6)");
  CHECK(doris_type(col("a", "timestamp", false, 0, 0, 0, 0), false) == "DATETIME");
  CHECK(doris_type(col("a", "varchar(20)", false, 20), false) == "VARCHAR(60)");
  CHECK(doris_type(col("a", "char(10)", false, 10), false) == "CHAR(30)");
  CHECK(doris_type(col("a", "char(100)", false, 100), false) == "VARCHAR(300)");
  CHECK(doris_type(col("a", "varchar(30000)", false, 30000), false) == "STRING");
  CHECK(doris_type(col("a", "varchar(30000)", false, 30000), true) == "VARCHAR(65533)");
  CHECK(doris_type(col("a", "text"), false) == "STRING");
  CHECK(doris_type(col("a", "json"), false) == "JSON");
  CHECK(doris_type(col("a", "date"), false) == "DATE");
  CHECK(doris_type(col("a", "time(3)"), false) == "VARCHAR(30)");
  CHECK(doris_type(col("a", "year(4)"), false) == "INT");
  CHECK(doris_type(col("a", "bit(1)", false, 1), false) == "BOOLEAN");
  CHECK(doris_type(col("a", "bit(9)", false, 9), false) == "BIGINT");
}

TEST_CASE("doris CREATE TABLE puts the key first and refuses a table without a key") {
  TableSchema s;
  s.id = {"shop", "orders"};
  s.columns = {col("note", "text"), col("id", "int(11)"), col("region", "varchar(8)", false, 8)};
  s.columns[0].nullable = true;
  s.columns[1].nullable = false;
  s.primary_key = {2, 1};
  const auto sql = create_table_sql("dw", "orders", s, {{"replication_num", "3"}});
  REQUIRE(sql);
  CHECK(*sql ==
        "CREATE TABLE IF NOT EXISTS `dw`.`orders` (\n  `region` VARCHAR(24) NOT NULL,\n  `id` INT "
        "NOT NULL,\n"
        "  `note` STRING NULL\n) UNIQUE KEY(`region`, `id`)\nDISTRIBUTED BY HASH(`region`, `id`) "
        "BUCKETS AUTO\n"
        "PROPERTIES ('enable_unique_key_merge_on_write' = 'true', 'replication_num' = '3')");
  s.primary_key.clear();
  const auto refused = create_table_sql("dw", "orders", s, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::unsupported);
  CHECK(add_column_sql("dw", "o`x", col("c", "int")) ==
        "ALTER TABLE `dw`.`o``x` ADD COLUMN `c` INT NULL");
  CHECK(drop_column_sql("dw", "o", "c") == "ALTER TABLE `dw`.`o` DROP COLUMN `c`");
}
