// DdlSchema (the --schema-from parser) and complete_table_map(): names, keys, UNSIGNED, labels
// and character sets from CREATE TABLE; every statement it cannot read is an error at file:line.
#include <doctest/doctest.h>

#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/schema/ddl_schema.h"

namespace cdc::mysql {
namespace {

DdlSchema parse_ok(std::string_view sql) {
  auto r = DdlSchema::parse(sql, "s.sql");
  REQUIRE_MESSAGE(r, r.error().to_string());
  return std::move(*r);
}

std::string parse_error(std::string_view sql) {
  auto r = DdlSchema::parse(sql, "s.sql");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_config);
  return r.error().message;
}

std::vector<std::string> names(const DdlTable& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns) out.push_back(c.name);
  return out;
}

TEST_CASE("a mysqldump --no-data file: names, primary key, unsigned, labels, character sets") {
  const auto s = parse_ok(R"sql(-- MySQL dump 10.13
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
DROP TABLE IF EXISTS `orders`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `orders` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `key` varchar(20) COLLATE latin1_bin DEFAULT 'unsigned, primary key' COMMENT 'a ( b',
  `status` enum('new','it''s paid','a\'b') NOT NULL,
  `flags` set('x','y') DEFAULT NULL,
  `amount` decimal(10,2) NOT NULL,
  `doc` blob,
  `raw` varchar(8) CHARACTER SET binary,
  `body` text CHARACTER SET utf8,
  # a comment line
  PRIMARY KEY (`key`(10), id DESC),
  UNIQUE KEY `uk` (`amount`),
  CONSTRAINT `c1` CHECK (`amount` > 0)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
/*!40101 SET character_set_client = @saved_cs_client */;
)sql");
  REQUIRE(s.tables().size() == 1);
  const DdlTable& t = s.tables()[0];
  CHECK(t.db == "");
  CHECK(t.table == "orders");
  CHECK(t.where == "s.sql:5");
  CHECK(names(t) ==
        std::vector<std::string>{"id", "key", "status", "flags", "amount", "doc", "raw", "body"});
  CHECK(t.primary_key == std::vector<uint32_t>{1, 0});
  CHECK(t.columns[0].is_unsigned);
  CHECK_FALSE(t.columns[1].is_unsigned);  // 'unsigned' in a string is not the attribute
  CHECK(t.columns[2].labels == std::vector<std::string>{"new", "it's paid", "a'b"});
  CHECK(t.columns[3].labels == std::vector<std::string>{"x", "y"});
  CHECK(t.columns[1].charset == "latin1");  // from its COLLATE
  CHECK(t.columns[2].charset == "latin1");  // the table's default
  CHECK(t.columns[4].charset == "");        // not a character type
  CHECK(t.columns[5].charset == "");        // BLOB: bytes
  CHECK(t.columns[6].charset == "binary");
  CHECK(t.columns[7].charset == "utf8mb3");  // utf8 is utf8mb3
}

TEST_CASE("USE, qualified names, inline keys and lookup") {
  const auto s = parse_ok(
      "CREATE DATABASE shop;\n"
      "USE shop;\n"
      "CREATE TABLE IF NOT EXISTS a (x INT PRIMARY KEY, y BIGINT UNSIGNED);\n"
      "CREATE TABLE other.a (p SERIAL, q CHAR(2), KEY (q));\n"
      "create or replace table b (k int key, v json);\n");
  REQUIRE(s.tables().size() == 3);
  CHECK(s.tables()[0].db == "shop");
  CHECK(s.tables()[0].primary_key == std::vector<uint32_t>{0});
  CHECK(s.tables()[0].columns[1].is_unsigned);
  CHECK(s.tables()[1].db == "other");
  CHECK(s.tables()[1].columns[0].is_unsigned);           // SERIAL
  CHECK(s.tables()[1].primary_key.empty());              // KEY (q) is an index
  CHECK(s.tables()[1].columns[1].charset == "utf8mb4");  // nothing declared: MySQL 8's default
  CHECK(s.tables()[2].primary_key == std::vector<uint32_t>{0});  // `k int key`
  CHECK(s.tables()[2].columns[1].charset == "utf8mb4");          // MariaDB JSON is text
  CHECK(s.find("shop", "a") == &s.tables()[0]);
  CHECK(s.find("other", "a") == &s.tables()[1]);
  CHECK(s.find("nowhere", "a") == nullptr);
  CHECK(s.find("shop", "b") == &s.tables()[2]);

  const auto u = parse_ok("CREATE TABLE t (a INT); CREATE TABLE db1.t (b INT, c INT);");
  CHECK(u.find("db1", "t")->columns.size() == 2);
  CHECK(u.find("db2", "t")->columns.size() == 1);  // the unqualified declaration
}

