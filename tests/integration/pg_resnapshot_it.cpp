// Re-snapshots while streaming for PostgreSQL (pg_resnapshot.h; ARCHITECTURE.md "Snapshots"),
// against the real PostgreSQL 15, in process: a 20,000-row table is read again while two writers
// insert, update (the key too) and delete, once asked by request_snapshot (the control API's
// call, from another thread) and once by a row of the signal table. The source starts at the
// slot (latest-offset), so the rows reach the output only through the re-snapshots: replayed as
// upserts the output equals the table exactly; per key the stream's events are the writers'
// statements once each, in order, and each `r` row repeats its key's state right before it (a
// row older than a change already delivered, as a window without the skip of touched keys would
// emit, fails here). A second case: REPLICA IDENTITY DEFAULT with a TOASTed column the writer
// never changes: every key's value reaches the output, because a chunk ends before a key whose
// newer update left the value unchanged (skipping it would leave the value unknown). A third: a
// table without a key, read in one pass at a window no unseen change touched. A fourth: tables
// altered and created after the open, read with the stream's version (the catalog's for a new
// table the stream has not seen yet). A fifth: a table without a key changed inside every
// window, given up after the windows allowed, the stream going on.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "cdc/postgres/postgres_source.h"
#include "tests/support/postgres_client.h"
#include "tests/support/postgres_source_options.h"
#include "tests/support/services_env.h"

using namespace cdc;
using namespace cdc::postgres;
using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRows = 20000;

PostgresSourceOptions options(const std::string& slot) {
  PostgresSourceOptions o = services_postgres_source_options("pgresnap\\.t", slot, "resnap-it");
  o.startup_mode = StartupMode::latest_offset;
  o.snapshot_chunk_size = 2500;
  o.max_batch_events = 500;
  o.signal_data_collection = "pgresnap.sig";
  // Transactions the window's snapshot does not see reach the stream before each chunk.
  o.resnapshot_window_pause = 50ms;
  return o;
}

void open_or_fail(PostgresSource& src) {
  auto opened = src.open(Position{});
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
}

// One writer session: `UPDATE pgresnap.t SET ver = <n> WHERE id = <random 1..rows>`, n = 1, 2,
// ..., a `pause` after each, from construction until finish() or destruction (at most 60 s).
class UpdateWriter {
 public:
  UpdateWriter(int64_t rows, std::chrono::milliseconds pause) {
    thread_ = std::thread([this, rows, pause] {
      PgSession ws;
      std::mt19937_64 rng(static_cast<uint64_t>(rows));
      const auto end = Clock::now() + 60s;
      for (int64_t ver = 1; !stop_ && Clock::now() < end; ++ver) {
        ws.run("UPDATE pgresnap.t SET ver = " + std::to_string(ver) +
               " WHERE id = " + std::to_string(1 + static_cast<int64_t>(rng() % rows)));
        ++statements_;
        if (pause.count() > 0) std::this_thread::sleep_for(pause);
      }
    });
  }
  UpdateWriter(const UpdateWriter&) = delete;
  UpdateWriter& operator=(const UpdateWriter&) = delete;
  ~UpdateWriter() { finish(); }
  // The statements committed so far.
  int64_t statements() const { return statements_; }
  // Stops the writer and waits for it; all its statements, committed.
  int64_t finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return statements_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> statements_{0};
  std::thread thread_;
};

// Options of a case on `slot` (its slot and publication dropped first) that reads pgresnap.t
// without the signal table, `pause` between each window's snapshot and its watermark.
PostgresSourceOptions case_options(const std::string& slot, std::chrono::milliseconds pause) {
  drop_slot_and_publication(slot);
  PostgresSourceOptions o = options(slot);
  o.signal_data_collection.clear();
  o.resnapshot_window_pause = pause;
  return o;
}

