// parse_dml_statement: which QUERY texts are statement-based row changes, and the one table
// each writes when it names exactly one.
#include "cdc/mysql/schema/dml_statement.h"

#include <doctest/doctest.h>

namespace cdc::mysql {
namespace {

std::string table_of(std::string_view sql, std::string_view db = "app") {
  const auto d = parse_dml_statement(sql, db);
  if (!d) return "not DML";
  return d->verb + " " + (d->table ? d->table->to_string() : "?");
}

TEST_CASE("row-changing statements and their table") {
  CHECK(table_of("INSERT INTO items (name) VALUES (@who)") == "INSERT app.items");
  CHECK(table_of("insert low_priority ignore into `s`.`t` values (1)") == "INSERT s.t");
  CHECK(table_of("INSERT items SELECT * FROM other") == "INSERT app.items");
  CHECK(table_of("REPLACE INTO t VALUES (1)") == "REPLACE app.t");
  CHECK(table_of("UPDATE items SET score = score + 1 WHERE id = 1") == "UPDATE app.items");
  CHECK(table_of("UPDATE LOW_PRIORITY s.items i SET i.a = 1") == "UPDATE s.items");
  CHECK(table_of("UPDATE a JOIN b ON a.id = b.id SET a.x = b.x") == "UPDATE ?");
  CHECK(table_of("UPDATE a, b SET a.x = b.x") == "UPDATE ?");
  CHECK(table_of("DELETE FROM items WHERE id = 2") == "DELETE app.items");
  CHECK(table_of("DELETE QUICK IGNORE FROM s.items") == "DELETE s.items");
  CHECK(table_of("DELETE a, b FROM a JOIN b ON a.id = b.id") == "DELETE ?");
  CHECK(table_of("DELETE FROM a USING a JOIN b") == "DELETE ?");
  CHECK(table_of("LOAD DATA LOCAL INFILE '/tmp/SQL_LOAD_MB-2-4' INTO TABLE `items` FIELDS "
                 "TERMINATED BY ','") == "LOAD DATA app.items");
  CHECK(table_of("/* c */ INSERT INTO t VALUES (1)") == "INSERT app.t");
  // No default database and an unqualified name: the table is not known.
  CHECK(table_of("INSERT INTO t VALUES (1)", "") == "INSERT ?");
  // An unterminated string: the verb is still seen, the table not.
  CHECK(table_of("INSERT INTO t VALUES ('x") == "INSERT ?");
  // An empty quoted name is no table (the server refuses it; found by the fuzz campaign).
  CHECK(table_of("INSERT LOW_PRIORITY INTO ``s.`t` (a) VALUES (@who)") == "INSERT ?");
  CHECK(table_of("INSERT INTO s.`` VALUES (1)") == "INSERT ?");
}

TEST_CASE("statements that change no rows are not DML") {
  for (const char* sql :
       {"BEGIN", "COMMIT", "CREATE TABLE t (id INT)", "ALTER TABLE t ADD c INT", "SAVEPOINT a",
        "DROP TABLE t", "TRUNCATE t", "", "   ", "SET @a = 1", "insertx INTO t"}) {
    CAPTURE(sql);
    CHECK_FALSE(parse_dml_statement(sql, "app"));
  }
}

}  // namespace
}  // namespace cdc::mysql