TEST_CASE("what it cannot parse is an error naming file:line") {
  CHECK(parse_error("CREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);") ==
        "s.sql:3: cannot parse 'INSERT INTO a VALUES (1)': a --schema-from file holds CREATE TABLE "
        "statements (and USE, CREATE DATABASE, DROP, SET)");
  CHECK(parse_error("\nCREATE TABLE b LIKE a;") ==
        "s.sql:2: cannot parse 'CREATE TABLE b LIKE a': expected '(' and the column list after the "
        "table name (CREATE TABLE ... LIKE and ... AS SELECT name no columns)");
  CHECK(parse_error("CREATE TABLE c (x INT,\n  y);") == "s.sql:2: column 'y' of c has no type");
  CHECK(parse_error("CREATE TABLE c (x INT,\n PRIMARY KEY (z));") ==
        "s.sql:2: PRIMARY KEY of c names 'z', which is not a column declared before it");
  CHECK(parse_error("CREATE TABLE d (x INT") ==
        "s.sql:1: cannot parse 'CREATE TABLE d (x INT': the column list has no closing ')'");
  CHECK(parse_error("CREATE TABLE e (x INT,, y INT);") ==
        "s.sql:1: empty item in the column list of e");
  CHECK(parse_error("CREATE TABLE f (x VARCHAR(2) CHARACTER SET klingon);") ==
        "s.sql:1: column 'x' of f has character set 'klingon', which neither MariaDB nor MySQL 8 "
        "defines");
  CHECK(parse_error("\n\nCREATE TABLE g (x TEXT) DEFAULT CHARSET=latin9;") ==
        "s.sql:3: cannot parse 'CREATE TABLE g (x TEXT) DEFAULT CHARSET = latin9': the table's "
        "character set 'latin9' is not one MariaDB or MySQL 8 defines");
  CHECK(parse_error("CREATE TABLE h (x INT DEFAULT 'a);") == "s.sql:1: unterminated string");
  CHECK(parse_error("\n/* open") == "s.sql:2: unterminated /* comment");
  CHECK(parse_error("USE") == "s.sql:1: cannot parse 'USE': expected USE db");
  auto missing = DdlSchema::load("/nonexistent/schema.sql");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::io);
}

TableMapEvent minimal_map() {  // as MySQL 5.7 writes it: types only
  TableMapEvent m;
  m.db = "shop";
  m.table = "orders";
  TableMapColumn id;
  id.type = id.real_type = static_cast<uint8_t>(ColumnType::long_);
  TableMapColumn name;
  name.type = name.real_type = static_cast<uint8_t>(ColumnType::varchar);
  name.meta = 80;
  TableMapColumn status;
  status.type = static_cast<uint8_t>(ColumnType::string);
  status.real_type = static_cast<uint8_t>(ColumnType::enum_);
  m.columns = {id, name, status};
  return m;
}

