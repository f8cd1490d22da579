// The PostgreSQL snapshot (scan.startup.mode initial and snapshot) against the real
// PostgreSQL 15, in process: tables with a composite key, a text key, no key (ctid ranges) and no
// rows are read while a writer inserts, updates and deletes; one run is stopped inside the
// snapshot and a second one resumes it after the last key delivered (a second segment, read
// through a temporary slot's snapshot). Replayed as upserts the events equal the tables, and
// per key they are its history from the row read on: one `r` with the version read, then each
// later statement once. The type matrix: every type read by the snapshot equals the same value
// streamed by pgoutput. scan.snapshot.parallelism 2 under a writer: every part at the one
// exported snapshot's point, each row read once. Keyless tables read directly in ctid ranges
// (one and two parts, stale and missing statistics) and the ranges' plan (TID Range Scan).
// ARCHITECTURE.md "Snapshots".
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "cdc/postgres/postgres_source.h"
#include "cdc/postgres/snapshot/pg_chunk_reader.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/postgres_client.h"
#include "tests/support/postgres_source_options.h"
#include "tests/support/services_env.h"

using namespace cdc;
using namespace cdc::postgres;
using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

PostgresSourceOptions options(const std::string& table_regex, const std::string& slot) {
  PostgresSourceOptions o = services_postgres_source_options(table_regex, slot, "snap-it");
  o.startup_mode = StartupMode::initial;
  o.snapshot_chunk_size = 97;
  o.max_batch_events = 50;
  return o;
}

void open_or_fail(PostgresSource& src, const Position& at) {
  auto opened = src.open(at);
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
}

// What happened to one key, in order: 'c', 'u', 'd' (for 'd': the version deleted), 'r'.
struct Step {
  char op;
  int64_t ver;
  friend bool operator==(const Step&, const Step&) = default;
};

// A row's key as text: "table/k1/k2".
std::string key_text(const ChangeEvent& e, std::span<const Value> row) {
  std::string k = e.schema->id.table;
  for (const uint32_t i : e.schema->primary_key) {
    const Value& v = row[i];
    k += "/" + (v.kind == ValueKind::string ? std::string(v.text) : std::to_string(v.i));
  }
  // The table without a key: its id column is unique by the writer's construction.
  if (e.schema->primary_key.empty()) k += "/" + std::to_string(row[0].i);
  return k;
}

struct Output {
  std::map<std::string, std::vector<Step>> per_key;
  std::map<std::string, int64_t> state;  // replayed as upserts: key -> ver
  size_t reads = 0;
  void add(const ChangeEvent& e) {
    if (e.op == Op::schema_change) return;
    const auto& row = e.op == Op::erase ? e.before : e.after;
    REQUIRE(row.present);
    const std::string k = key_text(e, row.values());
    const int64_t ver = row[row.size - 1].i;  // ver is each table's last column
    if (e.op == Op::erase) {
      state.erase(k);
    } else {
      state[k] = ver;
    }
    if (e.op == Op::read) ++reads;
    const char op = e.op == Op::read     ? 'r'
                    : e.op == Op::insert ? 'c'
                    : e.op == Op::update ? 'u'
                                         : 'd';
    per_key[k].push_back({op, ver});
  }
};

std::map<std::string, int64_t> table_state(PgSession& sql) {
  std::map<std::string, int64_t> out;
  for (const auto& r : sql.query("SELECT a, b, ver FROM pgsnap.k_comp"))
    out["k_comp/" + *r[0] + "/" + *r[1]] = std::stoll(*r[2]);
  for (const auto& r : sql.query("SELECT k, ver FROM pgsnap.k_text"))
    out["k_text/" + *r[0]] = std::stoll(*r[1]);
  for (const auto& r : sql.query("SELECT id, ver FROM pgsnap.nokey"))
    out["nokey/" + *r[0]] = std::stoll(*r[1]);
  for (const auto& r : sql.query("SELECT id, ver FROM pgsnap.empty"))
    out["empty/" + *r[0]] = std::stoll(*r[1]);
  return out;
}