// A fresh pgresnap.t without a key (REPLICA IDENTITY FULL): rows (g, 0) for g in 1..rows.
void make_keyless_table(PgSession& sql, int rows) {
  sql.run("CREATE SCHEMA IF NOT EXISTS pgresnap");
  sql.run("DROP TABLE IF EXISTS pgresnap.t, pgresnap.sig");
  sql.run("CREATE TABLE pgresnap.t (id bigint NOT NULL, ver bigint NOT NULL)");
  sql.run("ALTER TABLE pgresnap.t REPLICA IDENTITY FULL");
  sql.run("INSERT INTO pgresnap.t SELECT g, 0 FROM generate_series(1, " + std::to_string(rows) +
          ") g");
}

// pgresnap.t as id -> ver (its ids are unique: a key, or make_keyless_table's rows).
std::map<int64_t, int64_t> table_state(PgSession& sql) {
  std::map<int64_t, int64_t> table;
  for (const auto& r : sql.query("SELECT id, ver FROM pgresnap.t"))
    table[std::stoll(*r[0])] = std::stoll(*r[1]);
  return table;
}

// Polls `src` once and hands each row event of the batch (schema changes left out) to `each`.
template <class Each>
void poll_events(PostgresSource& src, Each&& each) {
  auto b = src.poll(100ms);
  REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
  if (!*b) return;
  for (const auto& e : (*b)->events) {
    if (e.op != Op::schema_change) each(e);
  }
}

// Calls `poll_once` until `until` holds, for at most 120 s.
template <class Poll, class Until>
void poll_while_not(Poll&& poll_once, Until&& until, const char* what) {
  const auto deadline = Clock::now() + 120s;
  while (!until()) {
    REQUIRE_MESSAGE(Clock::now() < deadline, "timed out waiting for " << what);
    poll_once();
  }
}

// One step of a key's history: 'c' (insert, or the new key of a key change), 'u', 'd' (delete,
// or the old key of a key change), 'r' (a re-snapshot row); ver = the version written.
struct Step {
  char op;
  int64_t ver;
  friend bool operator==(const Step&, const Step&) = default;
};

std::string text(const std::vector<Step>& steps) {
  std::string out;
  for (const auto& s : steps) out += std::string(1, s.op) + std::to_string(s.ver) + " ";
  return out;
}

}  // namespace

