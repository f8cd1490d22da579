// Snapshots on the real MariaDB 10.11 (ARCHITECTURE.md, "Snapshots"): `initial` over keyed
// tables (integer, composite, string and (DATE, DECIMAL) keys), a table without a key, an empty
// one, a one-row one and one whose rows fit in one chunk, while a writer inserts, updates and
// deletes; a snapshot interrupted and resumed from its position, merged with the stream; a
// re-snapshot while streaming (asked by request_snapshot and by a signal-table row); and the type
// matrix, whose snapshot values must equal its binlog values byte for byte.
//
// Exactly once is checked per change: every writer statement has a unique version number
// (`ver`), and its binlog end position is recorded. The statements that ended at or before
// the snapshot's position are in the rows read; each later one must reach the output exactly
// once (inserts/updates by their ver, deletes by key and the ver they deleted), and the output
// replayed as upserts must equal the tables.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cdc/mysql/mysql_source.h"
#include "cdc/snapshot/snapshot_key.h"
#include "tests/integration/type_matrix_columns.h"
#include "tests/support/collect_events.h"
#include "tests/support/join_on_exit.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"

namespace cdc::mysql {
namespace {

using cdc::testing::MariaDbSession;
using Clock = std::chrono::steady_clock;

constexpr const char* kDb = "sluice_snap";

// A binlog position as (file index, offset): what a statement's end is compared by.
struct Pos {
  uint64_t file = 0;
  uint64_t offset = 0;
  friend auto operator<=>(const Pos&, const Pos&) = default;
};

Pos master_position(MariaDbSession& sql) {
  auto rows = sql.query("SHOW MASTER STATUS");
  REQUIRE(!rows.empty());
  return {binlog_file_index(*rows[0][0]), std::stoull(*rows[0][1])};
}

Pos pos_of(const MysqlPosition& p) { return {binlog_file_index(p.binlog.file), p.binlog.offset}; }
Pos pos_of(const StreamPoint& p) { return pos_of(std::get<MysqlPosition>(p)); }

std::string text(const Value& v) {
  switch (v.kind) {
    case ValueKind::null: return "NULL";
    case ValueKind::int64: return std::to_string(v.i);
    case ValueKind::uint64: return std::to_string(v.u);
    case ValueKind::string:
    case ValueKind::decimal: return std::string(v.text);
    case ValueKind::date: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(v.i / 10000),
                    static_cast<long long>(v.i / 100 % 100), static_cast<long long>(v.i % 100));
      return buf;
    }
    default: return "<" + std::string(to_string(v.kind)) + ">";
  }
}

// A table's rows as key text -> row text ("a|b|c"); the key is the given columns' texts.
using Rows = std::map<std::string, std::string>;

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "|" : "") + parts[i];
  return out;
}

Rows server_rows(MariaDbSession& sql, const std::string& table, size_t key_columns) {
  Rows out;
  for (const auto& row : sql.query("SELECT * FROM " + std::string(kDb) + "." + table)) {
    std::vector<std::string> all, key;
    for (size_t i = 0; i < row.size(); ++i) {
      all.push_back(row[i].value_or("NULL"));
      if (i < key_columns) key.push_back(all.back());
    }
    out[join(key)] = join(all);
  }
  return out;
}

std::string row_text(const RowImage& r) {
  std::vector<std::string> all;
  for (const Value& v : r.values()) all.push_back(text(v));
  return join(all);
}

std::string key_text(const RowImage& r, size_t key_columns) {
  std::vector<std::string> key;
  for (size_t i = 0; i < key_columns; ++i) key.push_back(text(r[i]));
  return join(key);
}

// One writer statement: what it did and where it ended in the binlog.
struct WriterOp {
  int64_t ver = 0;
  std::string table;
  std::string key;
  Op op = Op::insert;
  int64_t prev_ver = 0;  // update/delete: the ver it replaced or removed
  Pos end;
};

// A keyed table the writer changes: its keys in use with their ver, and how a key is spelled.
struct WrittenTable {
  std::string name;
  size_t key_columns = 1;
  std::map<int64_t, int64_t> ver_of;  // key number -> ver
  int64_t next_key = 0;
  // Key number -> the SQL of its key columns' values, and -> key_text().
  std::string sql_values(int64_t k) const {
    if (name == "t_comp") return std::to_string(k / 10) + ", 'k" + std::to_string(k % 10) + "'";
    if (name == "t_str") return "'key-" + std::to_string(100000 + k) + "'";
    return std::to_string(k);
  }
  std::string where(int64_t k) const {
    if (name == "t_comp") {
      return "a = " + std::to_string(k / 10) + " AND b = 'k" + std::to_string(k % 10) + "'";
    }
    if (name == "t_str") return "k = 'key-" + std::to_string(100000 + k) + "'";
    return "id = " + std::to_string(k);
  }
  std::string key(int64_t k) const {
    if (name == "t_comp") return std::to_string(k / 10) + "|k" + std::to_string(k % 10);
    if (name == "t_str") return "key-" + std::to_string(100000 + k);
    return std::to_string(k);
  }
};

void create_table(MariaDbSession& sql, WrittenTable& t, int64_t rows) {
  const std::string full = std::string(kDb) + "." + t.name;
  sql.run("DROP TABLE IF EXISTS " + full);
  if (t.name == "t_comp") {
    sql.run("CREATE TABLE " + full +
            " (a INT NOT NULL, b VARCHAR(20) NOT NULL, ver BIGINT, PRIMARY KEY (a, b))");
    t.key_columns = 2;
  } else if (t.name == "t_str") {
    sql.run("CREATE TABLE " + full + " (k VARCHAR(40) NOT NULL PRIMARY KEY, ver BIGINT)");
  } else {
    sql.run("CREATE TABLE " + full + " (id INT NOT NULL PRIMARY KEY, ver BIGINT)");
  }
  for (int64_t k = 0; k < rows;) {
    std::string q = "INSERT INTO " + full + " VALUES ";
    for (int n = 0; n < 500 && k < rows; ++n, ++k) {
      q += (n ? ", (" : "(") + t.sql_values(k) + ", 0)";
      t.ver_of[k] = 0;
    }
    sql.run(q);
  }
  t.next_key = rows;
}

// One random statement on `t` (insert a new key, update or delete one in use), recorded.
WriterOp write_one(MariaDbSession& sql, WrittenTable& t, int64_t ver, std::mt19937_64& rng) {
  WriterOp op;
  op.ver = ver;
  op.table = t.name;
  const std::string full = std::string(kDb) + "." + t.name;
  const int choice = static_cast<int>(rng() % 10);
  if (choice < 3 || t.ver_of.size() < 10) {
    const int64_t k = t.next_key++;
    sql.run("INSERT INTO " + full + " VALUES (" + t.sql_values(k) + ", " + std::to_string(ver) +
            ")");
    op.op = Op::insert;
    op.key = t.key(k);
    t.ver_of[k] = ver;
  } else {
    auto it = t.ver_of.lower_bound(static_cast<int64_t>(rng() % static_cast<uint64_t>(t.next_key)));
    if (it == t.ver_of.end()) it = t.ver_of.begin();
    const int64_t k = it->first;
    op.key = t.key(k);
    op.prev_ver = it->second;
    if (choice < 8) {
      sql.run("UPDATE " + full + " SET ver = " + std::to_string(ver) + " WHERE " + t.where(k));
      op.op = Op::update;
      it->second = ver;
    } else {
      sql.run("DELETE FROM " + full + " WHERE " + t.where(k));
      op.op = Op::erase;
      t.ver_of.erase(it);
    }
  }
  op.end = master_position(sql);
  return op;
}

