// PostgresSource against the real PostgreSQL 15 of tools/services.sh: exact row images per
// replica identity, the preflight's refusals with their fixes, unchanged TOAST values,
// streamed transactions (committed, aborted, with an aborted subtransaction), resume without
// loss or repeat, the slot confirmed only up to what was acknowledged, a slot held by another
// client, TRUNCATE and ALTER TABLE mid-stream; wal2json's regression cases value for value.
#include <doctest/doctest.h>

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/json/value_json.h"
#include "cdc/postgres/pgoutput/pgoutput_decoder.h"
#include "cdc/postgres/postgres_source.h"
#include "cdc/postgres/protocol/pg_connection.h"
#include "tests/support/child_process.h"
#include "tests/support/collect_events.h"
#include "tests/support/postgres_client.h"
#include "tests/support/postgres_source_options.h"
#include "tests/support/services_env.h"

using namespace cdc;
using namespace cdc::postgres;
using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

PostgresSourceOptions options(const std::string& table_regex, const std::string& slot) {
  PostgresSourceOptions o = services_postgres_source_options(table_regex, slot, "it");
  // These cases read the stream only: a new slot starts at its consistent point.
  o.startup_mode = StartupMode::latest_offset;
  return o;
}

// Drops the test's slot and publication (a slot left behind retains WAL forever).
struct SlotGuard {
  std::string slot;
  ~SlotGuard() {
    try {
      PgSession su(PgSession::As::superuser);
      for (int i = 0; i < 50; ++i) {
        if (su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot +
                      "' AND active") == "0")
          break;
        std::this_thread::sleep_for(100ms);
      }
      su.run(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
          "'" +
          slot + "'");
      su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
    } catch (...) {
    }
  }
};

// Row events (and, with `schema_changes`, schema changes) of every table in stream order,
// with the batches that hold them.
struct Rows {
  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<const ChangeEvent*> events;
  const ChangeEvent& operator[](size_t i) const { return *events.at(i); }
  size_t size() const { return events.size(); }
};

// Polls until `n` events arrived, then `settle` longer to see that no more come.
void poll_rows(Source& src, Rows& out, size_t n, std::chrono::milliseconds settle = 0ms,
               bool schema_changes = false, std::chrono::seconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<std::chrono::steady_clock::time_point> settle_until;
  while (std::chrono::steady_clock::now() < deadline) {
    if (out.size() >= n) {
      if (!settle_until) settle_until = std::chrono::steady_clock::now() + settle;
      if (std::chrono::steady_clock::now() >= *settle_until) break;
    }
    auto b = src.poll(100ms);
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      if (schema_changes || e.op != Op::schema_change) out.events.push_back(&e);
    }
    out.batches.push_back(std::move(*b));
  }
  REQUIRE(out.size() == n);
}

void open_or_fail(PostgresSource& src, const Position& at) {
  auto opened = src.open(at);
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
}

std::string text(const Value& v) { return std::string(v.text); }

Lsn confirmed_flush(PgSession& s, const std::string& slot) {
  const std::string t = s.scalar(
      "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  return Lsn{std::stoull(t)};
}

}  // namespace

TEST_CASE("postgres source: insert, update, delete with REPLICA IDENTITY DEFAULT and FULL") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.items, srcit.fullrow");
  sql.run("CREATE TABLE srcit.items (id bigint PRIMARY KEY, v text, flag boolean)");
  sql.run("CREATE TABLE srcit.fullrow (id bigint PRIMARY KEY, v text, flag boolean)");
  sql.run("ALTER TABLE srcit.fullrow REPLICA IDENTITY FULL");
  SlotGuard guard{"pg_it_basic"};
  PostgresSource src(options("srcit\\.(items|fullrow)", "pg_it_basic"));
  open_or_fail(src, std::monostate{});
  CHECK(src.known_schemas().size() == 2);

  sql.run("INSERT INTO srcit.items VALUES (1, 'one', true), (2, NULL, false)");
  sql.run("UPDATE srcit.items SET v = 'uno' WHERE id = 1");
  sql.run("UPDATE srcit.items SET id = 3 WHERE id = 2");
  sql.run("DELETE FROM srcit.items WHERE id = 3");
  sql.run("INSERT INTO srcit.fullrow VALUES (10, 'ten', true)");
  sql.run("UPDATE srcit.fullrow SET flag = false WHERE id = 10");
  sql.run("DELETE FROM srcit.fullrow WHERE id = 10");

  Rows r;
  poll_rows(src, r, 8, 300ms);
  CHECK(r[0].op == Op::insert);
  CHECK(r[0].after[0] == Value::int64(1));
  CHECK(text(r[0].after[1]) == "one");
  CHECK(r[0].after[2] == Value::boolean(true));
  CHECK(r[1].after[1].is_null());
  CHECK(r[0].source.tx_id == r[1].source.tx_id);  // one transaction
  CHECK(r[2].op == Op::update);
  CHECK(r[2].before[0] == Value::int64(1));  // DEFAULT: the key only
  CHECK(r[2].before[1].is_null());
  CHECK(text(r[2].after[1]) == "uno");
  CHECK(r[3].before[0] == Value::int64(2));  // the old key of a key change
  CHECK(r[3].after[0] == Value::int64(3));
  CHECK(r[4].op == Op::erase);
  CHECK(r[4].before[0] == Value::int64(3));
  CHECK(r[4].before[2].is_null());
  CHECK_FALSE(r[4].after.present);
  CHECK(r[4].source.connector == "postgresql");
  CHECK(r[4].source.database == service_value("SLUICE_PG_DATABASE"));
  CHECK(r[4].schema->id == TableId{"srcit", "items"});
  CHECK(r[4].schema->primary_key == std::vector<uint32_t>{0});

  CHECK(r[5].schema->id.table == "fullrow");
  CHECK(r[6].op == Op::update);
  CHECK(text(r[6].before[1]) == "ten");  // FULL: the whole old row
  CHECK(r[6].before[2] == Value::boolean(true));
  CHECK(r[6].after[2] == Value::boolean(false));
  CHECK(r[7].op == Op::erase);
  CHECK(text(r[7].before[1]) == "ten");
  CHECK(r[7].before[2] == Value::boolean(false));
  CHECK(r[6].schema->primary_key == std::vector<uint32_t>{0});  // the catalog's key, not FULL's
  src.close();
}