TEST_CASE(
    "postgres re-snapshot while streaming, asked by request_snapshot and by a signal-table row, "
    "under two writers (key changes too): the output equals the table, each change once and in "
    "order, each row read equal to its key's state before it") {
  const std::string slot = "sluice_resnap_it";
  drop_slot_and_publication(slot);
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgresnap");
  sql.run("DROP TABLE IF EXISTS pgresnap.t, pgresnap.sig");
  sql.run("CREATE TABLE pgresnap.t (id bigint PRIMARY KEY, ver bigint NOT NULL, pad text)");
  sql.run("ALTER TABLE pgresnap.t REPLICA IDENTITY FULL");  // deletes carry the version
  sql.run("CREATE TABLE pgresnap.sig (id text PRIMARY KEY, type text NOT NULL, data text)");
  sql.run("INSERT INTO pgresnap.t SELECT g, 0, 'p' || g FROM generate_series(1, " +
          std::to_string(kRows) + ") g");
  const PgSlotGuard guard{slot};

  PostgresSource src(options(slot));
  open_or_fail(src);
  auto refused = src.request_snapshot({TableId{"pgresnap", "sig"}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "re-snapshot of pgresnap.sig: the pipeline does not capture it");

  // Two writers over disjoint keys (key % 2), so each key's statements are in commit order.
  std::map<int64_t, std::vector<Step>> history[2];
  std::atomic<bool> stop{false};
  std::atomic<int64_t> statements{0};
  std::vector<std::thread> writers;
  struct JoinAll {
    std::atomic<bool>& stop;
    std::vector<std::thread>& ts;
    ~JoinAll() {
      stop = true;
      for (auto& t : ts) {
        if (t.joinable()) t.join();
      }
    }
  } join_all{stop, writers};
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      PgSession ws;
      std::mt19937_64 rng(77 + w);
      std::vector<int64_t> live;
      for (int64_t k = 2 - w; k <= kRows; k += 2) live.push_back(k);
      int64_t next_key = 1'000'000 + w;
      auto& h = history[w];
      const auto end = Clock::now() + 120s;
      for (int64_t n = 1; !stop && n <= 100000 && Clock::now() < end; ++n) {
        const int64_t ver = n * 2 + w;
        const int kind = static_cast<int>(rng() % 10);
        const size_t at = rng() % live.size();
        const int64_t k = live[at];
        if (kind < 5) {
          ws.run("UPDATE pgresnap.t SET ver = " + std::to_string(ver) +
                 " WHERE id = " + std::to_string(k));
          h[k].push_back({'u', ver});
        } else if (kind < 7) {
          ws.run("INSERT INTO pgresnap.t VALUES (" + std::to_string(next_key) + ", " +
                 std::to_string(ver) + ", 'new')");
          h[next_key].push_back({'c', ver});
          live.push_back(next_key);
          next_key += 2;
        } else if (kind < 9 && live.size() > 100) {
          ws.run("DELETE FROM pgresnap.t WHERE id = " + std::to_string(k));
          h[k].push_back({'d', 0});
          live[at] = live.back();
          live.pop_back();
        } else {
          // The key changes: the old key's row goes, the new one comes.
          ws.run("UPDATE pgresnap.t SET id = " + std::to_string(next_key) +
                 ", ver = " + std::to_string(ver) + " WHERE id = " + std::to_string(k));
          h[k].push_back({'d', 0});
          h[next_key].push_back({'c', ver});
          live[at] = next_key;
          next_key += 2;
        }
        ++statements;
      }
    });
  }

  std::map<int64_t, std::vector<Step>> out;  // per key, what the source delivered
  std::map<int64_t, int64_t> state;          // replayed as upserts
  size_t reads = 0, changes = 0;
  std::vector<size_t> reads_per_round(2, 0);
  auto poll_once = [&] {
    const uint64_t round = src.snapshot_progress().tables_done;
    poll_events(src, [&](const ChangeEvent& e) {
      REQUIRE(e.schema->id.table == "t");  // no signal row is delivered
      const int64_t before = e.before.present ? e.before[0].i : 0;
      const int64_t after = e.after.present ? e.after[0].i : 0;
      if (e.op == Op::read) {
        CHECK(e.source.snapshot == SnapshotMarker::incremental);
        out[after].push_back({'r', e.after[1].i});
        state[after] = e.after[1].i;
        ++reads;
        if (round < 2) ++reads_per_round[round];
      } else if (e.op == Op::erase || (e.op == Op::update && before != after)) {
        out[before].push_back({'d', 0});
        state.erase(before);
        ++changes;
        if (e.op == Op::update) {
          out[after].push_back({'c', e.after[1].i});
          state[after] = e.after[1].i;
        }
      } else {
        out[after].push_back({e.op == Op::insert ? 'c' : 'u', e.after[1].i});
        state[after] = e.after[1].i;
        ++changes;
      }
    });
  };
  auto poll_until = [&](auto until, const char* what) { poll_while_not(poll_once, until, what); };

  poll_until([&] { return statements >= 200; }, "the writers' first statements");
  std::thread asker([&] { REQUIRE(src.request_snapshot({TableId{"pgresnap", "t"}})); });
  asker.join();
  poll_until([&] { return src.snapshot_progress().tables_done == 1; }, "the first re-snapshot");
  sql.run(
      "INSERT INTO pgresnap.sig VALUES ('resnap-2', 'execute-snapshot', '{\"data-collections\": "
      "[\"pgresnap.t\"], \"type\": \"incremental\"}')");
  poll_until([&] { return src.snapshot_progress().tables_done == 2; }, "the signalled one");
  const int64_t at_end = statements;
  poll_until([&] { return statements >= at_end + 200; }, "statements after the re-snapshots");
  stop = true;
  for (auto& t : writers) t.join();
  const int64_t total = statements;
  poll_until([&] { return static_cast<int64_t>(changes) >= total; }, "every statement");
  for (int i = 0; i < 5; ++i) poll_once();  // nothing more may come

  // The output equals the table.
  const std::map<int64_t, int64_t> table = table_state(sql);
  CHECK(state.size() == table.size());
  CHECK((state == table));
  CHECK(static_cast<int64_t>(changes) == total);

  // Per key: the stream's events are the writers' statements, once each and in order; each `r`
  // repeats the key's state right before it (0 for a row the writers never touched).
  size_t keys_read_twice = 0;
  for (const auto& [key, steps] : out) {
    INFO("key " << key << ": " << text(steps));
    const auto& h = history[key % 2];
    const auto it = h.find(key);
    std::vector<Step> streamed;
    int64_t current = key <= kRows ? 0 : -1;  // -1: no row
    size_t r_count = 0;
    for (const Step& s : steps) {
      if (s.op == 'r') {
        CHECK_MESSAGE(current == s.ver, "a row read at ver " << s.ver << " after ver " << current);
        ++r_count;
        continue;
      }
      streamed.push_back(s);
      current = s.op == 'd' ? -1 : s.ver;
    }
    const std::vector<Step> want = it == h.end() ? std::vector<Step>{} : it->second;
    CHECK_MESSAGE(streamed == want, "history " << text(want));
    CHECK(r_count <= 2);
    if (r_count == 2) ++keys_read_twice;
  }
  // Every original row untouched by the writers was read in both rounds.
  size_t untouched = 0;
  for (int64_t k = 1; k <= kRows; ++k) {
    if (history[k % 2].count(k) != 0) continue;
    ++untouched;
    const auto it = out.find(k);
    REQUIRE(it != out.end());
    CHECK((it->second == std::vector<Step>{{'r', 0}, {'r', 0}}));
  }
  const uint64_t skipped = src.resnapshot_rows_skipped();
  MESSAGE("rows read " << reads << " (rounds " << reads_per_round[0] << " + " << reads_per_round[1]
                       << "), rows skipped (a newer change streamed first) " << skipped
                       << ", windows opened again " << src.resnapshot_windows_reopened()
                       << ", keys read twice " << keys_read_twice << ", untouched keys "
                       << untouched << ", statements " << total);
  CHECK(reads_per_round[0] > 15000);
  CHECK(reads_per_round[1] > 15000);
  // The writers changed rows between a window's snapshot and its watermark: the skip ran.
  CHECK(skipped > 0);
  src.close();
}