// The output of a source: read rows and stream changes per table, replayed as upserts.
struct Replay {
  std::map<std::string, Rows> state;
  std::map<std::string, size_t> reads;        // per table
  std::multiset<int64_t> stream_vers;         // inserts and updates, by the ver they wrote
  std::multiset<std::string> stream_deletes;  // "table|key|ver deleted"
  std::vector<std::string> nopk_rows;

  std::vector<std::string> ddl;  // schema changes, "table|statement"

  void apply(const ChangeEvent& e, const std::map<std::string, size_t>& key_columns) {
    const std::string table = e.schema->id.table;
    if (e.op == Op::schema_change) {
      ddl.push_back(table + "|" + std::string(e.source.query));
      return;
    }
    if (table == "t_nopk") {
      REQUIRE(e.op == Op::read);
      nopk_rows.push_back(row_text(e.after));
      return;
    }
    const size_t kc = key_columns.at(table);
    const size_t ver_col = kc;  // the column after the key
    switch (e.op) {
      case Op::read:
        ++reads[table];
        state[table][key_text(e.after, kc)] = row_text(e.after);
        break;
      case Op::insert:
      case Op::update:
        stream_vers.insert(e.after[ver_col].i);
        state[table][key_text(e.after, kc)] = row_text(e.after);
        break;
      case Op::erase:
        stream_deletes.insert(table + "|" + key_text(e.before, kc) + "|" +
                              std::to_string(e.before[ver_col].i));
        state[table].erase(key_text(e.before, kc));
        break;
      default: FAIL("unexpected op " << static_cast<char>(e.op));
    }
  }
};

bool snapshot_read(const Position& p) {
  const auto* sp = std::get_if<SnapshotPosition>(&p);
  return sp == nullptr || !sp->reading;
}

// Polls `src` into `replay` until `until` holds after a poll or `timeout` passes.
template <class Until>
void drain(MysqlSource& src, Replay& replay, const std::map<std::string, size_t>& key_columns,
           Until until, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto b = src.poll(std::chrono::milliseconds(100));
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (*b) {
      for (const auto& e : (*b)->events) replay.apply(e, key_columns);
    }
    if (until()) return;
  }
  FAIL("timed out");
}

// Polls `src` until its position is a plain binlog position: the snapshot and every
// re-snapshot are done, and the stream has passed the snapshot's filter.
void drain_to_stream(MysqlSource& src, Replay& replay,
                     const std::map<std::string, size_t>& key_columns,
                     std::chrono::seconds timeout) {
  drain(
      src, replay, key_columns,
      [&] { return std::holds_alternative<MysqlPosition>(src.current_position()); }, timeout);
}

// Polls `src` until its snapshot is read; returns the segments of its last SnapshotPosition.
std::vector<SnapshotSegment> drain_snapshot(MysqlSource& src, Replay& replay,
                                            const std::map<std::string, size_t>& key_columns,
                                            std::chrono::seconds timeout) {
  std::vector<SnapshotSegment> segments;
  drain(
      src, replay, key_columns,
      [&] {
        const Position p = src.current_position();
        if (const auto* s = std::get_if<SnapshotPosition>(&p)) segments = s->segments;
        return snapshot_read(p);
      },
      timeout);
  return segments;
}

// A writer thread of a test, and the statement count to let it reach before it is stopped.
struct RunningWriter {
  std::atomic<bool>& stop;
  std::thread& thread;
  const std::atomic<int64_t>& done_ops;
  const std::atomic<bool>& done;
  int64_t stop_after;
};

