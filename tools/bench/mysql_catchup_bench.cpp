// Binlog catch-up: how fast sluice's MySQL source turns a large backlog of row events into
// change events, side by side in the same run with
//   - the physical limit: `mariadb-binlog --read-from-remote-server --raw` copying the same
//     binlog files (no decoding at all), and
//   - a peer: the npm package @vlasky/zongji decoding the same files (when --zongji is given).
// Each reader runs in its own process; wall time, CPU (user+sys) and peak RSS come from
// wait4(). Prints MB/s, rows/s, CPU µs per row, peak RSS and the ratios.
//
//   mysql_catchup_bench --host H --port P --user U --password W [--mb 1024]
//                       [--range FIRST LAST] [--zongji NODE_MODULES_PARENT] [--tls] [--prepare]
//                       [--literal]
//
// Without --range it generates the backlog first: FLUSH BINARY LOGS, then rounds of inserts,
// updates and deletes of a 12-column table (bench.catchup) until the new files hold --mb MB,
// then FLUSH again; it prints the range so later runs can reuse it (--range). With --literal
// the same rows are inserted by 1000-row INSERT ... VALUES statements of literal values, as an
// application writes them: each statement's text then travels in an ANNOTATE_ROWS event (about
// a third of the bytes), where INSERT ... SELECT sends a few hundred bytes per round. The sluice
// reader stops at the ROTATE into the file after LAST. tools/bench/mysql_catchup.sh wraps
// this with the services and the npm install.
//
// --prepare measures nothing: it generates the backlog (or checks the --range) and prints one
// line "prepared FIRST LAST BYTES ROWS FILE..." for the daemon benchmark
// (tools/bench/mysql_catchup_daemon.py), ROWS being the backlog's row changes, which the
// generator records in bench.catchup_ranges (written after the range, outside it).

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/log.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/mysql/protocol/mysql_connection.h"

using namespace cdc;
using namespace cdc::mysql;

namespace {

struct Args {
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string user;
  std::string password;
  uint64_t mb = 1024;
  std::string first, last;  // binlog files to read, inclusive
  std::string zongji_dir;
  bool tls = false;
  bool prepare = false;
  bool literal = false;  // generate the INSERTs as 1000-row statements of literal values
};

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;
  long peak_rss_mb = 0;
  uint64_t rows = 0;
  bool ok = false;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "mysql_catchup_bench: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<MysqlConnection> connect(const Args& a) {
  ConnectOptions o;
  o.host = a.host;
  o.port = a.port;
  o.user = a.user;
  o.password = a.password;
  o.read_timeout = std::chrono::minutes(10);
  o.tls.mode = TlsMode::disabled;
  auto c = MysqlConnection::connect(o);
  if (!c) die(c.error().to_string());
  return std::move(*c);
}

void exec(MysqlConnection& c, const std::string& sql) {
  if (auto st = c.execute(sql); !st) die(st.error().to_string());
}

// name -> size of every binlog file the server has, in order.
std::vector<std::pair<std::string, uint64_t>> binary_logs(MysqlConnection& c) {
  auto rows = c.query("SHOW BINARY LOGS");
  if (!rows) die(rows.error().to_string());
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& r : *rows) out.emplace_back(*r[0], std::stoull(*r[1]));
  return out;
}

std::string current_log(MysqlConnection& c) { return binary_logs(c).back().first; }

// The number of row changes in FIRST..LAST, kept on the server beside the backlog.
constexpr const char* kRangesTable =
    "CREATE TABLE IF NOT EXISTS bench.catchup_ranges (first VARCHAR(255), last VARCHAR(255), "
    "row_changes BIGINT UNSIGNED, PRIMARY KEY (first, last))";

void record_rows(MysqlConnection& c, const Args& a, uint64_t rows) {
  exec(c, kRangesTable);
  exec(c, "REPLACE INTO bench.catchup_ranges VALUES ('" + a.first + "', '" + a.last + "', " +
              std::to_string(rows) + ")");
}

std::optional<uint64_t> recorded_rows(MysqlConnection& c, const Args& a) {
  exec(c, "CREATE DATABASE IF NOT EXISTS bench");
  exec(c, kRangesTable);
  auto rows = c.query("SELECT row_changes FROM bench.catchup_ranges WHERE first = '" + a.first +
                      "' AND last = '" + a.last + "'");
  if (!rows) die(rows.error().to_string());
  if (rows->empty() || !(*rows)[0][0]) return std::nullopt;
  return std::stoull(*(*rows)[0][0]);
}