TEST_CASE(
    "postgres re-snapshot with REPLICA IDENTITY DEFAULT and a TOASTed column the writer never "
    "changes: a chunk ends before a key whose newer update left the value unchanged, so every "
    "key's value reaches the output (a skip there would leave it unknown)") {
  const std::string slot = "sluice_resnap_toast_it";
  PgSession sql;
  constexpr int kToastRows = 3000;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgresnap");
  sql.run("DROP TABLE IF EXISTS pgresnap.t, pgresnap.sig");
  sql.run("CREATE TABLE pgresnap.t (id bigint PRIMARY KEY, ver bigint NOT NULL, big text)");
  // Out of line and uncompressed: an update that leaves it alone sends it as unchanged ('u').
  sql.run("ALTER TABLE pgresnap.t ALTER COLUMN big SET STORAGE EXTERNAL");
  sql.run(
      "INSERT INTO pgresnap.t SELECT g, 0, repeat(g::text || '-', 1500) FROM "
      "generate_series(1, " +
      std::to_string(kToastRows) + ") g");
  auto o = case_options(slot, 20ms);
  const PgSlotGuard guard{slot};
  o.snapshot_chunk_size = 300;
  PostgresSource src(o);
  open_or_fail(src);

  UpdateWriter writer(kToastRows, 0ms);

  // Replayed as upserts with unchanged columns kept: id -> (ver, big or nullopt when unknown).
  std::map<int64_t, std::pair<int64_t, std::optional<std::string>>> state;
  size_t changes = 0;
  auto poll_once = [&] {
    poll_events(src, [&](const ChangeEvent& e) {
      REQUIRE((e.op == Op::read || e.op == Op::update));
      const int64_t id = e.after[0].i;
      auto& [ver, big] = state[id];
      ver = e.after[1].i;
      const bool unchanged = std::find(e.unchanged_columns.begin(), e.unchanged_columns.end(),
                                       2u) != e.unchanged_columns.end();
      CHECK(unchanged == (e.op == Op::update));
      if (!unchanged) big = std::string(e.after[2].text);
      if (e.op == Op::update) ++changes;
    });
  };
  auto poll_until = [&](auto until, const char* what) { poll_while_not(poll_once, until, what); };
  poll_until([&] { return writer.statements() >= 100; }, "the writer's first statements");
  // Until a round met an update of a key of its chunk between the window's snapshot and its
  // watermark (most rounds do; a slow machine may need another).
  for (uint64_t round = 1; round <= 5 && src.resnapshot_chunks_cut() == 0; ++round) {
    REQUIRE(src.request_snapshot({TableId{"pgresnap", "t"}}));
    poll_until([&] { return src.snapshot_progress().tables_done == round; }, "the re-snapshot");
  }
  const int64_t total = writer.finish();
  poll_until([&] { return static_cast<int64_t>(changes) >= total; }, "every statement");

  std::map<int64_t, std::pair<int64_t, std::optional<std::string>>> table;
  for (const auto& r : sql.query("SELECT id, ver, big FROM pgresnap.t"))
    table[std::stoll(*r[0])] = {std::stoll(*r[1]), *r[2]};
  CHECK(state.size() == table.size());
  size_t unknown = 0;
  for (const auto& [id, row] : state) {
    if (!row.second) ++unknown;
  }
  CHECK(unknown == 0);
  CHECK((state == table));
  MESSAGE("chunks cut before a key with an unchanged TOAST value: "
          << src.resnapshot_chunks_cut() << ", rows skipped " << src.resnapshot_rows_skipped()
          << ", statements " << total);
  CHECK(src.resnapshot_chunks_cut() > 0);
  src.close();
}