// Lets the writer go on to its count, stops it, streams to the binlog's end (past the snapshot:
// a plain binlog position again) and compares each table's replayed state with the server's.
void stream_to_end(MariaDbSession& sql, MysqlSource& src, Replay& replay,
                   const std::map<std::string, size_t>& key_columns, RunningWriter w) {
  while (w.done_ops < w.stop_after && !w.done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  w.stop = true;
  w.thread.join();
  const Pos last = master_position(sql);
  drain(
      src, replay, key_columns, [&] { return pos_of(src.position()) >= last; },
      std::chrono::seconds(60));
  CHECK(std::holds_alternative<MysqlPosition>(src.current_position()));
  for (const auto& [table, kc] : key_columns) {
    INFO("table " << table);
    const Rows want = server_rows(sql, table, kc);
    CHECK(replay.state[table].size() == want.size());
    CHECK((replay.state[table] == want));
  }
}

// `read_at(op)`: the position the rows of op's key were read at.
template <class ReadAt>
void check_exactly_once(const Replay& replay, const std::vector<WriterOp>& ops, ReadAt read_at) {
  std::multiset<int64_t> want_vers;
  std::multiset<std::string> want_deletes;
  size_t before = 0;
  for (const auto& op : ops) {
    if (op.end <= read_at(op)) {
      ++before;
      continue;
    }
    if (op.op == Op::erase) {
      want_deletes.insert(op.table + "|" + op.key + "|" + std::to_string(op.prev_ver));
    } else {
      want_vers.insert(op.ver);
    }
  }
  MESSAGE("writer statements: " << ops.size() << ", in the snapshot: " << before
                                << ", after it: " << ops.size() - before);
  CHECK(replay.stream_vers == want_vers);
  CHECK(replay.stream_deletes == want_deletes);
}

// Where the rows of (table, key) were read: the segment holding it, the last of the table's
// segments starting before the key (only integer keys are split by parallel connections; a
// table read whole has one segment).
Pos read_at(const std::vector<SnapshotSegment>& segments, const std::string& table,
            const std::string& key) {
  std::optional<Pos> found;
  for (const auto& seg : segments) {
    if (seg.table != table) continue;
    if (!seg.from_key.empty()) {
      auto from = snapshot::decode_key(seg.from_key);
      REQUIRE(from);
      REQUIRE(from->size() == 1);
      if (std::stoll(key) <= (*from)[0].i) break;
    }
    found = pos_of(seg.at);
  }
  REQUIRE_MESSAGE(found, "no segment holds " << table << " " << key);
  return *found;
}

// check_exactly_once with each key read where its segment was (one segment: every key there).
void check_exactly_once_by_segment(const Replay& replay, const std::vector<WriterOp>& ops,
                                   const std::vector<SnapshotSegment>& segments) {
  check_exactly_once(replay, ops, [&](const WriterOp& op) {
    return segments.size() == 1 ? pos_of(segments[0].at) : read_at(segments, op.table, op.key);
  });
}

// `initial` over every table shape while a writer changes them, read by `parallelism`
// connections: each table (each split of an integer-keyed one) at its own position.
void initial_under_writer(uint32_t parallelism, uint32_t server_id, const std::string& name) {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  const char* big = std::getenv("SLUICE_SNAPSHOT_IT_ROWS");  // e.g. 250000 (x4 tables = 1M)
  const int64_t rows = big ? std::stoll(big) : 5000;
  std::vector<WrittenTable> written{{"t_int"}, {"t_comp"}, {"t_str"}, {"t_int2"}};
  for (auto& t : written) create_table(sql, t, rows);
  WrittenTable empty{"t_empty"}, one{"t_one"}, small{"t_small"};
  create_table(sql, empty, 0);
  create_table(sql, one, 1);
  create_table(sql, small, 30);
  sql.run("DROP TABLE IF EXISTS sluice_snap.t_nopk");
  sql.run("CREATE TABLE sluice_snap.t_nopk (x INT, ver BIGINT)");
  sql.run("INSERT INTO sluice_snap.t_nopk SELECT seq % 7, seq FROM sluice_snap.seq_1_to_300");
  // A (DATE, DECIMAL) key: 250 rows, 10 per date, in chunks of 100 that end inside a date.
  sql.run("DROP TABLE IF EXISTS sluice_snap.t_datedec");
  sql.run(
      "CREATE TABLE sluice_snap.t_datedec (d DATE NOT NULL, x DECIMAL(10,2) NOT NULL, ver BIGINT, "
      "PRIMARY KEY (d, x))");
  sql.run(
      "INSERT INTO sluice_snap.t_datedec SELECT '2024-02-20' + INTERVAL (seq DIV 10) DAY, "
      "(seq % 10) * 1.25 - 3, 0 FROM sluice_snap.seq_0_to_249");
  std::map<std::string, size_t> key_columns{
      {"t_empty", 1}, {"t_one", 1}, {"t_small", 1}, {"t_datedec", 2}};
  for (const auto& t : written) key_columns[t.name] = t.key_columns;

  // The writer runs before, during and after the snapshot.
  std::vector<WriterOp> ops;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done_ops{0};
  std::atomic<bool> writer_done{false};
  std::thread writer;
  cdc::testing::JoinOnExit joiner{stop, writer};
  writer = std::thread([&] {
    MariaDbSession w;
    std::mt19937_64 rng(14);
    const auto end = Clock::now() + std::chrono::seconds(600);
    for (int64_t ver = 1; !stop && ver <= 100000 && Clock::now() < end; ++ver) {
      ops.push_back(write_one(w, written[static_cast<size_t>(ver) % written.size()], ver, rng));
      done_ops = ver;
    }
    writer_done = true;
  });
  while (done_ops < 20 && !writer_done) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // The server's count of lock statements (FLUSH TABLES [WITH READ LOCK], LOCK TABLES, BACKUP
  // STAGE's BACKUP LOCK), whoever sends them: the snapshot must add none.
  auto lock_statements = [&] {
    std::map<std::string, std::string> out;
    for (const auto& r :
         sql.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_flush', 'Com_lock_tables', "
                   "'Com_backup_lock', 'Com_backup')")) {
      out[*r[0]] = *r[1];
    }
    return out;
  };
  const auto locks_before = lock_statements();
  CHECK(locks_before.size() >= 3);

  auto opts = cdc::testing::services_mysql_source_options(server_id, name);
  opts.table_include = {"sluice_snap\\.t_.*"};
  opts.startup_mode = StartupMode::initial;
  opts.snapshot_chunk_size = 100;
  opts.max_batch_events = 256;
  opts.snapshot_parallelism = parallelism;
  MysqlSource src(opts);
  auto opened = src.open(Position{});
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
  const Position at_open = src.current_position();
  const auto* sp = std::get_if<SnapshotPosition>(&at_open);
  REQUIRE(sp != nullptr);
  // One connection: one consistent read, opened by open(); N: one per split, as they start.
  if (parallelism == 1) REQUIRE(sp->segments.size() == 1);
  const int64_t ops_at_open = done_ops;

  Replay replay;
  const std::vector<SnapshotSegment> segments =
      drain_snapshot(src, replay, key_columns, std::chrono::seconds(300));
  const int64_t ops_at_read = done_ops;
  // Lock time 0 on MariaDB: no lock statement reached the server during the snapshot.
  CHECK((lock_statements() == locks_before));
  MESSAGE("writer statements at open: " << ops_at_open
                                        << ", when the snapshot was read: " << ops_at_read);
  // Changes went on while the snapshot was read, and go on after it.
  CHECK(ops_at_read > ops_at_open);
  stream_to_end(sql, src, replay, key_columns,
                {stop, writer, done_ops, writer_done, ops_at_read + 200});
  CHECK(replay.reads["t_empty"] == 0);
  CHECK(replay.reads["t_one"] == 1);
  CHECK(replay.reads["t_small"] == 30);
  CHECK(replay.reads["t_datedec"] == 250);
  std::multiset<std::string> nopk(replay.nopk_rows.begin(), replay.nopk_rows.end());
  std::multiset<std::string> nopk_want;
  for (const auto& [key, row] : server_rows(sql, "t_nopk", 2)) nopk_want.insert(row);
  CHECK(replay.nopk_rows.size() == 300);
  CHECK((nopk == nopk_want));
  if (parallelism == 1) {
    REQUIRE(segments.size() == 1);
  } else {
    // The integer-keyed tables were split between the connections, the others read whole.
    std::map<std::string, int> per_table;
    for (const auto& seg : segments) ++per_table[seg.table];
    CHECK(per_table["t_int"] == static_cast<int>(parallelism));
    CHECK(per_table["t_int2"] == static_cast<int>(parallelism));
    CHECK(per_table["t_comp"] == 1);
    CHECK(per_table["t_str"] == 1);
    CHECK(per_table["t_nopk"] == 1);
  }
  check_exactly_once_by_segment(replay, ops, segments);
  src.close();
}

TEST_CASE(
    "initial: keyed, composite, string, keyless, empty, one-row and one-chunk tables "
    "while a writer changes them: exact state, each change after the snapshot once") {
  initial_under_writer(1, 54401, "snap-initial");
}

TEST_CASE(
    "initial read by 2 connections (scan.snapshot.parallelism), each split at its own "
    "position, while a writer changes the tables: exact state, each change after its key's "
    "read once") {
  initial_under_writer(2, 54406, "snap-initial-2");
}

// A snapshot stopped after 320 rows and resumed in a second consistent read, changes between and
// after the two reads. `backfill_skip` (scan.incremental.snapshot.backfill.skip): the changes
// the second read holds are streamed as well.
void resumed_snapshot(bool backfill_skip, uint32_t server_id, const std::string& name) {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  WrittenTable t{"r_int"};
  create_table(sql, t, 2000);
  const std::map<std::string, size_t> key_columns{{"r_int", 1}};

  auto opts = cdc::testing::services_mysql_source_options(server_id, name);
  opts.snapshot_backfill_skip = backfill_skip;
  opts.table_include = {"sluice_snap\\.r_int"};
  opts.startup_mode = StartupMode::initial;
  opts.snapshot_chunk_size = 50;
  opts.max_batch_events = 64;
  Replay replay;
  Position stopped;
  Pos first_at;
  {
    MysqlSource a(opts);
    REQUIRE(a.open(Position{}));
    first_at = pos_of(std::get<MysqlPosition>(
        std::get<SnapshotPosition>(a.current_position()).segments.at(0).at));
    for (int n = 0; n < 5;) {
      auto b = a.poll(std::chrono::milliseconds(100));
      REQUIRE(b);
      if (!*b) continue;
      for (const auto& e : (*b)->events) replay.apply(e, key_columns);
      ++n;
    }
    stopped = a.current_position();
    a.close();
  }
  REQUIRE(replay.reads["r_int"] == 320);  // 5 batches of 64: keys 0..319 delivered
  const auto& at_stop = std::get<SnapshotPosition>(stopped);
  CHECK(at_stop.reading);
  CHECK(at_stop.table == "r_int");

  // Between the two consistent reads: changes to keys delivered (< 320) and not yet (>= 320).
  std::vector<WriterOp> ops;
  auto change = [&](Op op, int64_t k, int64_t ver) {
    WriterOp w{ver, "r_int", std::to_string(k), op, 0, {}};
    const std::string full = std::string(kDb) + ".r_int";
    if (op == Op::insert) {
      sql.run("INSERT INTO " + full + " VALUES (" + std::to_string(k) + ", " + std::to_string(ver) +
              ")");
      t.ver_of[k] = ver;
    } else {
      w.prev_ver = t.ver_of.at(k);
      if (op == Op::update) {
        sql.run("UPDATE " + full + " SET ver = " + std::to_string(ver) +
                " WHERE id = " + std::to_string(k));
        t.ver_of[k] = ver;
      } else {
        sql.run("DELETE FROM " + full + " WHERE id = " + std::to_string(k));
        t.ver_of.erase(k);
      }
    }
    w.end = master_position(sql);
    ops.push_back(w);
  };
  change(Op::update, 10, 1);    // delivered key: the stream must bring it
  change(Op::erase, 20, 2);     // delivered key
  change(Op::update, 319, 3);   // the last delivered key
  change(Op::update, 320, 4);   // the first key not delivered: in the second read
  change(Op::update, 1500, 5);  // not delivered
  change(Op::erase, 1600, 6);   // not delivered
  change(Op::insert, 2500, 7);  // a new key after the cursor
  change(Op::insert, -1, 8);    // a new key before the cursor: stream

  MysqlSource b(opts);
  auto opened = b.open(stopped);
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
  const Position resumed_at = b.current_position();
  const auto& resumed = std::get<SnapshotPosition>(resumed_at);
  REQUIRE(resumed.segments.size() == 2);
  const Pos second_at = pos_of(std::get<MysqlPosition>(resumed.segments[1].at));
  CHECK(second_at > first_at);
  CHECK(!resumed.segments[1].from_key.empty());
  drain(
      b, replay, key_columns, [&] { return snapshot_read(b.current_position()); },
      std::chrono::seconds(60));
  change(Op::update, 5, 9);  // after both reads: the stream must bring each
  change(Op::update, 1700, 10);
  const Pos last = master_position(sql);
  drain(
      b, replay, key_columns, [&] { return pos_of(b.position()) >= last; },
      std::chrono::seconds(60));
  CHECK(std::holds_alternative<MysqlPosition>(b.current_position()));

  CHECK((replay.state["r_int"] == server_rows(sql, "r_int", 1)));
  if (backfill_skip) {
    // Every change from the first read on, also 4..7, which the second read holds.
    CHECK(replay.stream_vers == std::multiset<int64_t>{1, 3, 4, 5, 7, 8, 9, 10});
    CHECK(replay.stream_deletes == std::multiset<std::string>{"r_int|20|0", "r_int|1600|0"});
  } else {
    // Per key, by segment: keys < 320 were read at the first position, so their changes from
    // it on stream; keys >= 320 were read at the second, which holds changes 4..7.
    CHECK(replay.stream_vers == std::multiset<int64_t>{1, 3, 8, 9, 10});
    CHECK(replay.stream_deletes == std::multiset<std::string>{"r_int|20|0"});
  }
  // 2000 rows: 320 read before the stop, then 1680 - 1 deleted + 1 inserted after the stop.
  CHECK(replay.reads["r_int"] == 320 + 1680);
  b.close();
}