// Checks each key's events against its history: from an `r` on, the statements after the
// version read, once each; a key absent when read: a suffix of its history from an insert on.
void check_histories(const Output& out, const std::map<std::string, std::vector<Step>>& history) {
  size_t streamed = 0;
  for (const auto& [key, steps] : out.per_key) {
    INFO("key " << key);
    REQUIRE(history.count(key) == 1);
    const auto& h = history.at(key);
    if (steps.front().op == 'r') {
      size_t at = h.size();
      for (size_t i = 0; i < h.size(); ++i) {
        if (h[i].op != 'd' && h[i].ver == steps.front().ver) at = i;
      }
      REQUIRE_MESSAGE(at < h.size(), "read version " << steps.front().ver << " never written");
      const std::vector<Step> rest(steps.begin() + 1, steps.end());
      const std::vector<Step> want(h.begin() + static_cast<long>(at) + 1, h.end());
      if (rest != want) {
        std::string got_text, want_text, h_text;
        for (const auto& st : steps)
          got_text += std::string(1, st.op) + std::to_string(st.ver) + " ";
        for (const auto& st : h) h_text += std::string(1, st.op) + std::to_string(st.ver) + " ";
        FAIL_CHECK("events " << got_text << "; history " << h_text);
      }
      streamed += rest.size();
    } else {
      REQUIRE(steps.front().op == 'c');
      bool found = false;
      for (size_t i = 0; i < h.size() && !found; ++i) {
        if (h[i] == steps.front() && (i == 0 || h[i - 1].op == 'd')) {
          found = std::vector<Step>(h.begin() + static_cast<long>(i), h.end()) == steps;
        }
      }
      CHECK_MESSAGE(found, "the events of the key are not a suffix of its history");
      streamed += steps.size();
    }
  }
  MESSAGE("keys: " << out.per_key.size() << ", rows read: " << out.reads
                   << ", statements streamed: " << streamed);
}

}  // namespace