TEST_CASE("complete_table_map: from the DDL, else col_N; what the event carries wins") {
  const auto ddl = parse_ok(
      "CREATE TABLE shop.orders (id INT UNSIGNED, name VARCHAR(20), status ENUM('a','b'), "
      "PRIMARY KEY (id)) CHARSET latin1;");
  auto m = minimal_map();
  REQUIRE(complete_table_map(m, &ddl));
  CHECK(m.has_column_names);
  CHECK(m.has_signedness);
  CHECK(m.has_primary_key);
  CHECK(m.columns[0].name == "id");
  CHECK(m.columns[1].name == "name");
  CHECK(m.columns[2].name == "status");
  CHECK(m.columns[0].is_unsigned == true);
  CHECK(m.columns[1].collation == 8u);  // latin1
  CHECK_FALSE(m.columns[2].collation);  // ENUM: labels, not text
  CHECK(m.columns[2].labels == std::vector<std::string>{"a", "b"});
  CHECK(m.primary_key == std::vector<uint32_t>{0});

  auto bare = minimal_map();
  REQUIRE(complete_table_map(bare, nullptr));
  CHECK(bare.columns[0].name == "col_1");
  CHECK(bare.columns[2].name == "col_3");
  CHECK(bare.columns[0].is_unsigned == false);  // unknowable: signed, as mysqlbinlog shows first
  CHECK_FALSE(bare.columns[1].collation);       // unknowable: bytes
  CHECK(bare.primary_key.empty());
  CHECK_FALSE(bare.has_primary_key);

  auto named = minimal_map();  // MySQL 8 MINIMAL: signedness, no names
  named.has_signedness = true;
  named.columns[0].is_unsigned = false;
  REQUIRE(complete_table_map(named, &ddl));
  CHECK(named.columns[0].is_unsigned == false);  // the event's own signedness wins
  CHECK(named.columns[0].name == "id");

  const auto wrong = parse_ok("CREATE TABLE orders (id INT, name TEXT);");
  auto m2 = minimal_map();
  auto st = complete_table_map(m2, &wrong);
  REQUIRE_FALSE(st);
  CHECK(
      st.error().message ==
      "s.sql:1: shop.orders is declared with 2 columns, but the binlog's TABLE_MAP has 3 (the DDL "
      "must describe the table as it was when the binlog was written)");
  // A TABLE_MAP with names does not need that DDL: its own names stand.
  auto full = minimal_map();
  full.has_column_names = true;
  for (size_t i = 0; i < full.columns.size(); ++i)
    full.columns[i].name = std::string(1, static_cast<char>('a' + i));
  REQUIRE(complete_table_map(full, &wrong));
  CHECK(full.columns[1].name == "b");
}

TEST_CASE(
    "MariaDB JSON columns: declared JSON, or text CHECK (json_valid(col)), in the column or a "
    "constraint") {
  // As MariaDB 10.11's SHOW CREATE TABLE prints a JSON column (LONGTEXT + CHECK).
  const auto ddl = parse_ok(
      "CREATE TABLE `docs` (\n"
      "  `id` int(11) NOT NULL,\n"
      "  `a` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK "
      "(json_valid(`a`)),\n"
      "  `b` json,\n"
      "  `c` text,\n"
      "  `d` longtext,\n"
      "  PRIMARY KEY (`id`),\n"
      "  CONSTRAINT `d_is_json` CHECK (json_valid(`d`))\n"
      ") ENGINE=InnoDB DEFAULT CHARSET=latin1;");
  const auto& cols = ddl.tables()[0].columns;
  CHECK_FALSE(cols[0].json);
  CHECK(cols[1].json);
  CHECK(cols[1].charset == "utf8mb4");
  CHECK(cols[2].json);
  CHECK(cols[2].charset == "utf8mb4");
  CHECK_FALSE(cols[3].json);
  CHECK(cols[3].charset == "latin1");
  CHECK(cols[4].json);

  TableMapEvent m;  // MariaDB FULL metadata: names present; JSON is a BLOB with a collation
  m.db = "x";
  m.table = "docs";
  m.has_column_names = m.has_signedness = m.has_primary_key = true;
  m.primary_key = {0};
  const char* names[] = {"id", "a", "b", "c", "d"};
  for (int i = 0; i < 5; ++i) {
    TableMapColumn c;
    c.name = names[i];
    c.type = c.real_type = static_cast<uint8_t>(i == 0 ? ColumnType::long_ : ColumnType::blob);
    if (i > 0) c.collation = 46;
    m.columns.push_back(c);
  }
  auto json = complete_table_map(m, &ddl);
  REQUIRE(json);
  CHECK(*json == std::vector<std::string>{"a", "b", "d"});
  CHECK(complete_table_map(m, nullptr)->empty());
}

}  // namespace
}  // namespace cdc::mysql