TEST_CASE(
    "a snapshot resumed from its position: a second consistent read, the stream merged "
    "by key with each segment, every change once") {
  resumed_snapshot(false, 54402, "snap-resume");
}

TEST_CASE(
    "scan.incremental.snapshot.backfill.skip: a resumed snapshot streams every change from its "
    "first read, those the second read holds too (at least once), the final state exact") {
  resumed_snapshot(true, 54425, "snap-resume-skip");
}

// One `r` row of a re-snapshot: its key, its ver, the window it was read at, and which
// request (round) it answered.
struct ReRead {
  int64_t key = 0;
  int64_t ver = 0;
  Pos window;
  uint64_t round = 0;
};

TEST_CASE(
    "re-snapshot while streaming, asked by request_snapshot and by a signal-table row, while a "
    "writer changes the table: each row once at its window, no change lost or reordered") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  WrittenTable t{"rs_int"};
  create_table(sql, t, 3000);
  sql.run("DROP TABLE IF EXISTS sluice_snap.sluice_signal");
  sql.run(
      "CREATE TABLE sluice_snap.sluice_signal (id VARCHAR(64) NOT NULL PRIMARY KEY, type "
      "VARCHAR(32) NOT NULL, data TEXT)");
  const std::map<std::string, size_t> key_columns{{"rs_int", 1}};
  const std::map<int64_t, int64_t> initial = t.ver_of;

  auto opts = cdc::testing::services_mysql_source_options(54405, "snap-resnapshot");
  opts.table_include = {"sluice_snap\\.rs_int"};  // the signal table is not captured
  opts.signal_data_collection = "sluice_snap.sluice_signal";
  opts.snapshot_chunk_size = 100;
  opts.max_batch_events = 64;
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));  // latest-offset: streaming only, the rows are not read
  const Pos open_at = pos_of(src.position());

  // Not captured, and refused at once with the table named.
  auto refused = src.request_snapshot({TableId{"sluice_snap", "sluice_signal"}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::invalid_config);
  CHECK(refused.error().message ==
        "re-snapshot of sluice_snap.sluice_signal: the pipeline does not capture it");

  // One writer session for every statement (the signal row too), so each statement's recorded
  // end is exactly its transaction's end.
  std::vector<WriterOp> ops;
  std::atomic<bool> stop{false}, send_signal{false}, signal_sent{false};
  std::atomic<int64_t> done_ops{0};
  std::thread writer;
  cdc::testing::JoinOnExit joiner{stop, writer};
  writer = std::thread([&] {
    MariaDbSession w;
    std::mt19937_64 rng(1414);
    const auto end = Clock::now() + std::chrono::seconds(300);
    for (int64_t ver = 1; !stop && ver <= 200000 && Clock::now() < end; ++ver) {
      ops.push_back(write_one(w, t, ver, rng));
      done_ops = ver;
      if (send_signal && !signal_sent) {
        w.run(
            "INSERT INTO sluice_snap.sluice_signal VALUES ('resnap-2', 'execute-snapshot', "
            "'{\"data-collections\": [\"sluice_snap.rs_int\"], \"type\": \"incremental\"}')");
        signal_sent = true;
      }
    }
  });

  Replay replay;
  std::vector<ReRead> reads;
  // Per key, the vers of the output in order (a delete as -1): must never go back.
  std::map<int64_t, std::vector<int64_t>> history;
  auto poll_once = [&] {
    const uint64_t round = src.snapshot_progress().tables_done;
    auto b = src.poll(std::chrono::milliseconds(100));
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (!*b) return;
    for (const auto& e : (*b)->events) {
      REQUIRE(e.schema->id.table == "rs_int");  // no signal row is delivered
      replay.apply(e, key_columns);
      if (e.op == Op::read) {
        CHECK(e.source.snapshot == SnapshotMarker::incremental);
        const auto& at = std::get<BinlogEventPosition>(e.source.at);
        reads.push_back(
            {e.after[0].i, e.after[1].i, {binlog_file_index(at.file), value(at.offset)}, round});
      }
      const int64_t key = e.op == Op::erase ? e.before[0].i : e.after[0].i;
      history[key].push_back(e.op == Op::erase ? -1 : e.after[1].i);
    }
  };
  auto poll_until = [&](auto until, const char* what) {
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (!until()) {
      REQUIRE_MESSAGE(Clock::now() < deadline, "timed out waiting for " << what);
      poll_once();
    }
  };

  poll_until([&] { return done_ops >= 100; }, "the writer's first statements");
  // The API path, from another thread than the reader's.
  std::thread asker([&] { REQUIRE(src.request_snapshot({TableId{"sluice_snap", "rs_int"}})); });
  asker.join();
  poll_until([&] { return src.snapshot_progress().tables_done == 1; }, "the first re-snapshot");
  send_signal = true;
  poll_until([&] { return src.snapshot_progress().tables_done == 2; }, "the signalled one");
  CHECK(signal_sent);
  const int64_t ops_at_end = done_ops;
  poll_until([&] { return done_ops >= ops_at_end + 100; }, "statements after the re-snapshots");
  stop = true;
  writer.join();
  const Pos last = master_position(sql);
  poll_until([&] { return pos_of(src.position()) >= last; }, "the stream's end");

  // The stream: every statement after the open exactly once; the state exact.
  check_exactly_once(replay, ops, [&](const WriterOp&) { return open_at; });
  CHECK((replay.state["rs_int"] == server_rows(sql, "rs_int", 1)));

  // Each key's vers never go back (an `r` row after a newer change, or a change before W after
  // the row read at W, would), and nothing follows a delete (keys are never reused).
  for (const auto& [key, vers] : history) {
    INFO("key " << key);
    for (size_t i = 1; i < vers.size(); ++i) {
      CHECK(vers[i - 1] != -1);
      if (vers[i] != -1) CHECK(vers[i - 1] <= vers[i]);
    }
  }

  // The table at each window, from the writer's statements: an `r` row must be its key's
  // state at its window, and no key that existed at the windows around it may be missing.
  auto state_at = [&](Pos w) {
    std::map<int64_t, int64_t> s = initial;
    for (const auto& op : ops) {
      if (op.end > w) break;
      const int64_t k = std::stoll(op.key);
      if (op.op == Op::erase) {
        s.erase(k);
      } else {
        s[k] = op.ver;
      }
    }
    return s;
  };
  std::map<Pos, std::map<int64_t, int64_t>> states;
  for (const auto& r : reads) {
    if (!states.count(r.window)) states[r.window] = state_at(r.window);
  }
  size_t windows_per_round[2] = {0, 0};
  size_t writes_inside_round[2] = {0, 0};
  for (uint64_t round : {0, 1}) {
    INFO("round " << round);
    std::vector<ReRead> got;
    for (const auto& r : reads) {
      if (r.round == round) got.push_back(r);
    }
    REQUIRE(got.size() > 2000);
    std::set<Pos> windows;
    for (size_t i = 0; i < got.size(); ++i) {
      const ReRead& r = got[i];
      windows.insert(r.window);
      const auto& s = states.at(r.window);
      auto it = s.find(r.key);
      REQUIRE_MESSAGE(it != s.end(), "key " << r.key << " read but absent at its window");
      CHECK_MESSAGE(it->second == r.ver, "key " << r.key << " read with ver " << r.ver
                                                << ", its ver at the window is " << it->second);
      if (i > 0) {
        REQUIRE(got[i - 1].key < r.key);  // key order, each key once
        CHECK(got[i - 1].window <= r.window);
        // A key between two rows read that existed at both their windows was lost.
        const auto& before = states.at(got[i - 1].window);
        for (auto k = s.upper_bound(got[i - 1].key); k != s.end() && k->first < r.key; ++k) {
          CHECK_MESSAGE(!before.count(k->first), "key " << k->first << " missed");
        }
      }
    }
    // Nothing before the first row or after the last one existed at their windows.
    const auto& first = states.at(got.front().window);
    CHECK(first.begin()->first == got.front().key);
    const auto& final_state = states.at(got.back().window);
    CHECK(final_state.rbegin()->first == got.back().key);
    windows_per_round[round] = windows.size();
    for (const auto& op : ops) {
      if (op.end > *windows.begin() && op.end <= *windows.rbegin()) ++writes_inside_round[round];
    }
  }
  MESSAGE("re-snapshot rows: " << reads.size() << " in 2 rounds, distinct windows "
                               << windows_per_round[0] << " + " << windows_per_round[1]
                               << ", writer statements between a round's first and last window "
                               << writes_inside_round[0] << " + " << writes_inside_round[1]
                               << "; writer statements " << ops.size());
  // The writer changed the table while each round was read: its chunks were read at
  // different positions, merged with a moving stream.
  CHECK(writes_inside_round[0] > 0);
  CHECK(writes_inside_round[1] > 0);
  src.close();
}