TEST_CASE(
    "postgres initial: composite, text, no-key and empty tables under a writer, resumed inside "
    "the snapshot; each key's history exactly once, the tables exact") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgsnap");
  sql.run("DROP TABLE IF EXISTS pgsnap.k_comp, pgsnap.k_text, pgsnap.nokey, pgsnap.empty");
  sql.run("CREATE TABLE pgsnap.k_comp (a int, b text, ver bigint NOT NULL, PRIMARY KEY (a, b))");
  sql.run("CREATE TABLE pgsnap.k_text (k text PRIMARY KEY, ver bigint NOT NULL)");
  sql.run("CREATE TABLE pgsnap.nokey (id int NOT NULL, ver bigint NOT NULL)");
  sql.run("CREATE TABLE pgsnap.empty (id int PRIMARY KEY, ver bigint NOT NULL)");
  // The deletes' before images carry the version deleted.
  for (const char* t : {"k_comp", "k_text", "nokey", "empty"}) {
    sql.run("ALTER TABLE pgsnap." + std::string(t) + " REPLICA IDENTITY FULL");
  }
  const int comp_rows = 2000, text_rows = 1500, nokey_rows = 300;
  // Text keys whose order (the database's collation) is not their insertion order.
  sql.run("INSERT INTO pgsnap.k_comp SELECT g % 50, 'b' || (g / 50), 0 FROM generate_series(1, " +
          std::to_string(comp_rows) + ") g");
  sql.run("INSERT INTO pgsnap.k_text SELECT md5(g::text) || ' Ü', 0 FROM generate_series(1, " +
          std::to_string(text_rows) + ") g");
  sql.run("INSERT INTO pgsnap.nokey SELECT g, 0 FROM generate_series(1, " +
          std::to_string(nokey_rows) + ") g");
  std::map<std::string, std::vector<Step>> history;
  for (const auto& [k, ver] : table_state(sql)) history[k] = {{'c', ver}};

  const std::string slot = "pg_snap_it";
  drop_slot_and_publication(slot);
  const PgSlotGuard guard{slot};

  std::atomic<bool> stop{false};
  std::atomic<int64_t> statements{0};
  std::thread writer;
  JoinOnExit joiner{stop, writer};
  std::mutex history_mutex;
  writer = std::thread([&] {
    PgSession w;
    std::mt19937_64 rng(1616);
    std::map<std::string, std::pair<std::string, std::string>> live;  // key -> (table, where)
    for (const auto& [k, ver] : table_state(w)) {
      const auto slash = k.find('/');
      const std::string table = k.substr(0, slash);
      std::string where;
      if (table == "k_comp") {
        const auto s2 = k.find('/', slash + 1);
        where =
            "a = " + k.substr(slash + 1, s2 - slash - 1) + " AND b = '" + k.substr(s2 + 1) + "'";
      } else if (table == "k_text") {
        where = "k = '" + k.substr(slash + 1) + "'";
      } else {
        where = "id = " + k.substr(slash + 1);
      }
      live[k] = {table, where};
    }
    int64_t next = 100000;
    for (int64_t ver = 1; !stop && ver < 200000; ++ver) {
      const int choice = static_cast<int>(rng() % 10);
      std::string key, stmt;
      char op = 'u';
      if (choice < 2 || live.empty()) {
        const int64_t id = next++;
        static const char* kTables[] = {"k_comp", "k_text", "nokey", "empty"};
        const std::string table = kTables[rng() % 4];
        const std::string n = std::to_string(id);
        op = 'c';
        if (table == "k_comp") {
          key = "k_comp/" + std::to_string(id % 50) + "/n" + n;
          stmt = "INSERT INTO pgsnap.k_comp VALUES (" + std::to_string(id % 50) + ", 'n" + n +
                 "', " + std::to_string(ver) + ")";
          live[key] = {table, "a = " + std::to_string(id % 50) + " AND b = 'n" + n + "'"};
        } else if (table == "k_text") {
          key = "k_text/n" + n;
          stmt = "INSERT INTO pgsnap.k_text VALUES ('n" + n + "', " + std::to_string(ver) + ")";
          live[key] = {table, "k = 'n" + n + "'"};
        } else {
          key = table + "/" + n;
          stmt = "INSERT INTO pgsnap." + table + " VALUES (" + n + ", " + std::to_string(ver) + ")";
          live[key] = {table, "id = " + n};
        }
      } else {
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % live.size()));
        key = it->first;
        const auto [table, where] = it->second;
        if (choice < 8) {
          stmt = "UPDATE pgsnap." + table + " SET ver = " + std::to_string(ver) + " WHERE " + where;
        } else {
          op = 'd';
          stmt = "DELETE FROM pgsnap." + table + " WHERE " + where;
          live.erase(it);
        }
      }
      w.run(stmt);
      {
        std::lock_guard lock(history_mutex);
        auto& h = history[key];
        h.push_back({op, op == 'd' ? h.back().ver : ver});
      }
      ++statements;
      std::this_thread::sleep_for(1ms);
    }
  });
  while (statements < 20) std::this_thread::sleep_for(5ms);

  Output out;
  std::vector<std::unique_ptr<Batch>> kept;
  Position resume_at;
  {
    // The first run: stopped after a part of the snapshot, as a crash would (what it read
    // after `resume_at` is not kept).
    PostgresSource first(options("pgsnap\\.(k_comp|k_text|nokey|empty)", slot));
    open_or_fail(first, std::monostate{});
    const Position opened_at = first.current_position();
    const auto* sp = std::get_if<SnapshotPosition>(&opened_at);
    REQUIRE(sp != nullptr);
    REQUIRE(sp->reading);
    for (int polls = 0; polls < 40; ++polls) {
      auto b = first.poll(100ms);
      REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
      REQUIRE(*b);
      for (const auto& e : (*b)->events) out.add(e);
      resume_at = (*b)->end;
      std::this_thread::sleep_for(5ms);  // the writer goes on meanwhile
    }
    const auto& at = std::get<SnapshotPosition>(resume_at);
    REQUIRE(at.reading);
    CHECK(at.segments.size() == 1);
    CHECK(first.snapshot_progress().reading);
    CHECK(first.snapshot_progress().rows == 40 * 50);
    first.close();
  }
  const int64_t statements_at_restart = statements;
  PostgresSource second(options("pgsnap\\.(k_comp|k_text|nokey|empty)", slot));
  open_or_fail(second, resume_at);
  bool read_done = false;
  size_t segments = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  int64_t stop_after = -1;
  std::map<std::string, int64_t> want;
  while (std::chrono::steady_clock::now() < deadline) {
    auto b = second.poll(100ms);
    REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
    if (*b) {
      for (const auto& e : (*b)->events) out.add(e);
      if (const auto* sp = std::get_if<SnapshotPosition>(&(*b)->end)) {
        segments = sp->segments.size();
        if (!sp->reading) read_done = true;
      }
      if (!read_done) std::this_thread::sleep_for(5ms);
      kept.push_back(std::move(*b));
    }
    // The writer runs on for 300 statements after the snapshot was read, then stops; the
    // stream is read until the output equals the tables.
    if (read_done && stop_after < 0) stop_after = statements + 300;
    if (stop_after >= 0 && statements >= stop_after && !stop) {
      stop = true;
      writer.join();
      want = table_state(sql);
    }
    if (stop && out.state == want) break;
  }
  REQUIRE(read_done);
  CHECK(segments == 2);
  CHECK(statements_at_restart > 20);
  CHECK(out.state.size() == want.size());
  CHECK((out.state == want));
  CHECK(out.reads >= static_cast<size_t>(comp_rows + text_rows));
  check_histories(out, history);
  const SnapshotProgress p = second.snapshot_progress();
  CHECK(!p.reading);
  // This run's plan: the table it resumed in and those after it.
  CHECK(p.tables_total >= 2);
  CHECK(p.tables_done == p.tables_total);
  // The stream passed the snapshot's points: the position is a plain LSN again.
  CHECK(std::holds_alternative<PostgresPosition>(second.current_position()));
  second.close();
  // The temporary slot went with its session: only the pipeline's slot is left.
  PgSession su(PgSession::As::superuser);
  CHECK(su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pg_snap_it%'") ==
        "1");
}