// The columns of the backlog's rows, as expressions over MariaDB's sequence engine (seq), and
// how each is written as a literal (--literal).
struct Column {
  const char* expr;
  enum { number, text, binary } literal;
};
constexpr Column kColumns[] = {
    {"seq", Column::number},
    {"CAST(seq * 7 % 100000 AS SIGNED) - 50000", Column::number},
    {"seq", Column::number},
    {"seq / 3", Column::number},
    {"seq * 1.5", Column::number},
    {"CONCAT('customer-', seq, '-', REPEAT('x', seq % 64))", Column::text},
    {"REPEAT(MD5(seq), 3)", Column::text},
    {"'2024-01-01' + INTERVAL seq SECOND", Column::text},
    {"FROM_UNIXTIME(1700000000 + seq)", Column::text},
    {"ELT(1 + seq % 3, 'new', 'paid', 'shipped')", Column::text},
    {"UNHEX(MD5(seq))", Column::binary},
    {"JSON_OBJECT('seq', seq, 'tags', JSON_ARRAY('a', 'b'))", Column::text},
};

// "e1, e2, ..." (as_literal false) or the SQL text of one row "(v1,v2,...)" (true).
std::string row_sql(bool as_literal) {
  std::string out = as_literal ? "CONCAT('(', CONCAT_WS(','" : "";
  for (const Column& col : kColumns) {
    const std::string e = col.expr;
    if (!as_literal) {
      out += (out.empty() ? "" : ", ") + e;
    } else if (col.literal == Column::number) {
      out += ", " + e;
    } else if (col.literal == Column::text) {
      out += ", QUOTE(" + e + ")";
    } else {
      out += ", CONCAT('0x', HEX(" + e + "))";
    }
  }
  return as_literal ? out + "), ')')" : out;
}

// The rows lo..hi inserted by statements of `per` rows of literal values, as an application
// writes them: the server writes each statement's text, then it is executed.
void insert_literal(MysqlConnection& c, uint64_t lo, uint64_t hi, uint64_t per) {
  for (uint64_t from = lo; from <= hi; from += per) {
    const uint64_t to = std::min(hi, from + per - 1);
    auto text = c.query("SELECT CONCAT('INSERT INTO bench.catchup VALUES ', GROUP_CONCAT(" +
                        row_sql(true) + " ORDER BY seq SEPARATOR ',')) FROM bench.seq_" +
                        std::to_string(from) + "_to_" + std::to_string(to));
    if (!text) die(text.error().to_string());
    if (text->empty() || !(*text)[0][0])
      die("no INSERT text for rows from " + std::to_string(from));
    exec(c, *(*text)[0][0]);
  }
}

// The backlog: 20 000-row rounds of INSERT, an UPDATE of half of them and a DELETE of a
// quarter, until the files written since the first FLUSH hold `mb` MB. Mixed types so
// decoding is not one column kind.
void generate(MysqlConnection& c, Args& a) {
  exec(c, "CREATE DATABASE IF NOT EXISTS bench");
  exec(c, "DROP TABLE IF EXISTS bench.catchup");
  exec(c,
       "CREATE TABLE bench.catchup (id BIGINT PRIMARY KEY, i INT, u INT UNSIGNED, "
       "d DECIMAL(18,4), f DOUBLE, s VARCHAR(255), t TEXT, dt DATETIME(6), ts TIMESTAMP(3) NULL, "
       "e ENUM('new','paid','shipped'), b VARBINARY(64), j JSON)");
  exec(c, "SET SESSION group_concat_max_len = 16777216");  // --literal: 1000 rows of text
  exec(c, "FLUSH BINARY LOGS");
  a.first = current_log(c);
  const uint64_t target = a.mb << 20;
  constexpr uint64_t kRound = 20000;
  uint64_t round = 0;
  for (uint64_t bytes = 0; bytes < target && round < 100000; ++round) {
    const uint64_t lo = round * kRound + 1, hi = lo + kRound - 1;
    const std::string range = "seq_" + std::to_string(lo) + "_to_" + std::to_string(hi);
    if (a.literal) {
      insert_literal(c, lo, hi, 1000);
    } else {
      exec(c, "INSERT INTO bench.catchup SELECT " + row_sql(false) + " FROM bench." + range);
    }
    exec(c, "UPDATE bench.catchup SET e = 'paid', d = d + 1, s = CONCAT(s, '!') WHERE id BETWEEN " +
                std::to_string(lo) + " AND " + std::to_string(lo + kRound / 2 - 1));
    exec(c, "DELETE FROM bench.catchup WHERE id BETWEEN " + std::to_string(hi - kRound / 4 + 1) +
                " AND " + std::to_string(hi));
    bytes = 0;
    bool in = false;
    for (const auto& [name, size] : binary_logs(c)) {
      if (name == a.first) in = true;
      if (in) bytes += size;
    }
  }
  a.last = current_log(c);
  exec(c, "FLUSH BINARY LOGS");
  // Each round: kRound inserted, half of them updated, a quarter deleted, one change each.
  record_rows(c, a, round * (kRound + kRound / 2 + kRound / 4));
}