TEST_CASE(
    "the type matrix: each snapshot value equals the binlog value of the same row, "
    "and snapshot mode ends after the snapshot") {
  MariaDbSession sql;
  sql.run("SET time_zone = '+00:00'");
  sql.run("SET sql_mode = 'STRICT_ALL_TABLES'");
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  const auto cols = matrix();
  std::string ddl = "CREATE TABLE sluice_snap.matrix (id INT NOT NULL PRIMARY KEY";
  for (const auto& c : cols) ddl += ", `" + c.name + "` " + c.type;
  sql.run("DROP TABLE IF EXISTS sluice_snap.matrix");
  sql.run(ddl + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");

  auto opts = cdc::testing::services_mysql_source_options(54403, "snap-matrix");
  opts.table_include = {"sluice_snap\\.matrix"};
  MysqlSource stream(opts);
  REQUIRE(stream.open(Position{}));
  for (size_t set = 0; set < kValueSets; ++set) {
    std::string q = "INSERT INTO sluice_snap.matrix VALUES (" + std::to_string(set);
    for (const auto& c : cols) q += ", " + c.values[set];
    sql.run(q + ")");
  }
  cdc::testing::Collected binlog;
  cdc::testing::collect(stream, binlog, kValueSets, "matrix", std::chrono::seconds(30));
  stream.close();

  auto snap_opts = cdc::testing::services_mysql_source_options(54404, "snap-matrix-read");
  snap_opts.table_include = {"sluice_snap\\.matrix"};
  snap_opts.startup_mode = StartupMode::snapshot;
  snap_opts.snapshot_chunk_size = 4;  // two chunks: the second starts after key 3
  MysqlSource snap(snap_opts);
  REQUIRE(snap.open(Position{}));
  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<const ChangeEvent*> read;
  bool ended = false;
  for (int polls = 0; polls < 100 && !ended; ++polls) {
    auto b = snap.poll(std::chrono::milliseconds(100));
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (!*b) continue;
    for (const auto& e : (*b)->events) read.push_back(&e);
    ended = (*b)->end_of_stream;
    batches.push_back(std::move(*b));
  }
  REQUIRE(ended);
  REQUIRE(read.size() == kValueSets);
  size_t compared = 0;
  for (size_t k = 0; k < kValueSets; ++k) {
    const ChangeEvent& r = *read[k];
    const ChangeEvent& c = *binlog.events[k];
    REQUIRE(r.op == Op::read);
    REQUIRE(c.op == Op::insert);
    CHECK(r.source.snapshot == SnapshotMarker::yes);
    REQUIRE(r.after[0].i == c.after[0].i);
    for (const auto& col : cols) {
      const auto ri = r.schema->column_index(col.name);
      const auto ci = c.schema->column_index(col.name);
      REQUIRE(ri);
      REQUIRE(ci);
      const Value& rv = r.after[*ri];
      const Value& cv = c.after[*ci];
      INFO("id " << k << " column " << col.name << " (" << col.type << ") snapshot kind "
                 << to_string(rv.kind) << " binlog kind " << to_string(cv.kind));
      CHECK(rv.kind == cv.kind);
      CHECK(rv.fsp == cv.fsp);
      CHECK(rv.aux == cv.aux);
      CHECK((rv == cv));
      ++compared;
    }
  }
  CHECK(compared == kValueSets * cols.size());
  MESSAGE("snapshot values equal to binlog values: " << compared << " (" << cols.size()
                                                     << " columns x " << kValueSets << " rows)");
  snap.close();
}

// Tables created while a parallel snapshot runs are not read by it (its splits were planned
// when it began); all their rows come from the stream. Each split's segment holds its own
// table only, so a new table's changes are delivered whatever the place of its name: between
// two tables read, or after a table read later than those changes (which the stream merge
// once took for that table's rows, and dropped).
TEST_CASE(
    "tables created while 2 connections read the snapshot: each of their changes streams once, "
    "wherever their names sort") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  const std::vector<std::string> read_tables{"n_a", "n_c", "n_e"}, new_tables{"n_b", "n_d", "n_f"};
  std::map<std::string, size_t> key_columns;
  for (const auto& t : read_tables) {
    sql.run("DROP TABLE IF EXISTS sluice_snap." + t);
    sql.run("CREATE TABLE sluice_snap." + t + " (k VARCHAR(20) NOT NULL PRIMARY KEY, ver BIGINT)");
    sql.run("INSERT INTO sluice_snap." + t +
            " SELECT CONCAT('k', LPAD(seq, 3, '0')), 0 FROM sluice_snap.seq_1_to_25");
    key_columns[t] = 1;
  }
  for (const auto& t : new_tables) {
    sql.run("DROP TABLE IF EXISTS sluice_snap." + t);
    key_columns[t] = 1;
  }
  // Both connections take a split of a locked table and wait there, inside their consistent
  // reads; n_e is read by whichever is freed first, after the new tables' changes.
  MariaDbSession locker;
  locker.run("LOCK TABLES sluice_snap.n_a WRITE, sluice_snap.n_c WRITE");

  auto opts = cdc::testing::services_mysql_source_options(54422, "snap-new-tables");
  opts.table_include = {"sluice_snap\\.n_.*"};
  opts.startup_mode = StartupMode::initial;
  opts.snapshot_chunk_size = 10;
  opts.max_batch_events = 64;
  opts.snapshot_parallelism = 2;
  MysqlSource src(opts);
  auto opened = src.open(Position{});
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
  const auto waiting = [&] {
    return std::stoi(
        *sql.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> "
                   "CONNECTION_ID() AND STATE LIKE 'Waiting for table%' AND "
                   "INFO LIKE '%sluice\\_snap%'")[0][0]);
  };
  const auto wait_deadline = Clock::now() + std::chrono::seconds(60);
  while (waiting() < 2 && Clock::now() < wait_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(waiting() == 2);

  int64_t ver = 0;
  std::multiset<int64_t> want_vers;
  std::multiset<std::string> want_deletes;
  for (const auto& t : new_tables) {
    const std::string full = "sluice_snap." + t;
    sql.run("CREATE TABLE " + full + " (k VARCHAR(20) NOT NULL PRIMARY KEY, ver BIGINT)");
    for (int k = 1; k <= 3; ++k) {
      sql.run("INSERT INTO " + full + " VALUES ('k" + std::to_string(k) + "', " +
              std::to_string(++ver) + ")");
      want_vers.insert(ver);
    }
    sql.run("UPDATE " + full + " SET ver = " + std::to_string(++ver) + " WHERE k = 'k1'");
    want_vers.insert(ver);
    sql.run("DELETE FROM " + full + " WHERE k = 'k2'");
    want_deletes.insert(t + "|k2|" + std::to_string(ver - 2));
  }
  locker.run("UNLOCK TABLES");

  Replay replay;
  const std::vector<SnapshotSegment> segments =
      drain_snapshot(src, replay, key_columns, std::chrono::seconds(120));
  // One segment per table read, each holding its own table only; n_e read after the changes.
  REQUIRE(segments.size() == 3);
  for (const auto& seg : segments) CHECK(seg.single_table);
  CHECK(pos_of(segments[2].at) > pos_of(segments[0].at));
  CHECK(pos_of(segments[2].at) > pos_of(segments[1].at));
  const Pos last = master_position(sql);
  drain(
      src, replay, key_columns, [&] { return pos_of(src.position()) >= last; },
      std::chrono::seconds(60));
  CHECK(std::holds_alternative<MysqlPosition>(src.current_position()));
  for (const auto& t : read_tables) CHECK(replay.reads[t] == 25);
  for (const auto& t : new_tables) CHECK(replay.reads[t] == 0);
  for (const auto& [table, kc] : key_columns) {
    INFO("table " << table);
    CHECK((replay.state[table] == server_rows(sql, table, kc)));
  }
  CHECK(replay.stream_vers == want_vers);
  CHECK(replay.stream_deletes == want_deletes);
  CHECK(replay.ddl.size() == new_tables.size());  // each CREATE TABLE once
  src.close();
}