TEST_CASE("postgres source: the preflight reports every problem at once, with the fix") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.nothing, srcit.nokey");
  sql.run("CREATE TABLE srcit.nothing (id bigint PRIMARY KEY, v text)");
  sql.run("ALTER TABLE srcit.nothing REPLICA IDENTITY NOTHING");
  sql.run("CREATE TABLE srcit.nokey (v text)");
  SlotGuard guard{"pg_it_preflight"};
  PostgresSource src(options("srcit\\.(nothing|nokey)", "pg_it_preflight"));
  auto st = src.open(std::monostate{});
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  const std::string& msg = st.error().message;
  CHECK(msg.find("found 2 problem(s)") != std::string::npos);
  CHECK(msg.find("table srcit.nothing has REPLICA IDENTITY NOTHING") != std::string::npos);
  CHECK(msg.find("ALTER TABLE \"srcit\".\"nothing\" REPLICA IDENTITY FULL;") != std::string::npos);
  CHECK(msg.find("table srcit.nokey has REPLICA IDENTITY DEFAULT without a primary key") !=
        std::string::npos);
  PgSession su(PgSession::As::superuser);
  // Nothing was created for a refused start.
  CHECK(
      su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_it_preflight'") ==
      "0");
  CHECK(src.preflight().size() == 2);
}

TEST_CASE(
    "postgres source: an unchanged TOAST value is marked unchanged, or taken from FULL's old row") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.toasty, srcit.toastfull");
  for (const char* t : {"toasty", "toastfull"}) {
    sql.run(std::string("CREATE TABLE srcit.") + t +
            " (id bigint PRIMARY KEY, big text, n bigint)");
    // EXTERNAL: stored out of line uncompressed, so a 20 kB value is TOASTed for sure.
    sql.run(std::string("ALTER TABLE srcit.") + t + " ALTER COLUMN big SET STORAGE EXTERNAL");
  }
  sql.run("ALTER TABLE srcit.toastfull REPLICA IDENTITY FULL");
  SlotGuard guard{"pg_it_toast"};
  PostgresSource src(options("srcit\\.(toasty|toastfull)", "pg_it_toast"));
  open_or_fail(src, std::monostate{});
  const std::string big(20000, 'x');
  sql.run("INSERT INTO srcit.toasty VALUES (1, repeat('x', 20000), 1)");
  sql.run("UPDATE srcit.toasty SET n = 2 WHERE id = 1");
  sql.run("INSERT INTO srcit.toastfull VALUES (1, repeat('x', 20000), 1)");
  sql.run("UPDATE srcit.toastfull SET n = 2 WHERE id = 1");
  Rows r;
  poll_rows(src, r, 4, 300ms);
  CHECK(text(r[0].after[1]) == big);
  CHECK(r[1].op == Op::update);
  CHECK(r[1].after[1].is_null());
  REQUIRE(r[1].unchanged_columns.size() == 1);
  CHECK(r[1].unchanged_columns[0] == 1);
  CHECK(r[1].after[2] == Value::int64(2));
  CHECK(r[3].op == Op::update);
  CHECK(r[3].unchanged_columns.empty());
  CHECK(text(r[3].after[1]) == big);  // from the old row
  CHECK(text(r[3].before[1]) == big);
  CHECK(r[3].before[2] == Value::int64(1));
}

TEST_CASE(
    "postgres source: streamed transactions, committed, aborted and with an aborted "
    "subtransaction") {
  PgSession su(PgSession::As::superuser);
  // The smallest logical_decoding_work_mem makes a few thousand rows a streamed transaction.
  su.run("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'");
  su.run("SELECT pg_reload_conf()");
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.big");
  sql.run("CREATE TABLE srcit.big (id bigint PRIMARY KEY, v text)");
  SlotGuard guard{"pg_it_stream"};
  auto o = options("srcit\\.big", "pg_it_stream");
  o.spool_dir = make_temp_dir("pg-spool-it");
  PostgresSource src(o);
  open_or_fail(src, std::monostate{});
  constexpr int kRows = 20000;
  // Aborted whole: nothing.
  sql.run("BEGIN; INSERT INTO srcit.big SELECT g, 'a' || g FROM generate_series(1, " +
          std::to_string(kRows) + ") g; ROLLBACK");
  // Committed, with a rolled-back subtransaction in the middle.
  sql.run("BEGIN; INSERT INTO srcit.big SELECT g, 'c' || g FROM generate_series(1, " +
          std::to_string(kRows) +
          ") g; SAVEPOINT s1; INSERT INTO srcit.big SELECT g, 's' || g FROM generate_series(" +
          std::to_string(kRows + 1) + ", " + std::to_string(2 * kRows) +
          ") g; ROLLBACK TO SAVEPOINT s1; INSERT INTO srcit.big VALUES (" +
          std::to_string(3 * kRows) + ", 'last'); COMMIT");
  Rows r;
  poll_rows(src, r, kRows + 1, 1s, false, 60s);
  for (int i = 0; i < kRows; ++i) {
    REQUIRE(r[i].after[0] == Value::int64(i + 1));
    REQUIRE(text(r[i].after[1]) == "c" + std::to_string(i + 1));
  }
  CHECK(r[kRows].after[0] == Value::int64(3 * kRows));
  CHECK(text(r[kRows].after[1]) == "last");
  // The transaction was streamed (spooled), and the spool is gone.
  CHECK(std::filesystem::is_empty(o.spool_dir));
  su.run("ALTER SYSTEM RESET logical_decoding_work_mem");
  su.run("SELECT pg_reload_conf()");
  std::filesystem::remove_all(o.spool_dir);
}