// Each column of one row, read by the snapshot, and the same row inserted again after it (a
// stream Insert through pgoutput) must give equal Values: one conversion for both paths.
TEST_CASE("postgres snapshot: every type's value equals the streamed value of the same row") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgsnap");
  sql.run("DROP TABLE IF EXISTS pgsnap.types");
  sql.run("DROP TYPE IF EXISTS pgsnap.mood, pgsnap.pair");
  sql.run("CREATE TYPE pgsnap.mood AS ENUM ('sad', 'ok', 'happy')");
  sql.run("CREATE TYPE pgsnap.pair AS (x int, y text)");
  const std::vector<std::pair<std::string, std::string>> columns = {
      {"bool", "true"},
      {"int2", "-32768"},
      {"int4", "2147483647"},
      {"int8", "-9223372036854775808"},
      {"numeric", "'-12345678901234567890.123456789012345678900'"},
      {"numeric(10,4)", "'3.1400'"},
      {"float4", "'1.17549435e-38'"},
      {"float8", "'-Infinity'"},
      {"text", "E'line\\nbreak \"quoted\" ünï'"},
      {"varchar(10)", "'abc'"},
      {"char(5)", "'ab'"},
      {"bytea", "'\\x00ff10'"},
      {"uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"},
      {"date", "'0044-03-15 BC'"},
      {"time(3)", "'23:59:59.999'"},
      {"timetz", "'12:34:56+05:30'"},
      {"timestamp", "'2024-02-29 12:34:56.123456'"},
      {"timestamptz", "'1900-01-01 00:00:00+01:22:05'"},
      {"interval", "'1 year 2 mons -3 days 04:05:06.7'"},
      {"json", "'{\"a\": [1, 2.50, null]}'"},
      {"jsonb", "'{\"b\": {\"c\": \"d\"}, \"a\": 1}'"},
      {"int4[]", "'{{1,NULL},{3,4}}'"},
      {"text[]", "'{}'"},
      {"pgsnap.mood", "'happy'"},
      {"pgsnap.pair", "ROW(1, 'a,b')"},
      {"int4range", "'[1,10)'"},
      {"inet", "'192.168.0.1/24'"},
      {"cidr", "'10.0.0.0/8'"},
      {"macaddr", "'08:00:2b:01:02:03'"},
      {"money", "'-1234.56'"},
      {"bit(3)", "B'101'"},
      {"varbit", "B'1101'"},
      {"xml", "'<a>b</a>'"},
      {"point", "'(1.5,-2)'"},
      {"box", "'(1,1),(0,0)'"},
  };
  std::string create = "CREATE TABLE pgsnap.types (id int PRIMARY KEY";
  std::string values = "1";
  std::string names;
  for (size_t i = 0; i < columns.size(); ++i) {
    create += ", c" + std::to_string(i) + " " + columns[i].first;
    values += ", " + columns[i].second;
    names += ", c" + std::to_string(i);
  }
  sql.run(create + ")");
  sql.run("INSERT INTO pgsnap.types VALUES (" + values + ")");
  // A row of NULLs too.
  sql.run("INSERT INTO pgsnap.types (id) VALUES (2)");

  const std::string slot = "pg_snap_types";
  drop_slot_and_publication(slot);
  const PgSlotGuard guard{slot};
  PostgresSource src(options("pgsnap\\.types", slot));
  open_or_fail(src, std::monostate{});
  std::vector<std::unique_ptr<Batch>> batches;
  std::map<int64_t, const ChangeEvent*> by_id;
  bool inserted = false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (by_id.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(100ms);
    REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      if (e.op == Op::read || e.op == Op::insert) by_id[e.after[0].i] = &e;
    }
    batches.push_back(std::move(*b));
    if (by_id.size() == 2 && !inserted) {
      sql.run("INSERT INTO pgsnap.types SELECT id + 10" + names + " FROM pgsnap.types");
      inserted = true;
    }
  }
  REQUIRE(by_id.size() == 4);
  for (const auto& [read_id, streamed_id] : {std::pair<int64_t, int64_t>{1, 11}, {2, 12}}) {
    const ChangeEvent& r = *by_id.at(read_id);
    const ChangeEvent& c = *by_id.at(streamed_id);
    CHECK(r.op == Op::read);
    CHECK(r.source.snapshot == SnapshotMarker::yes);
    CHECK(c.op == Op::insert);
    REQUIRE(r.after.size == c.after.size);
    for (uint32_t i = 1; i < r.after.size; ++i) {
      INFO("row " << read_id << ", column " << columns[i - 1].first);
      CHECK(r.after[i].kind == c.after[i].kind);
      CHECK(r.after[i].fsp == c.after[i].fsp);
      CHECK(r.after[i] == c.after[i]);
      if (read_id == 1) CHECK(r.after[i].kind != ValueKind::null);
    }
  }
}