TEST_CASE(
    "postgres re-snapshot of a table without a key (REPLICA IDENTITY FULL) under a writer: read in "
    "one pass at a window no unseen change touched (a touched one is opened again), the output "
    "replayed equal to the table") {
  const std::string slot = "sluice_resnap_nokey_it";
  PgSession sql;
  constexpr int kNoKeyRows = 5000;
  make_keyless_table(sql, kNoKeyRows);
  // About one window in three sees an unseen change (opened again), the others do not.
  PostgresSource src(case_options(slot, 2ms));
  const PgSlotGuard guard{slot};
  open_or_fail(src);

  UpdateWriter writer(kNoKeyRows, 10ms);

  std::map<int64_t, int64_t> state;  // id (unique by construction) -> ver
  size_t changes = 0, reads = 0;
  auto poll_once = [&] {
    poll_events(src, [&](const ChangeEvent& e) {
      REQUIRE((e.op == Op::read || e.op == Op::update));
      if (e.op == Op::update) {
        // A change of a row the output has, from the version it has.
        const auto it = state.find(e.before[0].i);
        if (it != state.end()) CHECK(it->second == e.before[1].i);
        ++changes;
      } else {
        ++reads;
      }
      state[e.after[0].i] = e.after[1].i;
    });
  };
  auto poll_until = [&](auto until, const char* what) { poll_while_not(poll_once, until, what); };
  poll_until([&] { return writer.statements() >= 50; }, "the writer's first statements");
  REQUIRE(src.request_snapshot({TableId{"pgresnap", "t"}}));
  poll_until([&] { return src.snapshot_progress().tables_done == 1; }, "the re-snapshot");
  const int64_t total = writer.finish();
  poll_until([&] { return static_cast<int64_t>(changes) >= total; }, "every statement");

  const std::map<int64_t, int64_t> table = table_state(sql);
  CHECK(reads == static_cast<size_t>(kNoKeyRows));  // one pass, each row once
  CHECK((state == table));
  MESSAGE("rows read " << reads << ", windows opened again " << src.resnapshot_windows_reopened()
                       << ", statements " << total);
  src.close();
}