TEST_CASE(
    "postgres source: the slot is confirmed only up to what was acknowledged; resume repeats "
    "nothing") {
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.acks");
  sql.run("CREATE TABLE srcit.acks (id bigint PRIMARY KEY)");
  SlotGuard guard{"pg_it_ack"};
  auto o = options("srcit\\.acks", "pg_it_ack");
  o.max_batch_events = 3;  // batches end inside transactions
  Position resume;
  Lsn start{0};
  std::vector<int64_t> seen;
  {
    PostgresSource src(o);
    open_or_fail(src, std::monostate{});
    start = std::get<PostgresPosition>(src.current_position()).commit_lsn;
    sql.run("INSERT INTO srcit.acks SELECT generate_series(1, 5)");
    sql.run("INSERT INTO srcit.acks SELECT generate_series(6, 10)");
    Rows r;
    poll_rows(src, r, 10, 300ms);
    // Nothing acknowledged yet: the slot stays at the start, whatever was received.
    std::this_thread::sleep_for(500ms);
    CHECK(confirmed_flush(su, "pg_it_ack") == start);
    CHECK(src.reported_flush() == start);
    // Acknowledge the end of the batch holding row 7 (inside the second transaction).
    Position cut;
    for (const auto& b : r.batches) {
      for (const auto& e : b->events) {
        if (e.op != Op::schema_change) seen.push_back(e.after[0].i);
      }
      cut = b->end;
      if (!seen.empty() && seen.back() >= 7) break;
    }
    const auto& pos = std::get<PostgresPosition>(cut);
    CHECK(pos.events_to_skip > 0);  // inside the second transaction
    src.acknowledge(cut);
    for (int i = 0; i < 50 && confirmed_flush(su, "pg_it_ack") == start; ++i)
      std::this_thread::sleep_for(100ms);
    // The first transaction's end: the partly delivered one cannot be confirmed yet.
    CHECK(confirmed_flush(su, "pg_it_ack") == pos.commit_lsn);
    CHECK(static_cast<uint64_t>(pos.commit_lsn) > static_cast<uint64_t>(start));
    resume = cut;
    src.close();
  }
  // A new source resumes at the cut: rows after it, each once.
  PostgresSource again(o);
  open_or_fail(again, resume);
  Rows r2;
  poll_rows(again, r2, 10 - seen.size(), 500ms);
  for (size_t i = 0; i < r2.size(); ++i) seen.push_back(r2[i].after[0].i);
  std::vector<int64_t> want;
  for (int64_t i = 1; i <= 10; ++i) want.push_back(i);
  CHECK(seen == want);
}

// The runner may resume at a sink's own offset record that the state store lacks (the Redis
// sink writes one with each bounded flush between checkpoints); the slot must wait for the next
// acknowledged checkpoint, or a kill before it leaves the slot beyond the newest checkpoint.
TEST_CASE("postgres source: a resume point ahead of the slot is confirmed only when acknowledged") {
  PgSession sql;
  PgSession su(PgSession::As::superuser);
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.ahead");
  sql.run("CREATE TABLE srcit.ahead (id bigint PRIMARY KEY)");
  SlotGuard guard{"pg_it_ahead"};
  const auto o = options("srcit\\.ahead", "pg_it_ahead");
  Lsn start{0};
  Position ahead;
  {
    PostgresSource src(o);
    open_or_fail(src, std::monostate{});
    start = std::get<PostgresPosition>(src.current_position()).commit_lsn;
    sql.run("INSERT INTO srcit.ahead SELECT generate_series(1, 5)");
    sql.run("INSERT INTO srcit.ahead SELECT generate_series(6, 10)");
    Rows r;
    poll_rows(src, r, 10, 300ms);
    ahead = r.batches.back()->end;
    src.close();
    // The stream was ended, not only its connection closed: the slot is free at once, for the
    // open below or an operator's pg_drop_replication_slot.
    CHECK(su.scalar("SELECT active FROM pg_replication_slots WHERE slot_name = 'pg_it_ahead'") ==
          "f");
  }
  const Lsn ahead_lsn = std::get<PostgresPosition>(ahead).commit_lsn;
  REQUIRE(static_cast<uint64_t>(ahead_lsn) > static_cast<uint64_t>(start));
  REQUIRE(confirmed_flush(su, "pg_it_ahead") == start);
  PostgresSource again(o);
  open_or_fail(again, ahead);
  sql.run("INSERT INTO srcit.ahead VALUES (11)");
  Rows r2;
  poll_rows(again, r2, 1, 1s);  // five status intervals: the status thread reported meanwhile
  CHECK(r2[0].after[0].i == 11);
  CHECK(confirmed_flush(su, "pg_it_ahead") == start);
  CHECK(again.reported_flush() == start);
  again.acknowledge(ahead);
  for (int i = 0; i < 50 && confirmed_flush(su, "pg_it_ahead") == start; ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(confirmed_flush(su, "pg_it_ahead") == ahead_lsn);
}

TEST_CASE("postgres source: a slot held by another client is retried, or taken over") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.held");
  sql.run("CREATE TABLE srcit.held (id bigint PRIMARY KEY)");
  SlotGuard guard{"pg_it_held"};
  auto o = options("srcit\\.held", "pg_it_held");
  PostgresSource first(o);
  open_or_fail(first, std::monostate{});
  PostgresSource second(o);
  auto st = second.open(std::monostate{});
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unavailable);  // the runner retries with backoff
  CHECK(st.error().message.find("replication slot pg_it_held is active for PID") !=
        std::string::npos);
  second.close();
  o.slot_takeover = true;
  PostgresSource third(o);
  auto took = third.open(std::monostate{});
  REQUIRE_MESSAGE(took, (took ? "" : took.error().to_string()));
  sql.run("INSERT INTO srcit.held VALUES (1)");
  Rows r;
  poll_rows(third, r, 1, 200ms);
  CHECK(r[0].after[0] == Value::int64(1));
  // The first one's stream was ended by the server.
  Status failed;
  for (int i = 0; i < 20 && failed; ++i) {
    auto b = first.poll(100ms);
    if (!b) failed = std::move(b).error();
  }
  CHECK_FALSE(failed);
}