// scan.incremental.snapshot.chunk.key-column: two tables chunked by a non-unique column `grp`
// (about 7 rows a value, chunks of 50): ck_pk by (grp, id), its primary key after the column;
// ck_nopk, without a primary key, by grp alone, each chunk ending after every row of its last
// value. A writer inserts, updates (not grp) and deletes by id meanwhile. The rows arrive in
// chunk-key order, the state is exact (a chunk that split a value would lose that value's other
// rows), and each change after its table's read reaches the output once.
void chunk_key_under_writer(uint32_t parallelism, uint32_t server_id, const std::string& name) {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  const std::vector<std::string> tables{"ck_nopk", "ck_pk"};
  for (const auto& t : tables) {
    const std::string full = std::string(kDb) + "." + t;
    sql.run("DROP TABLE IF EXISTS " + full);
    sql.run("CREATE TABLE " + full + " (id BIGINT NOT NULL, ver BIGINT, grp INT NOT NULL" +
            (t == "ck_pk" ? ", PRIMARY KEY (id))" : ")"));
    sql.run("INSERT INTO " + full + " SELECT seq, 0, seq % 300 FROM sluice_snap.seq_1_to_2000");
  }
  const std::map<std::string, size_t> key_columns{{"ck_nopk", 1}, {"ck_pk", 1}};

  std::vector<WriterOp> ops;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done_ops{0};
  std::atomic<bool> writer_done{false};
  std::thread writer;
  cdc::testing::JoinOnExit joiner{stop, writer};
  writer = std::thread([&] {
    MariaDbSession w;
    std::mt19937_64 rng(1414);
    std::map<std::string, std::map<int64_t, int64_t>> ver_of;  // table -> id -> ver
    for (const auto& t : tables) {
      for (int64_t id = 1; id <= 2000; ++id) ver_of[t][id] = 0;
    }
    int64_t next_id = 2001;
    const auto end = Clock::now() + std::chrono::seconds(300);
    for (int64_t ver = 1; !stop && ver <= 20000 && Clock::now() < end; ++ver) {
      WriterOp op;
      op.ver = ver;
      op.table = tables[static_cast<size_t>(ver) % 2];
      auto& vers = ver_of[op.table];
      const std::string full = std::string(kDb) + "." + op.table;
      const int choice = static_cast<int>(rng() % 10);
      if (choice < 3) {
        const int64_t id = next_id++;
        w.run("INSERT INTO " + full + " VALUES (" + std::to_string(id) + ", " +
              std::to_string(ver) + ", " + std::to_string(id % 300) + ")");
        op.op = Op::insert;
        op.key = std::to_string(id);
        vers[id] = ver;
      } else {
        auto it = vers.lower_bound(static_cast<int64_t>(rng() % static_cast<uint64_t>(next_id)));
        if (it == vers.end()) it = vers.begin();
        op.key = std::to_string(it->first);
        op.prev_ver = it->second;
        if (choice < 8) {
          w.run("UPDATE " + full + " SET ver = " + std::to_string(ver) + " WHERE id = " + op.key);
          op.op = Op::update;
          it->second = ver;
        } else {
          w.run("DELETE FROM " + full + " WHERE id = " + op.key);
          op.op = Op::erase;
          vers.erase(it);
        }
      }
      op.end = master_position(w);
      ops.push_back(op);
      done_ops = ver;
    }
    writer_done = true;
  });
  while (done_ops < 20 && !writer_done) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  auto opts = cdc::testing::services_mysql_source_options(server_id, name);
  opts.table_include = {"sluice_snap\\.ck_.*"};
  opts.startup_mode = StartupMode::initial;
  opts.snapshot_chunk_size = 50;
  opts.max_batch_events = 64;
  opts.snapshot_parallelism = parallelism;
  opts.snapshot_chunk_key_columns = {{"sluice_snap\\.ck_.*", "grp"}};
  MysqlSource src(opts);
  auto opened = src.open(Position{});
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
  const int64_t ops_at_open = done_ops;

  // The `r` rows of each table, in the order they came: (grp, id) of ck_pk never goes down, nor
  // grp of ck_nopk (its rows of one value come in no particular order).
  std::map<std::string, std::pair<int64_t, int64_t>> last_read;
  std::map<std::string, std::set<int64_t>> ids_read;
  size_t out_of_order = 0, read_again = 0;
  std::string first_out_of_order;
  Replay replay;
  const auto deadline = Clock::now() + std::chrono::seconds(300);
  std::vector<SnapshotSegment> segments;
  while (true) {
    REQUIRE(Clock::now() < deadline);
    auto b = src.poll(std::chrono::milliseconds(100));
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (*b) {
      for (const auto& e : (*b)->events) {
        if (e.op == Op::read) {
          const bool keyed = e.schema->id.table == "ck_pk";
          const std::pair<int64_t, int64_t> key{e.after[2].i, keyed ? e.after[0].i : 0};
          if (!ids_read[std::string(e.schema->id.table)].insert(e.after[0].i).second) ++read_again;
          auto [it, fresh] = last_read.try_emplace(std::string(e.schema->id.table), key);
          if (!fresh) {
            if (key < it->second && out_of_order++ == 0) {
              first_out_of_order = std::string(e.schema->id.table) + ": (" +
                                   std::to_string(key.first) + ", " + std::to_string(key.second) +
                                   ") after (" + std::to_string(it->second.first) + ", " +
                                   std::to_string(it->second.second) + ")";
            }
            it->second = key;
          }
        }
        replay.apply(e, key_columns);
      }
    }
    const Position p = src.current_position();
    if (const auto* sp = std::get_if<SnapshotPosition>(&p)) segments = sp->segments;
    if (snapshot_read(p)) break;
  }
  const int64_t ops_at_read = done_ops;
  MESSAGE("writer statements at open: " << ops_at_open
                                        << ", at the snapshot's end: " << ops_at_read);
  CHECK(ops_at_read > ops_at_open);
  // A whole-value chunk that ended with a batch was once read again (the first row out of order).
  CHECK_MESSAGE(out_of_order == 0,
                out_of_order << " read(s) out of chunk-key order; first " << first_out_of_order);
  CHECK(read_again == 0);
  stream_to_end(sql, src, replay, key_columns,
                {stop, writer, done_ops, writer_done, ops_at_read + 100});
  for (const auto& [table, kc] : key_columns) CHECK(replay.reads[table] > 1900);
  REQUIRE(segments.size() == (parallelism == 1 ? 1 : 2));
  check_exactly_once_by_segment(replay, ops, segments);
  src.close();
}