uint64_t range_bytes(MysqlConnection& c, const Args& a, std::vector<std::string>& files) {
  uint64_t bytes = 0;
  bool in = false;
  for (const auto& [name, size] : binary_logs(c)) {
    if (name == a.first) in = true;
    if (in) {
      files.push_back(name);
      bytes += size;
    }
    if (name == a.last) break;
  }
  if (files.empty() || files.back() != a.last)
    die("binlog range " + a.first + ".." + a.last + " is not on the server");
  return bytes;
}

Run finish(pid_t pid, std::chrono::steady_clock::time_point t0) {
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  Run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                  static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  r.peak_rss_mb = u.ru_maxrss / 1024;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

// Runs `fn` in a child process, which reports its row count through a pipe.
template <typename Fn>
Run measure(Fn fn) {
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(fds[0]);
    const uint64_t rows = fn();
    (void)!write(fds[1], &rows, sizeof rows);
    _exit(0);
  }
  close(fds[1]);
  uint64_t rows = 0;
  const bool got = read(fds[0], &rows, sizeof rows) == static_cast<ssize_t>(sizeof rows);
  close(fds[0]);
  Run r = finish(pid, t0);
  r.rows = rows;
  r.ok = r.ok && got;
  return r;
}

// Runs a program (stdout to `out_path` when given).
Run measure_exec(const std::vector<std::string>& argv, const std::string& out_path) {
  std::vector<char*> cargv;
  for (const auto& s : argv) cargv.push_back(const_cast<char*>(s.c_str()));
  cargv.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (!out_path.empty() && !freopen(out_path.c_str(), "w", stdout)) _exit(127);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  return finish(pid, t0);
}

// sluice: MysqlSource from FIRST:4 until the ROTATE past LAST; events are dropped (null sink).
uint64_t sluice_read(const Args& a) {
  tune_allocator_for_arenas();  // as the daemon does
  MysqlSourceOptions o;
  o.host = a.host;
  o.port = a.port;
  o.user = a.user;
  o.password = a.password;
  o.server_id = {54998, 54998};
  o.pipeline_name = "bench";
  o.table_include = {"bench\\.catchup"};
  o.startup_mode = StartupMode::specific_offset;
  o.specific_offset_file = a.first;
  o.tls.mode = a.tls ? TlsMode::required : TlsMode::disabled;
  o.max_batch_events = 1024;
  MysqlSource src(o);
  if (auto st = src.open(Position{}); !st) die(st.error().to_string());
  uint64_t rows = 0;
  while (true) {
    auto b = src.poll(std::chrono::milliseconds(2000));
    if (!b) die(b.error().to_string());
    if (*b) rows += (*b)->events.size();
    // Binlog names sort by their index; the ROTATE at the end of LAST (written by the
    // FLUSH after the backlog) moves the position into the next file.
    if (src.position().binlog.file > a.last) break;
  }
  src.close();
  return rows;
}

