#include "sinks/doris/schema_plan.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::sinks::doris;
using B = SchemaChangeBehavior;
using Strings = std::vector<std::string>;

namespace {

Column col(std::string name, std::string type, uint32_t length = 0, bool nullable = true) {
  Column c;
  c.name = std::move(name);
  c.source_type = std::move(type);
  c.length = length;
  c.nullable = nullable;
  return c;
}

TableSchema schema(std::vector<Column> cols) {
  TableSchema s;
  s.id = {"db", "t"};
  s.columns = std::move(cols);
  s.primary_key = {0};
  return s;
}

}  // namespace

TEST_CASE("schema plan: renamed columns from the MySQL statement") {
  CHECK(renamed_columns("ALTER TABLE t RENAME COLUMN a TO b") ==
        std::vector<std::pair<std::string, std::string>>{{"a", "b"}});
  CHECK(renamed_columns("alter table `t` change `a b` `c` int, rename column x to `y``z`") ==
        std::vector<std::pair<std::string, std::string>>{{"a b", "c"}, {"x", "y`z"}});
  CHECK(renamed_columns("ALTER TABLE t CHANGE COLUMN v V BIGINT").empty());  // a type change
  CHECK(renamed_columns("ALTER TABLE t ADD COLUMN rename_me INT").empty());
  CHECK(renamed_columns("ALTER TABLE t CHANGE").empty());
  // A rename to the same name renames nothing (found by the doris_schema_plan fuzz campaign).
  CHECK(renamed_columns("ALTER TABLE t RENAME COLUMN a TO `a`").empty());
  CHECK(renamed_columns("ALTER TABLE t RENAME COLUMN a TO A").empty());
}

TEST_CASE("schema plan: evolve renames, adds, drops and changes types") {
  const TableSchema before =
      schema({col("id", "int"), col("a", "varchar(10)", 10), col("gone", "int", 0, false)});
  const TableSchema after =
      schema({col("id", "int"), col("b", "varchar(20)", 20), col("extra", "bigint")});
  const std::vector<DorisColumn> present = {
      {"id", "INT", false, true}, {"a", "VARCHAR(30)", true, false}, {"gone", "INT", false, false}};
  const SchemaPlan p = plan_schema_change(
      "db", "t", present, &before, after,
      "ALTER TABLE t CHANGE a b VARCHAR(20), DROP gone, ADD extra BIGINT", B::evolve);
  CHECK(p.statements == Strings{"ALTER TABLE `db`.`t` RENAME COLUMN `a` `b`",
                                "ALTER TABLE `db`.`t` ADD COLUMN `extra` BIGINT NULL",
                                "ALTER TABLE `db`.`t` DROP COLUMN `gone`"});
  CHECK(p.changes == Strings{"column a renamed to b", "column extra added", "column gone dropped"});
  // A type change of a column present in both versions: MODIFY.
  const TableSchema wider = schema({col("id", "int"), col("b", "varchar(40)", 40)});
  const SchemaPlan m =
      plan_schema_change("db", "t", {{"id", "INT", false, true}, {"b", "VARCHAR(60)", true, false}},
                         &after, wider, "ALTER TABLE t MODIFY b VARCHAR(40)", B::try_evolve);
  CHECK(m.statements == Strings{"ALTER TABLE `db`.`t` MODIFY COLUMN `b` VARCHAR(120) NULL"});
  // Without the previous version (after a restart) no type change is seen.
  CHECK(plan_schema_change("db", "t",
                           {{"id", "INT", false, true}, {"b", "VARCHAR(60)", true, false}}, nullptr,
                           wider, "", B::evolve)
            .empty());
}

TEST_CASE("schema plan: lenient keeps what the source dropped or renamed, nullable") {
  const TableSchema before =
      schema({col("id", "int"), col("a", "int", 0, false), col("gone", "int", 0, false)});
  const TableSchema after = schema({col("id", "int"), col("b", "int", 0, false)});
  const std::vector<DorisColumn> present = {
      {"id", "INT", false, true}, {"a", "INT", false, false}, {"gone", "INT", false, false}};
  const SchemaPlan p =
      plan_schema_change("db", "t", present, &before, after,
                         "ALTER TABLE t RENAME COLUMN a TO b, DROP COLUMN gone", B::lenient);
  CHECK(p.statements == Strings{"ALTER TABLE `db`.`t` MODIFY COLUMN `a` INT NULL",
                                "ALTER TABLE `db`.`t` ADD COLUMN `b` INT NULL",
                                "ALTER TABLE `db`.`t` MODIFY COLUMN `gone` INT NULL"});
  CHECK(p.changes == Strings{"column a made nullable (renamed to b in the source)",
                             "column b added",
                             "column gone made nullable (dropped in the source)"});
  // exception and ignore see what evolve would do (the sink refuses or skips it).
  CHECK(plan_schema_change("db", "t", present, &before, after, "", B::exception).changes ==
        Strings{"column b added", "column a dropped", "column gone dropped"});
}