TEST_CASE(
    "chunk.key-column: tables with and without a primary key chunked by a non-unique column "
    "while a writer changes them: exact state, each change once") {
  chunk_key_under_writer(1, 54423, "snap-chunk-key");
}

TEST_CASE("chunk.key-column read by 2 connections: exact state, each change once") {
  chunk_key_under_writer(2, 54424, "snap-chunk-key-2");
}

// A schema history store that keeps only the source's values (the captured-tables record),
// shared by the sources of one test as a pipeline's runs share the state store.
class ValuesStore final : public SchemaHistoryStore {
 public:
  explicit ValuesStore(std::map<std::string, std::string>& values) : values_(values) {}
  Status put(const MysqlPosition&, const TableSchema&) override { return {}; }
  Result<std::vector<std::pair<MysqlPosition, TableSchema>>> load() override {
    return std::vector<std::pair<MysqlPosition, TableSchema>>();
  }
  Result<std::optional<std::string>> get_value(std::string_view key) override {
    const auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status put_value(std::string_view key, std::string_view value) override {
    values_[std::string(key)] = std::string(value);
    return {};
  }

 private:
  std::map<std::string, std::string>& values_;
};

TEST_CASE(
    "scan.newly-added-table.enabled: the record of the patterns is stored at the first "
    "checkpoint; a restart with wider patterns reads the new table only, and resumes it from "
    "its position; a state without a record takes every table as captured") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  WrittenTable t1{"nr_1"}, t2{"nr_2"}, t3{"nr_3"};
  create_table(sql, t1, 10);
  create_table(sql, t2, 250);
  create_table(sql, t3, 10);
  const std::map<std::string, size_t> key_columns{
      {"nr_1", 1}, {"nr_2", 1}, {"nr_3", 1}, {"nr_4", 1}};
  std::map<std::string, std::string> values;
  auto opts = cdc::testing::services_mysql_source_options(54419, "snap-newly-added");
  opts.newly_added_tables = true;
  opts.snapshot_chunk_size = 100;
  opts.max_batch_events = 64;
  opts.table_include = {"sluice_snap\\.nr_1"};

  // A first start (latest-offset): no record yet, nothing is new; the record is stored only
  // when a checkpoint of this start commits.
  Position at;
  {
    MysqlSource a(opts, std::make_unique<ValuesStore>(values));
    REQUIRE(a.open(Position{}));
    at = a.current_position();
    REQUIRE(std::holds_alternative<MysqlPosition>(at));
    CHECK(values.empty());
    a.acknowledge(at);
    CHECK(values.at("mysql.captured-tables") == "sluice captured-tables 1\n+sluice_snap\\.nr_1\n");
    a.close();
  }

  // Widened: nr_2 is new. Its re-snapshot is in the position from the open on; one batch of
  // its rows is delivered, then the source goes away before the rest.
  opts.table_include = {"sluice_snap\\.nr_[12]"};
  Replay replay;
  Position cut;
  {
    MysqlSource b(opts, std::make_unique<ValuesStore>(values));
    auto opened = b.open(at);
    REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
    const Position opened_at = b.current_position();
    const auto* sp = std::get_if<SnapshotPosition>(&opened_at);
    REQUIRE(sp != nullptr);
    CHECK(!sp->reading);
    CHECK(sp->resnapshot_tables == std::vector<SnapshotTable>{{"sluice_snap", "nr_2"}});
    CHECK(sp->resnapshot_after_key.empty());
    CHECK(std::get<MysqlPosition>(sp->stream) == std::get<MysqlPosition>(at));
    b.acknowledge(b.current_position());
    CHECK(values.at("mysql.captured-tables") ==
          "sluice captured-tables 1\n+sluice_snap\\.nr_[12]\n");
    drain(
        b, replay, key_columns, [&] { return replay.reads["nr_2"] > 0; }, std::chrono::seconds(30));
    cut = b.current_position();
    b.close();
  }
  CHECK(replay.reads["nr_2"] == 64);  // one batch
  const auto& at_cut = std::get<SnapshotPosition>(cut);
  REQUIRE(at_cut.resnapshot_tables == std::vector<SnapshotTable>{{"sluice_snap", "nr_2"}});
  auto after = snapshot::decode_key(at_cut.resnapshot_after_key);
  REQUIRE(after);
  CHECK((*after)[0].i == 63);

  // Resumed from that position: the rest of nr_2 once, nr_1 never; the record is the same, so
  // nothing else is new.
  MysqlPosition last_position;
  {
    MysqlSource c(opts, std::make_unique<ValuesStore>(values));
    REQUIRE(c.open(cut));
    drain_to_stream(c, replay, key_columns, std::chrono::seconds(30));
    last_position = std::get<MysqlPosition>(c.current_position());
    c.close();
  }
  CHECK(replay.reads["nr_2"] == 250);
  CHECK(replay.reads["nr_1"] == 0);
  CHECK((replay.state["nr_2"] == server_rows(sql, "nr_2", 1)));