void print(const char* name, const Run& r, uint64_t bytes, uint64_t rows, const Run& limit,
           const Run* zongji) {
  const double mbps = static_cast<double>(bytes) / (1 << 20) / r.seconds;
  const double rps = static_cast<double>(rows) / r.seconds;
  std::printf("%-34s %8.1f s %8.0f MB/s %10.0f rows/s %7.3f CPU us/row %6ld MB RSS  %5.2fx raw",
              name, r.seconds, mbps, rps, r.cpu_seconds * 1e6 / static_cast<double>(rows),
              r.peak_rss_mb, limit.seconds / r.seconds);
  if (zongji != nullptr) std::printf("  %5.2fx zongji", zongji->seconds / r.seconds);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + k);
      return argv[++i];
    };
    if (k == "--host")
      a.host = next();
    else if (k == "--port")
      a.port = static_cast<uint16_t>(std::stoi(next()));
    else if (k == "--user")
      a.user = next();
    else if (k == "--password")
      a.password = next();
    else if (k == "--mb")
      a.mb = std::stoull(next());
    else if (k == "--range") {
      a.first = next();
      a.last = next();
    } else if (k == "--zongji")
      a.zongji_dir = next();
    else if (k == "--tls")
      a.tls = true;
    else if (k == "--prepare")
      a.prepare = true;
    else if (k == "--literal")
      a.literal = true;
    else
      die("unknown argument " + k);
  }
  log::set_level("warn");
  auto c = connect(a);
  if (a.first.empty()) {
    std::printf("generating a %llu MB backlog ...\n", static_cast<unsigned long long>(a.mb));
    std::fflush(stdout);
    generate(*c, a);
  }
  std::vector<std::string> files;
  const uint64_t bytes = range_bytes(*c, a, files);
  std::printf("binlog %s .. %s: %zu files, %.0f MB (reuse with --range %s %s)\n", a.first.c_str(),
              a.last.c_str(), files.size(), static_cast<double>(bytes) / (1 << 20), a.first.c_str(),
              a.last.c_str());
  std::fflush(stdout);
  if (a.prepare) {
    // Not counted by reading: a batch that crosses the ROTATE past LAST may hold rows of a later
    // backlog (the reader's count here overshoots when one was generated after this range).
    const std::optional<uint64_t> rows = recorded_rows(*c, a);
    if (!rows) {
      die("no row count recorded for " + a.first + ".." + a.last +
          " (generated before --prepare existed?): generate a new backlog with --mb");
    }
    std::printf("prepared %s %s %llu %llu", a.first.c_str(), a.last.c_str(),
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(*rows));
    for (const auto& f : files) std::printf(" %s", f.c_str());
    std::printf("\n");
    return 0;
  }

  // The limit: copy the files over the replication protocol without decoding them.
  const auto scratch =
      std::filesystem::temp_directory_path() / ("sluice-catchup-" + std::to_string(getpid()));
  std::filesystem::create_directories(scratch);
  std::vector<std::string> raw_argv = {"mariadb-binlog",
                                       "--no-defaults",
                                       "--read-from-remote-server",
                                       "--raw",
                                       "--host=" + a.host,
                                       "--port=" + std::to_string(a.port),
                                       "--user=" + a.user,
                                       "--password=" + a.password,
                                       "--result-file=" + (scratch / "").string()};
  raw_argv.insert(raw_argv.end(), files.begin(), files.end());
  const Run raw = measure_exec(raw_argv, "");
  std::filesystem::remove_all(scratch);
  if (!raw.ok) die("mariadb-binlog --raw failed");

  const Run sluice = measure([&] { return sluice_read(a); });
  if (!sluice.ok) die("the sluice reader failed");
  const uint64_t rows = sluice.rows;

  std::optional<Run> zongji;
  if (!a.zongji_dir.empty()) {
    const std::string out =
        (std::filesystem::temp_directory_path() / "sluice-catchup-zongji.out").string();
    const std::string script = std::string(SLUICE_SOURCE_DIR) + "/tools/bench/zongji_catchup.mjs";
    setenv("ZONGJI_DIR", a.zongji_dir.c_str(), 1);
    zongji = measure_exec(
        {"node", script, a.host, std::to_string(a.port), a.user, a.password, a.first, a.last}, out);
    FILE* f = std::fopen(out.c_str(), "r");
    unsigned long long zr = 0;
    if (f == nullptr || std::fscanf(f, "{\"rows\":%llu}", &zr) != 1)
      die("zongji printed no row count");
    std::fclose(f);
    zongji->rows = zr;
    if (!zongji->ok) die("zongji failed");
    if (zr != rows) {
      std::printf("NOTE: zongji counted %llu rows, sluice %llu\n", zr,
                  static_cast<unsigned long long>(rows));
    }
  }

  std::printf("\nmysql_catchup_bench: %llu row changes, %.0f MB of binlog%s\n",
              static_cast<unsigned long long>(rows), static_cast<double>(bytes) / (1 << 20),
              a.tls ? " (sluice over TLS)" : "");
  print("limit: mariadb-binlog --raw", raw, bytes, rows, raw, zongji ? &*zongji : nullptr);
  print("sluice: MysqlSource -> null", sluice, bytes, rows, raw, zongji ? &*zongji : nullptr);
  if (zongji) print("peer: @vlasky/zongji", *zongji, bytes, zongji->rows, raw, &*zongji);
  return 0;
}