TEST_CASE(
    "postgres re-snapshot of a table created after the source opened, and of one altered after "
    "it: each read with the stream's version at that point (the catalog's for the new table "
    "no change reached yet), every row once with its exact values") {
  const std::string slot = "sluice_resnap_late_it";
  drop_slot_and_publication(slot);
  PgSession sql;
  sql.run("CREATE SCHEMA IF NOT EXISTS pgresnap");
  sql.run("DROP TABLE IF EXISTS pgresnap.late_a, pgresnap.late_b");
  sql.run("CREATE TABLE pgresnap.late_a (id bigint PRIMARY KEY, v text NOT NULL)");
  sql.run("INSERT INTO pgresnap.late_a SELECT g, 'a' || g FROM generate_series(1, 400) g");
  const PgSlotGuard guard{slot};
  PostgresSourceOptions o =
      services_postgres_source_options("pgresnap\\.late_\\w+", slot, "resnap-late-it");
  o.startup_mode = StartupMode::latest_offset;
  o.snapshot_chunk_size = 150;
  o.max_batch_events = 100;
  PostgresSource src(o);
  open_or_fail(src);

  // After the open: late_a gains a column (a row inserted, so its Relation reaches the stream)
  // and late_b is created with rows and no change the stream sees.
  sql.run("ALTER TABLE pgresnap.late_a ADD COLUMN extra int NOT NULL DEFAULT 7");
  sql.run("INSERT INTO pgresnap.late_a VALUES (401, 'a401', 8)");
  sql.run("CREATE TABLE pgresnap.late_b (k text PRIMARY KEY, n numeric(10,2), at date)");
  sql.run(
      "INSERT INTO pgresnap.late_b SELECT 'k' || g, g / 4.0, date '2024-02-28' + g "
      "FROM generate_series(1, 300) g");

  std::map<int64_t, std::pair<std::string, int64_t>> a_reads;      // id -> (v, extra)
  std::map<std::string, std::pair<std::string, int64_t>> b_reads;  // k -> (n, at as YYYYMMDD)
  size_t a_read_events = 0, b_read_events = 0;
  bool a_inserted = false;
  auto poll_once = [&] {
    poll_events(src, [&](const ChangeEvent& e) {
      if (e.op == Op::insert && e.schema->id.table == "late_a") a_inserted = true;
      if (e.op != Op::read) return;
      if (e.schema->id.table == "late_a") {
        // The version with `extra`: the stream's since the ALTER, not the one seeded at open.
        REQUIRE(e.schema->columns.size() == 3);
        ++a_read_events;
        a_reads[e.after[0].i] = {std::string(e.after[1].text), e.after[2].i};
      } else {
        REQUIRE(e.schema->id.table == "late_b");
        REQUIRE(e.schema->columns.size() == 3);
        ++b_read_events;
        b_reads[std::string(e.after[0].text)] = {std::string(e.after[1].text), e.after[2].i};
      }
    });
  };
  auto poll_until = [&](auto until, const char* what) { poll_while_not(poll_once, until, what); };
  poll_until([&] { return a_inserted; }, "the insert after the ALTER");
  REQUIRE(src.request_snapshot({TableId{"pgresnap", "late_a"}, TableId{"pgresnap", "late_b"}}));
  poll_until([&] { return src.snapshot_progress().tables_done == 2; }, "both re-snapshots");

  CHECK(a_read_events == 401);
  CHECK(b_read_events == 300);
  for (const auto& r : sql.query("SELECT id, v, extra FROM pgresnap.late_a")) {
    const int64_t id = std::stoll(*r[0]);
    CHECK_MESSAGE((a_reads[id] == std::pair<std::string, int64_t>{*r[1], std::stoll(*r[2])}),
                  "late_a " << id);
  }
  for (const auto& r :
       sql.query("SELECT k, n::text, to_char(at, 'YYYYMMDD') FROM pgresnap.late_b")) {
    CHECK_MESSAGE((b_reads[*r[0]] == std::pair<std::string, int64_t>{*r[1], std::stoll(*r[2])}),
                  "late_b " << *r[0]);
  }
  src.close();
  sql.run("DROP TABLE pgresnap.late_a, pgresnap.late_b");
}