  // A table created while the pipeline was stopped, matched by the next start's wider pattern
  // only: newly added by the record, but the stream meets its CREATE, so it comes whole from
  // the stream (its rows as inserts, none read).
  const MysqlPosition stopped_at = last_position;
  WrittenTable t4{"nr_4"};
  create_table(sql, t4, 5);
  opts.table_include = {"sluice_snap\\.nr_[124]"};
  {
    MysqlSource c2(opts, std::make_unique<ValuesStore>(values));
    REQUIRE(c2.open(stopped_at));
    const Position opened_at = c2.current_position();
    const auto* sp = std::get_if<SnapshotPosition>(&opened_at);
    REQUIRE(sp != nullptr);
    CHECK(sp->resnapshot_tables == std::vector<SnapshotTable>{{"sluice_snap", "nr_4"}});
    drain_to_stream(c2, replay, key_columns, std::chrono::seconds(30));
    c2.close();
  }
  CHECK(replay.reads["nr_4"] == 0);
  CHECK((replay.state["nr_4"] == server_rows(sql, "nr_4", 1)));
  CHECK(replay.state["nr_4"].size() == 5);

  // A state store without a record (an older sluice): every table matched now is taken as
  // captured, nothing is read; the record is stored at the first checkpoint.
  values.clear();
  opts.table_include = {"sluice_snap\\.nr_[123]"};
  {
    MysqlSource d(opts, std::make_unique<ValuesStore>(values));
    REQUIRE(d.open(at));
    const Position p = d.current_position();
    CHECK(std::holds_alternative<MysqlPosition>(p));
    d.acknowledge(p);
    CHECK(values.at("mysql.captured-tables") ==
          "sluice captured-tables 1\n+sluice_snap\\.nr_[123]\n");
    d.close();
  }
  // A record that is not one is refused at open, naming where it came from.
  values["mysql.captured-tables"] = "sluice captured-tables 9\n";
  MysqlSource e(opts, std::make_unique<ValuesStore>(values));
  auto refused = e.open(at);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::malformed);
  CHECK(refused.error().to_string().find("mysql.captured-tables") != std::string::npos);
}

// A restart inside the initial snapshot with wider `tables` patterns. The tables the restarted
// snapshot reads itself (after the one it was in, one connection) are read there; the newly
// captured ones it does not read (sorting before it, or any with parallel splits planned when
// it began) are re-snapshotted once it ends (scan.newly-added-table.enabled), and every position
// until then carries them, so a second restart (whose record already has the wide patterns)
// still reads them. Without the option they are named and not read.
void widened_inside_snapshot(uint32_t parallelism, bool enabled, uint32_t server_id,
                             const std::string& name) {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS " + std::string(kDb));
  WrittenTable ta{"wr_a"}, tb{"wr_b"}, tc{"wr_c"}, td{"wr_d"}, te{"wr_e"};
  create_table(sql, ta, 30);
  create_table(sql, tb, 200);
  create_table(sql, tc, 30);
  create_table(sql, td, 300);
  create_table(sql, te, 30);
  const std::map<std::string, size_t> key_columns{
      {"wr_a", 1}, {"wr_b", 1}, {"wr_c", 1}, {"wr_d", 1}, {"wr_e", 1}};
  std::map<std::string, std::string> values;
  auto opts = cdc::testing::services_mysql_source_options(server_id, name);
  opts.newly_added_tables = enabled;
  opts.startup_mode = StartupMode::initial;
  opts.snapshot_chunk_size = 50;
  opts.max_batch_events = 64;
  opts.snapshot_parallelism = parallelism;
  opts.table_include = {"sluice_snap\\.wr_[bd]"};
  const std::string db(kDb);

  Replay replay;
  Position cut;
  {
    MysqlSource a(opts, std::make_unique<ValuesStore>(values));
    REQUIRE(a.open(Position{}));
    drain(
        a, replay, key_columns, [&] { return replay.reads["wr_d"] > 0; }, std::chrono::seconds(30));
    cut = a.current_position();
    a.acknowledge(cut);  // stores the record of the narrow patterns
    a.close();
  }
  REQUIRE(std::get<SnapshotPosition>(cut).reading);
  sql.run("UPDATE " + db + ".wr_a SET ver = 1001 WHERE id = 1");
  sql.run("DELETE FROM " + db + ".wr_c WHERE id = 2");
  sql.run("UPDATE " + db + ".wr_e SET ver = 1002 WHERE id = 3");

  // One connection reads wr_e after wr_d itself; 2 connections planned their splits at the
  // start, so every newly captured table is left to the re-snapshot.
  std::vector<SnapshotTable> want_queue;
  if (enabled) {
    want_queue = {{db, "wr_a"}, {db, "wr_c"}};
    if (parallelism > 1) want_queue.push_back({db, "wr_e"});
  }
  opts.table_include = {"sluice_snap\\.wr_[a-e]"};
  {
    MysqlSource b(opts, std::make_unique<ValuesStore>(values));
    auto opened = b.open(cut);
    REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
    const Position at_open = b.current_position();
    REQUIRE(std::get<SnapshotPosition>(at_open).reading);
    CHECK(std::get<SnapshotPosition>(at_open).resnapshot_tables == want_queue);
    b.acknowledge(at_open);  // the record now has the wide patterns
    const uint64_t before = replay.reads["wr_b"] + replay.reads["wr_d"];
    drain(
        b, replay, key_columns,
        [&] { return replay.reads["wr_b"] + replay.reads["wr_d"] > before; },
        std::chrono::seconds(30));
    cut = b.current_position();
    b.close();
  }
  REQUIRE(std::get<SnapshotPosition>(cut).reading);
  CHECK(std::get<SnapshotPosition>(cut).resnapshot_tables == want_queue);
  sql.run("INSERT INTO " + db + ".wr_a VALUES (500, 1003)");
  sql.run("UPDATE " + db + ".wr_c SET ver = 1004 WHERE id = 3");

  // The record equals the patterns now: only the position still knows what is left to read.
  {
    MysqlSource c(opts, std::make_unique<ValuesStore>(values));
    REQUIRE(c.open(cut));
    drain_to_stream(c, replay, key_columns, std::chrono::seconds(60));
    c.close();
  }
  CHECK(replay.reads["wr_b"] == 200);
  CHECK(replay.reads["wr_d"] == 300);
  const bool e_read = enabled || parallelism == 1;
  CHECK(replay.reads["wr_e"] == (e_read ? 30 : 0));
  CHECK(replay.reads["wr_a"] == (enabled ? 31 : 0));
  CHECK(replay.reads["wr_c"] == (enabled ? 29 : 0));
  std::vector<std::string> exact{"wr_b", "wr_d"};
  if (enabled) exact.insert(exact.end(), {"wr_a", "wr_c"});
  if (e_read) exact.push_back("wr_e");
  for (const auto& t : exact) {
    INFO("table " << t);
    CHECK((replay.state[t] == server_rows(sql, t, 1)));
  }
  // The changes after the first start streamed once each; wr_e's update only where no
  // snapshot segment holds wr_e (one connection read it after the update, so its row has it).
  CHECK(replay.stream_vers.count(1001) == 1);
  CHECK(replay.stream_vers.count(1002) == (parallelism == 1 ? 0 : 1));
  CHECK(replay.stream_vers.count(1003) == 1);
  CHECK(replay.stream_vers.count(1004) == 1);
  CHECK(replay.stream_deletes.count("wr_c|2|0") == 1);
}

TEST_CASE(
    "wider tables at a restart inside the initial snapshot: tables sorting before the one being "
    "read are re-snapshotted after it, also across a second restart") {
  widened_inside_snapshot(1, true, 54427, "snap-widened");
}

TEST_CASE(
    "wider tables at a restart inside a snapshot read by 2 connections: every newly captured "
    "table is re-snapshotted after it") {
  widened_inside_snapshot(2, true, 54428, "snap-widened-2");
}

TEST_CASE(
    "wider tables at a restart inside the initial snapshot without "
    "scan.newly-added-table.enabled: tables before the one being read are not read") {
  widened_inside_snapshot(1, false, 54429, "snap-widened-off");
}

}  // namespace
}  // namespace cdc::mysql