// `snapshot` reads the rows and ends; it leaves no slot behind (a temporary slot gives the
// consistent read).
TEST_CASE("postgres snapshot mode: the rows once, then the end of the stream, no slot left") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgsnap");
  sql.run("DROP TABLE IF EXISTS pgsnap.only");
  sql.run("CREATE TABLE pgsnap.only (id int PRIMARY KEY, ver bigint NOT NULL)");
  sql.run("INSERT INTO pgsnap.only SELECT g, g FROM generate_series(1, 500) g");
  const std::string slot = "pg_snap_only";
  drop_slot_and_publication(slot);
  const PgSlotGuard guard{slot};
  auto o = options("pgsnap\\.only", slot);
  o.startup_mode = StartupMode::snapshot;
  PostgresSource src(o);
  open_or_fail(src, std::monostate{});
  std::vector<int64_t> ids;
  bool ended = false;
  Position end;
  for (int polls = 0; polls < 100 && !ended; ++polls) {
    auto b = src.poll(100ms);
    REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      CHECK(e.op == Op::read);
      ids.push_back(e.after[0].i);
      CHECK(e.after[1].i == e.after[0].i);
    }
    ended = (*b)->end_of_stream;
    end = (*b)->end;
  }
  REQUIRE(ended);
  REQUIRE(ids.size() == 500);
  for (size_t i = 0; i < ids.size(); ++i) CHECK(ids[i] == static_cast<int64_t>(i + 1));
  PgSession su(PgSession::As::superuser);
  CHECK(
      su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pg_snap_only%'") ==
      "0");
  // Re-opened at its final checkpoint, a finished snapshot-only pipeline ends at once.
  src.close();
  PostgresSource again(o);
  open_or_fail(again, end);
  auto b = again.poll(100ms);
  REQUIRE(b);
  REQUIRE(*b);
  CHECK((*b)->events.empty());
  CHECK((*b)->end_of_stream);
}

namespace {

// A table without a key of `rows` rows (id 1..rows unique, `pad` sized text), read directly by
// PgChunkReader in the snapshot of a temporary slot: the schema and column types it needs.
struct KeylessTable {
  TableSchema schema;
  PgColumnTypes types;
};

KeylessTable keyless_table(const PgTypeRegistry& registry, const std::string& db,
                           const std::string& table) {
  KeylessTable t;
  t.schema.id = {db, table};
  for (const auto& [name, oid] : {std::pair<std::string, uint32_t>{"id", 23}, {"pad", 25}}) {
    auto c = pg_column(registry, name, oid, -1);
    REQUIRE(c);
    t.schema.columns.push_back(*c);
    t.types.type_oids.push_back(oid);
    t.types.typmods.push_back(-1);
  }
  return t;
}

// Reads the rows of [after, through) (block places; empty: open) and counts each id.
void read_part(PgChunkReader& reader, const TableSchema& t, std::span<const Value> after,
               std::span<const Value> through, std::map<int64_t, int>& seen) {
  REQUIRE(reader.start_chunk_through(t, after, through, 0));
  Arena arena;
  for (;;) {
    auto row = reader.next_row(arena);
    REQUIRE_MESSAGE(row, (row ? "" : row.error().to_string()));
    if (!*row) break;
    ++seen[(**row)[0].i];
  }
}

}  // namespace