TEST_CASE("postgres source: TRUNCATE and ALTER TABLE ADD/DROP COLUMN in stream order") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.ddl");
  sql.run("CREATE TABLE srcit.ddl (id bigint PRIMARY KEY, a text)");
  SlotGuard guard{"pg_it_ddl"};
  PostgresSource src(options("srcit\\.ddl", "pg_it_ddl"));
  open_or_fail(src, std::monostate{});
  sql.run("INSERT INTO srcit.ddl VALUES (1, 'x')");
  sql.run("ALTER TABLE srcit.ddl ADD COLUMN b bigint");
  sql.run("INSERT INTO srcit.ddl VALUES (2, 'y', 20)");
  sql.run("ALTER TABLE srcit.ddl DROP COLUMN a");
  sql.run("INSERT INTO srcit.ddl VALUES (3, 30)");
  sql.run("TRUNCATE srcit.ddl");
  Rows r;
  poll_rows(src, r, 6, 300ms, /*schema_changes=*/true);
  CHECK(r[0].op == Op::insert);  // the seeded schema matched: no schema change first
  CHECK(r[0].schema->columns.size() == 2);
  CHECK(r[1].op == Op::schema_change);
  CHECK(r[1].schema->columns.size() == 3);
  CHECK(r[1].schema->columns[2].name == "b");
  CHECK(r[1].schema->version == 2);
  CHECK(r[2].after[2] == Value::int64(20));
  CHECK(r[3].op == Op::schema_change);
  CHECK(r[3].schema->columns.size() == 2);
  CHECK(r[3].schema->columns[1].name == "b");
  CHECK(r[4].after[1] == Value::int64(30));
  CHECK(r[5].op == Op::truncate);
  CHECK(r[5].schema->id == TableId{"srcit", "ddl"});
}

namespace {

// The daemon keeps table versions in the state store (StatePgSchemaStore); this keeps them in
// memory, shared by the sources of one test as a pipeline's runs share its state dir.
class MemorySchemaStore final : public PgSchemaStore {
 public:
  using Key = std::tuple<uint64_t, uint64_t, uint64_t>;
  explicit MemorySchemaStore(std::map<TableId, std::map<Key, TableSchema>>& versions)
      : versions_(versions) {}
  Status put(const PostgresPosition& at, const TableSchema& schema) override {
    versions_[schema.id][key(at)] = schema;
    return {};
  }
  Result<std::optional<TableSchema>> at(const TableId& table, const PostgresPosition& at) override {
    const auto& of = versions_[table];
    auto it = of.upper_bound(key(at));
    if (it == of.begin()) return std::optional<TableSchema>();
    return std::optional<TableSchema>(std::prev(it)->second);
  }

 private:
  static Key key(const PostgresPosition& p) {
    return {static_cast<uint64_t>(p.commit_lsn), static_cast<uint64_t>(p.lsn), p.events_to_skip};
  }
  std::map<TableId, std::map<Key, TableSchema>>& versions_;
};

// "op:columns" per event, e.g. "c:id,a" or "s:id,a,b" (a schema change to those columns).
std::vector<std::string> ops_and_columns(const Rows& r) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) {
    std::string cols;
    for (const auto& c : r[i].schema->columns) cols += (cols.empty() ? "" : ",") + c.name;
    out.push_back(std::string(1, r[i].op == Op::schema_change ? 's' : static_cast<char>(r[i].op)) +
                  ":" + cols);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "postgres source: table versions kept by stream position; a restart from before an ALTER "
    "meets the old columns as no change and reports each ALTER once, also from inside a "
    "transaction") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.hist");
  sql.run("CREATE TABLE srcit.hist (id bigint PRIMARY KEY, a text)");
  SlotGuard guard{"pg_it_hist"};
  std::map<TableId, std::map<MemorySchemaStore::Key, TableSchema>> versions;
  Position start, inside;
  {
    auto o = options("srcit\\.hist", "pg_it_hist");
    o.max_batch_events = 1;  // a resume point after each event
    PostgresSource src(o, nullptr, std::make_unique<MemorySchemaStore>(versions));
    open_or_fail(src, std::monostate{});
    start = src.current_position();
    sql.run("INSERT INTO srcit.hist VALUES (1, 'x')");
    // One transaction: an ALTER between two of its rows.
    sql.run(
        "BEGIN; ALTER TABLE srcit.hist ADD COLUMN b bigint; "
        "INSERT INTO srcit.hist VALUES (2, 'y', 20); COMMIT");
    sql.run(
        "BEGIN; INSERT INTO srcit.hist VALUES (3, 'z', 30); "
        "ALTER TABLE srcit.hist DROP COLUMN a; INSERT INTO srcit.hist VALUES (4, 40); COMMIT");
    sql.run("INSERT INTO srcit.hist VALUES (5, 50)");
    Rows r;
    poll_rows(src, r, 7, 300ms, /*schema_changes=*/true);
    // The catalog's version seeded the first start: no change before the first row.
    CHECK(ops_and_columns(r) == std::vector<std::string>{"c:id,a", "s:id,a,b", "c:id,a,b",
                                                         "c:id,a,b", "s:id,b", "c:id,b", "c:id,b"});
    // The resume point after row 3, inside the transaction that drops `a` next.
    for (const auto& b : r.batches) {
      for (const auto& e : b->events) {
        if (e.op == Op::insert && e.after[0] == Value::int64(3)) inside = b->end;
      }
    }
  }
  REQUIRE(std::holds_alternative<PostgresPosition>(start));
  CHECK(versions[TableId{"srcit", "hist"}].size() == 3);  // the start's, and each ALTER's

  // From the start again: the old columns of row 1 are the version in force there.
  {
    PostgresSource src(options("srcit\\.hist", "pg_it_hist"), nullptr,
                       std::make_unique<MemorySchemaStore>(versions));
    open_or_fail(src, start);
    Rows r;
    poll_rows(src, r, 7, 300ms, /*schema_changes=*/true);
    CHECK(ops_and_columns(r) == std::vector<std::string>{"c:id,a", "s:id,a,b", "c:id,a,b",
                                                         "c:id,a,b", "s:id,b", "c:id,b", "c:id,b"});
    CHECK(r[1].schema->version == 2);
    CHECK(r[4].schema->version == 3);
  }
  // From inside the transaction, after row 3: its Relation for row 3 has the columns in force
  // there, the DROP's comes once.
  REQUIRE(std::holds_alternative<PostgresPosition>(inside));
  {
    PostgresSource src(options("srcit\\.hist", "pg_it_hist"), nullptr,
                       std::make_unique<MemorySchemaStore>(versions));
    open_or_fail(src, inside);
    Rows r;
    poll_rows(src, r, 3, 300ms, /*schema_changes=*/true);
    CHECK(ops_and_columns(r) == std::vector<std::string>{"s:id,b", "c:id,b", "c:id,b"});
    CHECK(r[1].after[0] == Value::int64(4));
  }
}

