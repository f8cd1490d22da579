// Schema changes in the middle of a stream, then a replay from before them: every row is
// decoded with the columns of its own time (MariaDB's binlog_row_metadata=FULL puts names,
// signedness, charsets and the primary key into each TABLE_MAP), never with today's table.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/mysql/mysql_source.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"

namespace cdc::mysql {
namespace {

// One delivered row: column name -> rendered value, and the primary-key column names.
struct Row {
  Op op;
  std::map<std::string, std::string> after;
  std::vector<std::string> pk;
  uint64_t schema_version;
};

std::string render(const Value& v) {
  switch (v.kind) {
    case ValueKind::null: return "NULL";
    case ValueKind::int64: return std::to_string(v.i);
    case ValueKind::uint64: return std::to_string(v.u);
    case ValueKind::date: return std::to_string(v.i);  // YYYYMMDD
    default: return std::string(v.text);
  }
}

std::vector<Row> read_rows(MysqlSource& src, size_t n) {
  std::vector<Row> rows;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (rows.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(std::chrono::milliseconds(200));
    REQUIRE_MESSAGE(b, b.error().to_string());
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      // Rows only: the schema-change events of the ALTERs are mysql_schema_history_it's subject.
      if (e.schema->id.table != "evolving" || e.op == Op::schema_change) continue;
      Row r{e.op, {}, {}, e.schema->version};
      for (size_t i = 0; i < e.schema->columns.size(); ++i) {
        r.after[e.schema->columns[i].name] = render(e.after.values()[i]);
      }
      for (uint32_t k : e.schema->primary_key) r.pk.push_back(e.schema->columns[k].name);
      rows.push_back(std::move(r));
    }
  }
  REQUIRE(rows.size() == n);
  return rows;
}

using Cols = std::map<std::string, std::string>;

// A schema history kept in memory and shared by the sources of one test, as the state store
// shares it between a pipeline's runs.
using Versions = std::vector<std::pair<MysqlPosition, TableSchema>>;
class SharedStore final : public SchemaHistoryStore {
 public:
  explicit SharedStore(std::shared_ptr<Versions> v) : v_(std::move(v)) {}
  Status put(const MysqlPosition& at, const TableSchema& schema) override {
    for (auto& e : *v_) {
      if (e.first == at && e.second.id == schema.id) {
        e.second = schema;
        return {};
      }
    }
    v_->emplace_back(at, schema);
    return {};
  }
  Result<Versions> load() override { return *v_; }