TEST_CASE(
    "postgres snapshot of a table without a key: ctid ranges by TID Range Scan, every row once "
    "in one or two parts, with statistics stale or missing") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgpar");
  sql.run("DROP TABLE IF EXISTS pgpar.nokey_stale");
  sql.run("CREATE TABLE pgpar.nokey_stale (id int NOT NULL, pad text NOT NULL)");
  // Wide rows analysed (a few per block), then many narrow rows the statistics do not know of:
  // the ranges are sized from the stale density, the last one still reaches every block.
  sql.run(
      "INSERT INTO pgpar.nokey_stale SELECT g, repeat('w', 1500) FROM generate_series(1, 40) g");
  sql.run("ANALYZE pgpar.nokey_stale");
  const int rows = 12000;
  sql.run("INSERT INTO pgpar.nokey_stale SELECT g, 'n' FROM generate_series(41, " +
          std::to_string(rows) + ") g");
  const int64_t pages = std::stoll(sql.scalar(
      "SELECT pg_relation_size('pgpar.nokey_stale') / current_setting('block_size')::int"));
  const int64_t relpages = std::stoll(
      sql.scalar("SELECT relpages FROM pg_class WHERE oid = 'pgpar.nokey_stale'::regclass"));
  REQUIRE(relpages < pages);  // stale
  sql.run("DROP TABLE IF EXISTS pgpar.nokey_fresh");
  sql.run("CREATE TABLE pgpar.nokey_fresh (id int NOT NULL, pad text NOT NULL)");
  sql.run("INSERT INTO pgpar.nokey_fresh SELECT g, 'f' FROM generate_series(1, 3000) g");
  // Never analysed (autovacuum runs once a minute at most; reltuples -1 or a count, either way
  // the reading is exact).

  PgTypeRegistry registry;
  const std::string db = service_value("SLUICE_PG_DATABASE");
  auto o = options("pgpar\\..*", "pg_par_ctid");
  o.snapshot_chunk_size = 97;
  std::map<TableId, PgColumnTypes> types;
  PgChunkReader::TypesOf types_of = [&](const TableId& id) -> const PgColumnTypes* {
    const auto it = types.find(id);
    return it == types.end() ? nullptr : &it->second;
  };
  auto exported = export_on_temporary_slot(o);
  REQUIRE_MESSAGE(exported, (exported ? "" : exported.error().to_string()));
  auto readers = std::make_optional<std::pair<PgChunkReader, PgChunkReader>>(
      std::piecewise_construct, std::forward_as_tuple(o, registry, types_of),
      std::forward_as_tuple(o, registry, types_of));
  PgChunkReader& one = readers->first;
  PgChunkReader& two = readers->second;
  REQUIRE(one.import_snapshot(exported->snapshot));
  REQUIRE(two.import_snapshot(exported->snapshot));
  {
    const TemporaryExport released = std::move(*exported);  // the exporter goes: imports live on
  }
  // Rows written after the import are not in the snapshot.
  sql.run("INSERT INTO pgpar.nokey_stale VALUES (-1, 'late')");
  sql.run("INSERT INTO pgpar.nokey_fresh VALUES (-1, 'late')");
  REQUIRE(one.begin_consistent_read());
  REQUIRE(two.begin_consistent_read());

  for (const auto& [table, want_rows] :
       {std::pair<std::string, int>{"nokey_stale", rows}, {"nokey_fresh", 3000}}) {
    INFO("table " << table);
    const KeylessTable t = keyless_table(registry, "pgpar", table);
    types[t.schema.id] = t.types;
    // The ranges' query is a TID Range Scan of the blocks, bounded or open above.
    for (const CtidRange& range : {CtidRange{2, 5}, CtidRange{5, std::nullopt}}) {
      const std::string plan_text = [&] {
        std::string all;
        for (const auto& r : sql.query("EXPLAIN " + PgChunkReader::ctid_query(t.schema, range)))
          all += *r[0] + "\n";
        return all;
      }();
      INFO(plan_text);
      CHECK(plan_text.find("Tid Range Scan") != std::string::npos);
      CHECK(plan_text.find("Seq Scan") == std::string::npos);
    }
    // One connection: the whole table in ranges of ~97 rows.
    std::map<int64_t, int> whole;
    read_part(one, t.schema, {}, {}, whole);
    CHECK(whole.size() == static_cast<size_t>(want_rows));
    CHECK(whole.count(-1) == 0);
    CHECK(whole.begin()->first == 1);
    CHECK(whole.rbegin()->first == want_rows);
    CHECK(std::all_of(whole.begin(), whole.end(), [](const auto& kv) { return kv.second == 1; }));
    // Two parts, one per connection, at the place the reader names: each row once in all.
    auto points = one.storage_split_points(t.schema, 2);
    REQUIRE(points);
    REQUIRE(points->size() == 1);
    const Value cut = Value::uint64(points->front());
    std::map<int64_t, int> first_part, both;
    read_part(one, t.schema, {}, std::span<const Value>(&cut, 1), first_part);
    both = first_part;
    read_part(two, t.schema, std::span<const Value>(&cut, 1), {}, both);
    CHECK(!first_part.empty());
    CHECK(first_part.size() < both.size());
    CHECK(both == whole);
  }
  REQUIRE(one.end_consistent_read());
  REQUIRE(two.end_consistent_read());
  readers.reset();  // their transactions hold the tables until they go
  sql.run("DROP TABLE pgpar.nokey_stale, pgpar.nokey_fresh");
}