TEST_CASE("postgres source: heartbeats keep the slot's lag bounded on an idle database") {
  PgSession sql;
  PgSession other(PgSession::As::superuser, "postgres");  // another database of the server
  sql.run("CREATE SCHEMA IF NOT EXISTS srcit");
  sql.run("DROP TABLE IF EXISTS srcit.idle");
  sql.run("CREATE TABLE srcit.idle (id bigint PRIMARY KEY)");
  other.run("DROP TABLE IF EXISTS wal_writer");
  other.run("CREATE TABLE wal_writer (id bigint, pad text)");
  PgSession su(PgSession::As::superuser);
  // The lag after the other database wrote ~8 MB of WAL while the source polled and each batch
  // was acknowledged as a runner would after its checkpoint.
  const auto lag_after_writes = [&](std::chrono::milliseconds heartbeat, const std::string& slot) {
    SlotGuard guard{slot};
    auto o = options("srcit\\.idle", slot);
    o.heartbeat_interval = heartbeat;
    PostgresSource src(o);
    open_or_fail(src, std::monostate{});
    for (int round = 0; round < 8; ++round) {
      other.run(
          "INSERT INTO wal_writer SELECT g, repeat('w', 1000) FROM generate_series(1, 1000) g");
      const auto until = std::chrono::steady_clock::now() + 400ms;
      while (std::chrono::steady_clock::now() < until) {
        auto b = src.poll(50ms);
        REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
        if (*b) {
          CHECK((*b)->events.empty());  // nothing of the captured table changed
          src.acknowledge((*b)->end);
        }
      }
    }
    std::this_thread::sleep_for(500ms);  // the status thread reports the last acknowledgement
    const int64_t lag =
        std::stoll(su.scalar("SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint "
                             "FROM pg_replication_slots WHERE slot_name = '" +
                             slot + "'"));
    src.close();
    return lag;
  };
  const int64_t with = lag_after_writes(200ms, "pg_it_hb_on");
  const int64_t without = lag_after_writes(0ms, "pg_it_hb_off");
  MESSAGE("slot lag with heartbeats " << with << " bytes, without " << without << " bytes");
  CHECK(without > 6'000'000);  // all the other database's WAL (~8.5 MB) is held for the slot
  CHECK(with < 2'000'000);     // at most about one round behind
  other.run("DROP TABLE wal_writer");
}