 private:
  std::shared_ptr<Versions> v_;
};

// Creates the table, opens a source (which reads it into the history) and closes it, runs the
// ALTERs and rows, and replays them from before all of it. `shared_history`: the replaying
// source continues the first one's schema history instead of reading today's table from
// information_schema.
std::vector<Row> alter_and_replay(uint32_t server_id, bool shared_history) {
  testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.evolving");
  sql.run("CREATE TABLE sluice_it.evolving (id INT PRIMARY KEY, a VARCHAR(10))");

  auto opts = testing::services_mysql_source_options(server_id, "schema-it");
  opts.table_include = {"sluice_it\\.evolving"};
  auto versions = std::make_shared<Versions>();
  auto history = [&]() -> std::unique_ptr<SchemaHistoryStore> {
    if (!shared_history) return nullptr;
    return std::make_unique<SharedStore>(versions);
  };
  MysqlSource live(opts, history());
  REQUIRE(live.open(Position{}));
  const Position before_all = live.current_position();
  live.close();

  sql.run("INSERT INTO sluice_it.evolving VALUES (1, 'one')");
  sql.run("ALTER TABLE sluice_it.evolving ADD COLUMN b INT UNSIGNED NOT NULL DEFAULT 7");
  sql.run("INSERT INTO sluice_it.evolving VALUES (2, 'two', 4294967295)");
  sql.run("ALTER TABLE sluice_it.evolving DROP COLUMN a");
  sql.run("INSERT INTO sluice_it.evolving VALUES (3, 3)");
  sql.run("ALTER TABLE sluice_it.evolving RENAME COLUMN b TO bee, ADD COLUMN c DATE FIRST");
  sql.run("INSERT INTO sluice_it.evolving VALUES ('2024-02-29', 4, 44)");
  sql.run("ALTER TABLE sluice_it.evolving DROP PRIMARY KEY, ADD PRIMARY KEY (bee, id)");
  sql.run("UPDATE sluice_it.evolving SET bee = 45 WHERE id = 4");

  // Replay from before every change: today's table is (c, id, bee) with PK (bee, id).
  MysqlSource replay(opts, history());
  REQUIRE(replay.open(before_all));
  return read_rows(replay, 5);
}

void check_rows(const std::vector<Row>& rows) {
  CHECK(rows[0].after == Cols{{"id", "1"}, {"a", "one"}});
  CHECK(rows[0].pk == std::vector<std::string>{"id"});
  CHECK(rows[1].after == Cols{{"id", "2"}, {"a", "two"}, {"b", "4294967295"}});
  CHECK(rows[2].after == Cols{{"id", "3"}, {"b", "3"}});
  CHECK(rows[3].after == Cols{{"c", "20240229"}, {"id", "4"}, {"bee", "44"}});
  CHECK(rows[3].pk == std::vector<std::string>{"id"});
  CHECK(rows[4].op == Op::update);
  CHECK(rows[4].after == Cols{{"c", "20240229"}, {"id", "4"}, {"bee", "45"}});
  CHECK(rows[4].pk == std::vector<std::string>{"bee", "id"});
  // Each change of shape is a new schema version, so sinks can tell the shapes apart.
  for (size_t i = 1; i < rows.size(); ++i) {
    CAPTURE(i);
    CHECK(rows[i].schema_version > rows[i - 1].schema_version);
  }
}

TEST_CASE(
    "ALTER TABLE mid-stream, replayed from before it: each row with the columns of its time") {
  check_rows(alter_and_replay(54021, /*shared_history=*/false));
}

// binlog_row_metadata=MINIMAL: the TABLE_MAPs name no columns, so only the schema history (the
// first source's catalog read, then each ALTER from the binlog) can; the rows must equal FULL's.
TEST_CASE(
    "the same replay with binlog_row_metadata=MINIMAL: identical rows, named by the history") {
  const auto full = alter_and_replay(54022, /*shared_history=*/true);
  check_rows(full);
  testing::MariaDbSession root(testing::MariaDbSession::As::root);
  root.run("SET GLOBAL binlog_row_metadata = MINIMAL");
  struct Restore {
    testing::MariaDbSession& root;
    ~Restore() { root.run("SET GLOBAL binlog_row_metadata = FULL"); }
  } restore{root};
  const auto minimal = alter_and_replay(54023, /*shared_history=*/true);
  check_rows(minimal);
  REQUIRE(minimal.size() == full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    CAPTURE(i);
    CHECK(minimal[i].op == full[i].op);
    CHECK(minimal[i].after == full[i].after);
    CHECK(minimal[i].pk == full[i].pk);
  }
}

// Without a history that saw the table before the ALTERs, a MINIMAL TABLE_MAP of the old shape
// cannot be named: today's catalog has other columns, and the source stops with both lists.
TEST_CASE("MINIMAL replay from before an ALTER with only today's catalog stops with both lists") {
  testing::MariaDbSession root(testing::MariaDbSession::As::root);
  root.run("SET GLOBAL binlog_row_metadata = MINIMAL");
  struct Restore {
    testing::MariaDbSession& root;
    ~Restore() { root.run("SET GLOBAL binlog_row_metadata = FULL"); }
  } restore{root};
  testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.evolving");
  sql.run("CREATE TABLE sluice_it.evolving (id INT PRIMARY KEY, a VARCHAR(10))");
  auto opts = testing::services_mysql_source_options(54024, "schema-it-mismatch");
  opts.table_include = {"sluice_it\\.evolving"};
  Position before_all;
  {
    MysqlSource live(opts);
    REQUIRE(live.open(Position{}));
    before_all = live.current_position();
    live.close();
  }
  sql.run("INSERT INTO sluice_it.evolving VALUES (1, '1')");
  sql.run("ALTER TABLE sluice_it.evolving MODIFY a INT, ADD COLUMN b DATE");
  MysqlSource replay(opts);  // its history reads today's (id INT, a INT, b DATE)
  REQUIRE(replay.open(before_all));
  std::optional<Error> error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!error && std::chrono::steady_clock::now() < deadline) {
    auto b = replay.poll(std::chrono::milliseconds(200));
    if (!b) error = b.error();
  }
  REQUIRE(error);
  CHECK(error->code == Errc::malformed);
  CHECK(error->message.find("TABLE_MAP of sluice_it.evolving has the columns (int(11), "
                            "varchar(10)), the schema history's version 1 has (id int(11), a "
                            "int(11), b date)") != std::string::npos);
}

}  // namespace
}  // namespace cdc::mysql