TEST_CASE(
    "postgres re-snapshot of a table without a key changed inside every window gives up after "
    "the windows allowed (resnapshot_max_reopens), the stream going on with every change; asked "
    "again without the writer, it reads every row once") {
  const std::string slot = "sluice_resnap_giveup_it";
  PgSession sql;
  constexpr int kNoKeyRows = 2000;
  make_keyless_table(sql, kNoKeyRows);
  // The writer commits every millisecond or so, so each window's 40 ms between its snapshot and
  // its watermark holds a change the snapshot does not see: every window is spoiled.
  auto o = case_options(slot, 40ms);
  const PgSlotGuard guard{slot};
  o.resnapshot_max_reopens = 3;
  PostgresSource src(o);
  open_or_fail(src);

  UpdateWriter writer(kNoKeyRows, 0ms);

  std::map<int64_t, int64_t> state;  // id -> ver, from the changes and the reads
  size_t changes = 0, reads = 0;
  auto poll_once = [&] {
    poll_events(src, [&](const ChangeEvent& e) {
      REQUIRE((e.op == Op::read || e.op == Op::update));
      if (e.op == Op::update) ++changes;
      if (e.op == Op::read) ++reads;
      state[e.after[0].i] = e.after[1].i;
    });
  };
  auto poll_until = [&](auto until, const char* what) { poll_while_not(poll_once, until, what); };
  poll_until([&] { return writer.statements() >= 50; }, "the writer's first statements");
  REQUIRE(src.request_snapshot({TableId{"pgresnap", "t"}}));
  poll_until([&] { return src.snapshot_progress().reading; }, "the re-snapshot's start");
  poll_until([&] { return !src.snapshot_progress().reading; }, "the re-snapshot's end");
  // Given up: 3 windows opened again, the fourth spoiled one ended it, no row read.
  CHECK(src.resnapshot_windows_reopened() == 3);
  CHECK(reads == 0);
  CHECK(src.snapshot_progress().tables_done == 0);
  const int64_t at_give_up = writer.statements();
  poll_until([&] { return writer.statements() >= at_give_up + 50; }, "more statements");
  CHECK(src.resnapshot_windows_reopened() == 3);  // no window since
  const int64_t total = writer.finish();
  poll_until([&] { return static_cast<int64_t>(changes) >= total; }, "every statement");
  CHECK(static_cast<int64_t>(changes) == total);

  // Asked again with the table quiet: one pass, each row once, the output equal to the table.
  REQUIRE(src.request_snapshot({TableId{"pgresnap", "t"}}));
  poll_until([&] { return src.snapshot_progress().tables_done == 1; }, "the second re-snapshot");
  const std::map<int64_t, int64_t> table = table_state(sql);
  CHECK(reads == static_cast<size_t>(kNoKeyRows));
  CHECK((state == table));
  MESSAGE("statements " << total << ", windows opened again " << src.resnapshot_windows_reopened());
  src.close();
}