namespace {

// wal2json's regression cases (tests/fixtures/postgres/wal2json, eulerto/wal2json): each script's
// DDL (before its pg_create_logical_replication_slot) and DML (up to its first peek) run in a fresh
// database while PostgresSource reads it; the changes of its first unfiltered format-version 2
// output must be the source's events, in order, with the same values. Values, not formatting:
// wal2json ran with DateStyle 'Postgres, MDY' and extra_float_digits 0, so a value whose text
// differs is compared by the server (`'w'::type = 's'::type`, floats to wal2json's printed
// precision); json has no `=` and is compared as text.
struct Wal2jsonChange {
  std::string action, schema, table;
  std::vector<std::tuple<std::string, std::string, std::string>> columns,
      identity;  // name,type,text
};

// The changes of the first format-version 1 output (typmod.out has no other): pretty-printed
// documents {"change":[{"kind","schema","table","columnnames","columntypes","columnvalues",
// "oldkeys":{"keynames","keytypes","keyvalues"}}]}, one per transaction, each psql line ending
// in "+" but a document's last.
std::vector<Wal2jsonChange> wal2json_v1_expected(const std::string& out_file) {
  std::ifstream in(out_file);
  REQUIRE(in);
  std::string line, doc_text;
  bool in_output = false;
  std::vector<Wal2jsonChange> changes;
  simdjson::dom::parser parser;
  const auto text_of = [](simdjson::dom::element v) {
    return v.is_string() ? std::string(v.get_string().value())
           : v.is_null() ? std::string("NULL")
                         : simdjson::minify(v);
  };
  const auto zip = [&](simdjson::dom::element names, simdjson::dom::element types,
                       simdjson::dom::element values, auto& into) {
    simdjson::dom::array n = names, t = types, v = values;
    REQUIRE(n.size() == t.size());
    REQUIRE(n.size() == v.size());
    for (size_t i = 0; i < n.size(); ++i) {
      into.emplace_back(std::string(n.at(i).get_string().value()),
                        std::string(t.at(i).get_string().value()), text_of(v.at(i)));
    }
  };
  bool past_rule = false;
  while (std::getline(in, line)) {
    if (!in_output) {
      in_output = line.find("'format-version', '1'") != std::string::npos;
      continue;
    }
    if (!past_rule) {  // psql's column header and its "----" rule come first
      past_rule = line.rfind('-', 0) == 0;
      continue;
    }
    if (line.rfind('(', 0) == 0) break;  // "(N rows)"
    const size_t end = line.find_last_not_of(' ');
    const bool more = end != std::string::npos && line[end] == '+';
    doc_text += line.substr(0, more ? end : end + 1) + "\n";
    if (more) continue;
    simdjson::dom::element doc = parser.parse(doc_text);
    doc_text.clear();
    for (simdjson::dom::element ch : doc["change"].get_array()) {
      Wal2jsonChange c;
      const std::string_view kind = ch["kind"].get_string().value();
      c.action = kind == "insert" ? "I" : kind == "update" ? "U" : kind == "delete" ? "D" : "?";
      c.schema = std::string(ch["schema"].get_string().value());
      c.table = std::string(ch["table"].get_string().value());
      if (!ch["columnnames"].error()) {
        zip(ch["columnnames"], ch["columntypes"], ch["columnvalues"], c.columns);
      }
      if (!ch["oldkeys"].error()) {
        zip(ch["oldkeys"]["keynames"], ch["oldkeys"]["keytypes"], ch["oldkeys"]["keyvalues"],
            c.identity);
      }
      changes.push_back(std::move(c));
    }
  }
  REQUIRE(in_output);
  return changes;
}

std::vector<Wal2jsonChange> wal2json_expected(const std::string& out_file) {
  std::ifstream in(out_file);
  REQUIRE(in);
  std::string line;
  bool in_output = false;
  std::vector<Wal2jsonChange> changes;
  simdjson::dom::parser parser;
  while (std::getline(in, line)) {
    if (!in_output) {
      in_output = line.find("'format-version', '2'") != std::string::npos &&
                  line.find("filter") == std::string::npos;
      continue;
    }
    if (line.rfind('(', 0) == 0) break;  // "(N rows)"
    if (line.rfind(" {", 0) != 0) continue;
    simdjson::dom::element doc = parser.parse(line.substr(1));
    Wal2jsonChange c;
    c.action = std::string(doc["action"].get_string().value());
    if (c.action == "B" || c.action == "C" || c.action == "M") continue;
    c.schema = std::string(doc["schema"].get_string().value());
    c.table = std::string(doc["table"].get_string().value());
    for (auto [field, into] : {std::pair{"columns", &c.columns}, {"identity", &c.identity}}) {
      simdjson::dom::array cols;
      if (doc[field].get(cols) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element col : cols) {
        simdjson::dom::element v = col["value"];
        std::string text = v.is_string() ? std::string(v.get_string().value())
                           : v.is_null() ? "NULL"
                                         : simdjson::minify(v);
        into->emplace_back(std::string(col["name"].get_string().value()),
                           std::string(col["type"].get_string().value()), text);
      }
    }
    changes.push_back(std::move(c));
  }
  REQUIRE(in_output);
  return changes;
}

// The script's lines before `from` (a substring) and from there up to the first line with `to`.
std::pair<std::string, std::string> split_script(const std::string& sql_file) {
  std::ifstream in(sql_file);
  REQUIRE(in);
  std::string line, ddl, dml;
  int part = 0;
  while (std::getline(in, line)) {
    if (line.find("pg_create_logical_replication_slot") != std::string::npos) {
      part = 1;
      continue;
    }
    if (part == 1 && line.find("pg_logical_slot_") != std::string::npos) break;
    // LOAD needs a superuser; \set only changes psql's messages.
    if (line.rfind("LOAD", 0) == 0 || line.rfind("\\set", 0) == 0) continue;
    (part == 0 ? ddl : dml) += line + "\n";
  }
  return {ddl, dml};
}

void psql(const std::string& database, const std::string& sql, const std::string& dir) {
  const std::string file = dir + "/script.sql";
  std::ofstream(file) << sql;
  const auto r =
      run_command({"/usr/bin/env", "PGPASSWORD=" + service_value("SLUICE_PG_PASSWORD"),
                   "/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                   service_value("SLUICE_PG_HOST"), "-p", service_value("SLUICE_PG_PORT"), "-U",
                   service_value("SLUICE_PG_USER"), "-d", database, "-f", file},
                  60s);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::strchr("\\^$.|?*+()[]{}", c) != nullptr) out += '\\';
    out += c;
  }
  return out;
}

// The source's value as text, and whether the server takes it as wal2json's value of `type`.
bool same_value(PgSession& db, const std::string& type, const std::string& w, const Value& v) {
  std::string rendered;
  {
    cdc::json::JsonWriter jw(rendered);
    cdc::json::write_value_as_text(jw, v);
  }
  if (v.is_null()) return w == "NULL";
  std::string s = rendered;
  if (s.size() >= 2 && s.front() == '"') {
    simdjson::dom::parser p;
    s = std::string(p.parse(rendered).get_string().value());
  }
  if (s == w) return true;
  if (type == "json") return false;
  if (type == "real" || type == "double precision") {
    const double a = std::stod(w), b = std::stod(s);
    return std::fabs(a - b) <= std::fabs(a) * (type == "real" ? 1e-6 : 1e-15);
  }
  return db.scalar("SELECT " + PgConnection::quote_literal(w) + "::" + type + " = " +
                   PgConnection::quote_literal(s) + "::" + type) == "t";
}

}  // namespace