TEST_CASE(
    "postgres initial, scan.snapshot.parallelism 2: integer-key, composite-key and keyless "
    "tables (two parts of ctid ranges) under a writer, every part in the one exported "
    "snapshot; each row read once, each key's history exactly once, the tables exact") {
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgpar");
  sql.run("DROP TABLE IF EXISTS pgpar.k_int, pgpar.k_comp, pgpar.nokey");
  sql.run("CREATE TABLE pgpar.k_int (id int PRIMARY KEY, ver bigint NOT NULL)");
  sql.run("CREATE TABLE pgpar.k_comp (a int, b text, ver bigint NOT NULL, PRIMARY KEY (a, b))");
  sql.run("CREATE TABLE pgpar.nokey (id int NOT NULL, ver bigint NOT NULL)");
  for (const char* t : {"k_int", "k_comp", "nokey"}) {
    sql.run("ALTER TABLE pgpar." + std::string(t) + " REPLICA IDENTITY FULL");
  }
  const int int_rows = 4000, comp_rows = 1000, nokey_rows = 12000;
  sql.run("INSERT INTO pgpar.k_int SELECT g, 0 FROM generate_series(1, " +
          std::to_string(int_rows) + ") g");
  sql.run("INSERT INTO pgpar.k_comp SELECT g % 20, 'b' || (g / 20), 0 FROM generate_series(1, " +
          std::to_string(comp_rows) + ") g");
  sql.run("INSERT INTO pgpar.nokey SELECT g, 0 FROM generate_series(1, " +
          std::to_string(nokey_rows) + ") g");
  sql.run("ANALYZE pgpar.nokey");
  const auto state_of = [](PgSession& s) {
    std::map<std::string, int64_t> out;
    for (const auto& r : s.query("SELECT id, ver FROM pgpar.k_int"))
      out["k_int/" + *r[0]] = std::stoll(*r[1]);
    for (const auto& r : s.query("SELECT a, b, ver FROM pgpar.k_comp"))
      out["k_comp/" + *r[0] + "/" + *r[1]] = std::stoll(*r[2]);
    for (const auto& r : s.query("SELECT id, ver FROM pgpar.nokey"))
      out["nokey/" + *r[0]] = std::stoll(*r[1]);
    return out;
  };
  std::map<std::string, std::vector<Step>> history;
  for (const auto& [k, ver] : state_of(sql)) history[k] = {{'c', ver}};

  const std::string slot = "pg_par_it";
  drop_slot_and_publication(slot);
  const PgSlotGuard guard{slot};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> statements{0};
  std::thread writer;
  JoinOnExit joiner{stop, writer};
  std::mutex history_mutex;
  writer = std::thread([&] {
    PgSession w;
    std::mt19937_64 rng(1619);
    std::vector<std::string> keys;
    for (const auto& [k, ver] : state_of(w)) keys.push_back(k);
    std::map<std::string, bool> live;
    for (const auto& k : keys) live[k] = true;
    auto where = [](const std::string& k) {
      const auto slash = k.find('/');
      const std::string table = k.substr(0, slash);
      if (table != "k_comp") return table + " WHERE id = " + k.substr(slash + 1);
      const auto s2 = k.find('/', slash + 1);
      return table + " WHERE a = " + k.substr(slash + 1, s2 - slash - 1) + " AND b = '" +
             k.substr(s2 + 1) + "'";
    };
    int64_t next = 100000;
    for (int64_t ver = 1; !stop && ver < 200000; ++ver) {
      const int choice = static_cast<int>(rng() % 10);
      std::string key, stmt;
      char op = 'u';
      if (choice < 2) {
        const std::string n = std::to_string(next++);
        static const char* kTables[] = {"k_int", "k_comp", "nokey"};
        const std::string table = kTables[rng() % 3];
        op = 'c';
        if (table == "k_comp") {
          key = "k_comp/7/n" + n;
          stmt = "INSERT INTO pgpar.k_comp VALUES (7, 'n" + n + "', " + std::to_string(ver) + ")";
        } else {
          key = table + "/" + n;
          stmt = "INSERT INTO pgpar." + table + " VALUES (" + n + ", " + std::to_string(ver) + ")";
        }
        keys.push_back(key);
        live[key] = true;
      } else {
        key = keys[rng() % keys.size()];
        if (!live[key]) continue;
        if (choice < 8) {
          stmt = "UPDATE pgpar." + where(key);
          stmt.insert(stmt.find(" WHERE"), " SET ver = " + std::to_string(ver));
        } else {
          op = 'd';
          stmt = "DELETE FROM pgpar." + where(key);
          live[key] = false;
        }
      }
      w.run(stmt);
      {
        std::lock_guard lock(history_mutex);
        auto& h = history[key];
        h.push_back({op, op == 'd' ? h.back().ver : ver});
      }
      ++statements;
      std::this_thread::sleep_for(1ms);
    }
  });
  while (statements < 20) std::this_thread::sleep_for(5ms);

  auto o = options("pgpar\\.(k_int|k_comp|nokey)", slot);
  o.snapshot_parallelism = 2;
  PostgresSource src(o);
  open_or_fail(src, std::monostate{});
  Output out;
  std::set<std::string> nokey_parts;  // the from_keys of the keyless table's splits
  std::set<std::string> int_parts;
  std::vector<SnapshotSegment> segments;
  bool read_done = false;
  int64_t stop_after = -1;
  std::map<std::string, int64_t> want;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(100ms);
    REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
    if (*b) {
      for (const auto& e : (*b)->events) out.add(e);
      if (const auto* sp = std::get_if<SnapshotPosition>(&(*b)->end)) {
        for (const SnapshotSplit& s : sp->splits) {
          if (s.table == "nokey") nokey_parts.insert(s.from_key);
          if (s.table == "k_int") int_parts.insert(s.from_key);
        }
        segments = sp->segments;
        if (!sp->reading) read_done = true;
      }
      if (!read_done) std::this_thread::sleep_for(2ms);
    }
    if (read_done && stop_after < 0) stop_after = statements + 300;
    if (stop_after >= 0 && statements >= stop_after && !stop) {
      stop = true;
      writer.join();
      want = state_of(sql);
    }
    if (stop && out.state == want) break;
  }
  REQUIRE(read_done);
  // Two parts each of the keyless table (at a ctid block) and of the integer key's range.
  CHECK(nokey_parts.size() == 2);
  CHECK(int_parts.size() == 2);
  // Every part was read in the one snapshot the slot exported: one consistent point.
  REQUIRE(!segments.empty());
  for (const auto& seg : segments) {
    CHECK(to_string(to_position(seg.at)) == to_string(to_position(segments.front().at)));
  }
  // The keyless table has one segment, from its start (its parts are places, not keys).
  CHECK(std::count_if(segments.begin(), segments.end(),
                      [](const SnapshotSegment& s) { return s.table == "nokey"; }) == 1);
  CHECK(out.state.size() == want.size());
  CHECK((out.state == want));
  // Each row read at most once; every keyless row the writer never touched read exactly once.
  size_t untouched = 0;
  for (const auto& [key, steps] : out.per_key) {
    INFO("key " << key);
    CHECK(std::count_if(steps.begin(), steps.end(), [](const Step& s) { return s.op == 'r'; }) <=
          1);
    if (key.rfind("nokey/", 0) == 0 && history.at(key) == std::vector<Step>{{'c', 0}}) {
      ++untouched;
      CHECK(steps == std::vector<Step>{{'r', 0}});
    }
  }
  size_t never_touched = 0;
  for (const auto& [key, h] : history) {
    if (key.rfind("nokey/", 0) == 0 && h == std::vector<Step>{{'c', 0}}) ++never_touched;
  }
  CHECK(untouched == never_touched);
  CHECK(never_touched > static_cast<size_t>(nokey_rows) / 2);
  check_histories(out, history);
  CHECK(std::holds_alternative<PostgresPosition>(src.current_position()));
  src.close();
  sql.run("DROP TABLE pgpar.k_int, pgpar.k_comp, pgpar.nokey");
}