TEST_CASE("postgres source: wal2json's regression cases, value for value") {
  const std::string fixtures = source_dir() + "/tests/fixtures/postgres/wal2json";
  PgSession su(PgSession::As::superuser);
  const std::string db_name = "w2j_it";
  for (const std::string name : {"insert1", "update1", "delete1", "pk", "truncate", "typmod"}) {
    CAPTURE(name);
    const std::string slot = "w2j_it";
    const std::string dir = make_temp_dir("sluice-w2j-it");
    su.run(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
        "slot_name = '" +
        slot + "'");
    su.run("DROP DATABASE IF EXISTS " + db_name + " WITH (FORCE)");
    su.run("CREATE DATABASE " + db_name + " OWNER " + service_value("SLUICE_PG_USER"));
    const auto [ddl, dml] = split_script(fixtures + "/sql/" + name + ".sql");
    psql(db_name, ddl, dir);
    PgSession db(PgSession::As::superuser, db_name);
    db.run("SET DateStyle = 'Postgres, MDY'");
    // Tables whose updates and deletes sluice could not key: with only inserts and truncates in
    // the script, REPLICA IDENTITY FULL makes them capturable and changes nothing they log;
    // otherwise they are left out (wal2json itself writes no identity for them).
    const bool changes_rows =
        dml.find("UPDATE") != std::string::npos || dml.find("DELETE") != std::string::npos;
    auto o = options("x", slot);
    o.database = db_name;
    o.table_include = {regex_escape(db_name) + "\\..*"};
    std::set<std::pair<std::string, std::string>> left_out;
    for (const auto& row :
         db.query("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                  "c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', "
                  "'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND (c.relreplident = "
                  "'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE "
                  "i.indrelid = c.oid AND i.indisprimary)))")) {
      const std::string qualified =
          PgConnection::quote_ident(*row[0]) + "." + PgConnection::quote_ident(*row[1]);
      if (changes_rows) {
        o.table_exclude.push_back(regex_escape(db_name + "." + *row[0] + "." + *row[1]));
        left_out.insert({*row[0], *row[1]});
      } else {
        db.run("ALTER TABLE " + qualified + " REPLICA IDENTITY FULL");
      }
    }
    std::vector<Wal2jsonChange> want;
    const std::string out_file = fixtures + "/expected/" + name + ".out";
    for (auto& c :
         name == "typmod" ? wal2json_v1_expected(out_file) : wal2json_expected(out_file)) {
      if (!left_out.count({c.schema, c.table})) want.push_back(std::move(c));
    }
    REQUIRE_FALSE(want.empty());
    {
      PostgresSource src(o);
      open_or_fail(src, std::monostate{});
      psql(db_name, dml, dir);
      Rows r;
      poll_rows(src, r, want.size(), 500ms);
      for (size_t i = 0; i < want.size(); ++i) {
        const Wal2jsonChange& w = want[i];
        const ChangeEvent& e = r[i];
        INFO("change " << i << ": " << w.action << " " << w.schema << "." << w.table);
        const char op = w.action == "I" ? 'c' : w.action == "U" ? 'u' : w.action == "D" ? 'd' : 't';
        CHECK(static_cast<char>(e.op) == op);
        REQUIRE(e.schema->id == TableId{w.schema, w.table});
        const auto check_image = [&](const auto& cols, const RowImage& image) {
          for (const auto& [col, type, text] : cols) {
            INFO("column " << col << " " << type << " = " << text);
            const auto& names = e.schema->columns;
            const auto at = std::find_if(names.begin(), names.end(),
                                         [&](const Column& c) { return c.name == col; });
            REQUIRE(at != names.end());
            CHECK(same_value(db, type, text, image[at - names.begin()]));
          }
        };
        if (e.op != Op::truncate && e.op != Op::erase) check_image(w.columns, e.after);
        if (e.op == Op::update || e.op == Op::erase) check_image(w.identity, e.before);
      }
      src.close();
    }
    for (int i = 0; i < 100 && su.scalar("SELECT count(*) FROM pg_replication_slots WHERE "
                                         "active AND slot_name = '" +
                                         slot + "'") != "0";
         ++i) {
      std::this_thread::sleep_for(50ms);  // the walsender outlives the connection briefly
    }
    su.run("SELECT pg_drop_replication_slot('" + slot + "')");
    su.run("DROP DATABASE " + db_name + " WITH (FORCE)");
    std::filesystem::remove_all(dir);
  }
}

// wal2json's include_xids case: between two reads of the slot the script inserts rows and
// asserts how many records and how many distinct xids the read returns (`count(*) = N,
// count(distinct ... 'xid' ...) = M`); expected/include_xids.out holds wal2json's answer to each.
// Where wal2json answered true for the xids, the source's events of those rows carry M distinct
// source.txId values. (Its record count is per transaction in format-version 1, so the third
// answer is "f | t": the rows are counted from the INSERTs here.)
TEST_CASE("postgres source: wal2json's include_xids case, one transaction id per transaction") {
  const std::string fixtures = source_dir() + "/tests/fixtures/postgres/wal2json";
  std::vector<bool> xids_hold;  // wal2json's answer to each read's xid assertion
  {
    std::ifstream out(fixtures + "/expected/include_xids.out");
    static const std::regex kAnswer(R"(^ ([tf]) +\| ([tf])$)");
    for (std::string line; std::getline(out, line);) {
      std::smatch m;
      if (std::regex_match(line, m, kAnswer)) xids_hold.push_back(m[2] == "t");
    }
    REQUIRE(xids_hold == std::vector<bool>{true, true, true});
  }
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS w2jx");
  sql.run("DROP TABLE IF EXISTS w2jx.tbl");
  sql.run("CREATE TABLE w2jx.tbl (id int PRIMARY KEY)");  // the script's has no key: inserts only
  SlotGuard guard{"pg_it_w2j_xids"};
  PostgresSource src(options("w2jx\\.tbl", guard.slot));
  open_or_fail(src, std::monostate{});
  std::ifstream in(fixtures + "/sql/include_xids.sql");
  REQUIRE(in);
  static const std::regex kCounts(R"(count\(\*\) = (\d+), count\(distinct .*\) = (\d+) FROM)");
  std::vector<std::string> statements;
  size_t rows = 0, groups = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("INSERT INTO tbl", 0) == 0) {
      statements.push_back("INSERT INTO w2jx.tbl" + line.substr(15));
      rows += static_cast<size_t>(std::count(line.begin(), line.end(), '('));
      continue;
    }
    std::smatch m;
    if (!std::regex_search(line, m, kCounts)) continue;
    CAPTURE(line);
    REQUIRE(groups < xids_hold.size());
    for (const auto& s : statements) sql.run(s);
    statements.clear();
    Rows r;
    poll_rows(src, r, std::exchange(rows, 0), 300ms);
    std::set<uint64_t> xids;
    for (size_t i = 0; i < r.size(); ++i) {
      REQUIRE(r[i].source.tx_id.has_value());
      xids.insert(*r[i].source.tx_id);
    }
    if (xids_hold[groups]) CHECK(xids.size() == std::stoul(m[2].str()));
    ++groups;
  }
  CHECK(groups == 3);
  src.close();
  sql.run("DROP TABLE w2jx.tbl");
}

// wal2json's message case (sql/message.sql, expected/message.out): the script's
// pg_logical_emit_message calls run as it runs them (transactional and not, text and bytea
// content, inside a rolled-back and a committed transaction), then the slot's pgoutput with
// `messages 'true'` is read with pg_logical_slot_peek_binary_changes and each message decoded by
// decode_pgoutput, as the source decodes its heartbeats and watermarks. sluice emits no user
// message (README, "Re-snapshots while streaming"); what applies is the decoding: the messages
// whose prefix wal2json's format-version 2 read keeps ('added1, added3, wal2json', not 'foo,
// filtered, bar') are wal2json's, in order, with the same flag, prefix and content; the others
// are decoded too, and the transactional message of the rolled-back transaction is not there.
TEST_CASE("postgres source: wal2json's message case, every message decoded as wal2json read it") {
  const std::string fixtures = source_dir() + "/tests/fixtures/postgres/wal2json";
  struct Message {
    bool transactional = false;
    std::string prefix, content;
    bool operator==(const Message&) const = default;
  };
  std::vector<Message> want;
  {
    std::ifstream in(fixtures + "/expected/message.out");
    REQUIRE(in);
    simdjson::dom::parser parser;
    bool in_output = false;
    for (std::string line; std::getline(in, line);) {
      if (!in_output) {
        in_output = line.find("'format-version', '2'") != std::string::npos;
        continue;
      }
      if (line.rfind('(', 0) == 0) break;  // "(N rows)"
      if (line.rfind(" {", 0) != 0) continue;
      simdjson::dom::element doc = parser.parse(line.substr(1));
      if (doc["action"].get_string().value() != "M") continue;
      want.push_back({doc["transactional"].get_bool().value(),
                      std::string(doc["prefix"].get_string().value()),
                      std::string(doc["content"].get_string().value())});
    }
  }
  REQUIRE(want.size() == 10);

  const std::string slot = "w2j_message";
  PgSession su(PgSession::As::superuser);
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  su.run("DROP PUBLICATION IF EXISTS " + slot);
  su.run("CREATE PUBLICATION " + slot);  // no table: messages only
  su.run("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
  {
    // The script's statements after its slot creation and before its first read, one a line.
    std::ifstream in(fixtures + "/sql/message.sql");
    REQUIRE(in);
    PgSession s(PgSession::As::superuser);
    size_t emitted = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find("pg_logical_slot_peek_changes") != std::string::npos) break;
      const bool emit = line.find("pg_logical_emit_message") != std::string::npos;
      if (emit || line == "BEGIN;" || line == "COMMIT;" || line == "ROLLBACK;") s.run(line);
      emitted += emit ? 1 : 0;
    }
    REQUIRE(emitted == 13);
  }
  std::vector<Message> got, all;
  const auto rows = su.query(
      "SELECT lsn, encode(data, 'hex') FROM "
      "pg_logical_slot_peek_binary_changes('" +
      slot + "', NULL, NULL, 'proto_version', '1', 'publication_names', '" + slot +
      "', 'messages', 'true')");
  for (const auto& r : rows) {
    const std::string& hex = *r[1];
    std::string bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    const auto decoded = decode_pgoutput(std::as_bytes(std::span(bytes)), {}, Lsn{0});
    REQUIRE_MESSAGE(decoded, (decoded ? "" : decoded.error().to_string()));
    const auto* m = std::get_if<LogicalMessage>(&*decoded);
    if (m == nullptr) continue;
    Message msg{m->transactional, std::string(m->prefix), std::string(m->content)};
    all.push_back(msg);
    if (msg.prefix == "added1" || msg.prefix == "added3" || msg.prefix == "wal2json") {
      got.push_back(std::move(msg));
    }
  }
  su.run("SELECT pg_drop_replication_slot('" + slot + "')");
  su.run("DROP PUBLICATION " + slot);
  CHECK(got == want);
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    CAPTURE(i);
    CHECK(got[i].transactional == want[i].transactional);
    CHECK(got[i].prefix == want[i].prefix);
    CHECK(got[i].content == want[i].content);
  }
  // 13 emitted, the rolled-back transactional one never decoded; 'filtered' and 'added2' too.
  CHECK(all.size() == 12);
  CHECK(std::count_if(all.begin(), all.end(), [](const Message& m) {
          return m.content == "this message will not be printed";
        }) == 0);
}
