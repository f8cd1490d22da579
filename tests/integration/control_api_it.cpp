// The control API (README "Control API") against a running MariaDB → file pipeline, through
// the real sluice binary: savepoints, stop with a savepoint, `run --from-savepoint` replaying
// exactly the range after it, pause and resume with nothing lost, the bearer token, the JSON
// errors, the CLI over it, and the status page rendered by a real headless Chromium.

#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The ids of the upsert lines {"key":{"id":N},...}, in file order.
std::vector<int> ids_in(const std::string& path) {
  std::vector<int> ids;
  for (const auto& line : lines_of(path)) {
    REQUIRE(line.rfind("{\"key\":{\"id\":", 0) == 0);
    ids.push_back(std::atoi(line.c_str() + 13));
  }
  return ids;
}

bool wait_lines(const std::string& path, size_t n, std::chrono::seconds limit = 20s) {
  for (auto until = std::chrono::steady_clock::now() + limit;
       std::chrono::steady_clock::now() < until;) {
    if (lines_of(path).size() >= n) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void insert_rows(MariaDbSession& sql, const std::string& table, int from, int to, int per_txn) {
  for (int id = from; id <= to; id += per_txn) {
    std::string insert = "INSERT INTO " + table + " VALUES ";
    for (int k = id; k < id + per_txn && k <= to; ++k) {
      insert += (k == id ? "(" : ",(") + std::to_string(k) + ",'v" + std::to_string(k) + "')";
    }
    sql.run(insert);
  }
}

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int id = from; id <= to; ++id) out.push_back(id);
  return out;
}

struct Pipeline {
  std::string dir;
  std::string config;
  std::string out;
  std::string err_log;
  int port = 0;
  std::string base;  // http://127.0.0.1:port/api/v1/pipelines/<name>
};

Pipeline write_pipeline(const std::string& prefix, const std::string& tables, int server_id,
                        const std::string& name, const std::string& extra = "",
                        bool snapshot = false) {
  Pipeline p;
  p.dir = make_temp_dir(prefix);
  p.port = free_port();
  p.config = p.dir + "/pipeline.yaml";
  p.out = p.dir + "/out.jsonl";
  p.err_log = p.dir + "/stderr.log";
  std::string source = mysql_source_yaml(tables, server_id);
  if (snapshot) source = std::regex_replace(source, std::regex("latest-offset"), "initial");
  std::ofstream(p.config) << source << "sink:\n  type: file\n  path: " << p.out
                          << "\n  value.format: upsert\npipeline:\n  name: " << name
                          << "\n  state.dir: " << p.dir << "/state\n"
                          << "  checkpoint.interval: 50ms\n  metrics.port: " << p.port << "\n"
                          << extra;
  p.base = "http://127.0.0.1:" + std::to_string(p.port) + "/api/v1/pipelines/" + url_encode(name);
  return p;
}

std::unique_ptr<ChildProcess> start(const Pipeline& p, std::vector<std::string> extra_args = {}) {
  std::vector<std::string> argv{sluice_binary(), "run", p.config};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<ChildProcess>(argv, p.dir + "/stdout.log", p.err_log);
}

// The text of `"key":"..."` or `"key":number` in a flat JSON answer (first occurrence).
std::string json_field(const std::string& body, const std::string& key) {
  const std::regex re("\"" + key + "\":(\"([^\"]*)\"|[-0-9.]+|null|true|false)");
  std::smatch m;
  if (!std::regex_search(body, m, re)) return "<missing " + key + ">";
  return m[2].matched ? m[2].str() : m[1].str();
}

}  // namespace

TEST_CASE(
    "control API: savepoint, stop with a savepoint, run --from-savepoint replays exactly the "
    "range after it") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS ctl");
  sql.run("DROP TABLE IF EXISTS ctl.sp");
  sql.run("CREATE TABLE ctl.sp (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  Pipeline p = write_pipeline("sluice-ctl-sp", "ctl\\.sp", 5801, "ctl-sp");
  INFO("dir " << p.dir);
  auto sluice = start(p);
  REQUIRE(wait_ready(p.port, *sluice));

  insert_rows(sql, "ctl.sp", 1, 100, 10);
  REQUIRE(wait_lines(p.out, 100));
  const auto [code, body] = http_request(p.base + "/savepoint?name=before", "POST");
  REQUIRE(code == 201);
  CHECK(json_field(body, "savepoint") == "before");
  // The same name again is refused, with the reason.
  const auto again = http_request(p.base + "/savepoint?name=before", "POST");
  CHECK(again.first == 409);
  CHECK(json_field(again.second, "error") == "savepoint 'before' exists already");

  insert_rows(sql, "ctl.sp", 101, 200, 10);
  REQUIRE(wait_lines(p.out, 200));
  const auto stop = http_request(p.base + "/stop?savepoint=true&name=at-stop", "POST");
  REQUIRE(stop.first == 202);
  CHECK(json_field(stop.second, "savepoint") == "at-stop");
  REQUIRE(sluice->wait(20s) == 0);
  REQUIRE(ids_in(p.out) == range(1, 200));

  // Both savepoints are listed, by `sluice checkpoints` (beside the checkpoints) and by
  // `sluice savepoint list`.
  const auto checkpoints = run_command({sluice_binary(), "checkpoints", p.config}, 20s);
  REQUIRE(checkpoints.exit_code == 0);
  CHECK(checkpoints.out.find("SAVEPOINT") != std::string::npos);
  CHECK(checkpoints.out.find(" before ") != std::string::npos);
  CHECK(checkpoints.out.find(" at-stop ") != std::string::npos);
  const auto list = run_command({sluice_binary(), "savepoint", "list", p.config, "--json"}, 20s);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("\"savepoint\":\"before\"") != std::string::npos);
  CHECK(list.out.find("\"savepoint\":\"at-stop\"") != std::string::npos);

  // An exactly-once pipeline replays only with --yes; an unknown savepoint is named.
  const auto no_yes =
      run_command({sluice_binary(), "run", p.config, "--from-savepoint", "before"}, 20s);
  CHECK(no_yes.exit_code == 2);
  CHECK(no_yes.err.find("Pass --yes") != std::string::npos);
  const auto unknown =
      run_command({sluice_binary(), "run", p.config, "--from-savepoint", "nope", "--yes"}, 20s);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("has no savepoint 'nope'") != std::string::npos);

  // The replay: rows 101..200 (the range after "before") once more, then new rows once.
  sluice = start(p, {"--from-savepoint", "before", "--yes"});
  REQUIRE(wait_ready(p.port, *sluice));
  REQUIRE(wait_lines(p.out, 300));
  insert_rows(sql, "ctl.sp", 201, 210, 5);
  REQUIRE(wait_lines(p.out, 310));
  std::this_thread::sleep_for(500ms);  // anything extra (a duplicate) arrives before judging
  std::vector<int> expected = range(1, 200);
  for (int id : range(101, 210)) expected.push_back(id);
  CHECK(ids_in(p.out) == expected);
  CHECK(read_file(p.err_log).find("replaying from the savepoint's checkpoint") !=
        std::string::npos);

  // A restart after the replay resumes from its checkpoints, not the savepoint again.
  sluice->signal(SIGTERM);
  REQUIRE(sluice->wait(20s) == 0);
  sluice = start(p);
  REQUIRE(wait_ready(p.port, *sluice));
  insert_rows(sql, "ctl.sp", 211, 220, 5);
  REQUIRE(wait_lines(p.out, 320));
  std::this_thread::sleep_for(500ms);
  for (int id : range(211, 220)) expected.push_back(id);
  CHECK(ids_in(p.out) == expected);

  // Deleting a savepoint through the API; it is gone from the list.
  CHECK(http_request(p.base + "/savepoints/before", "DELETE").first == 200);
  CHECK(http_request(p.base + "/savepoints/before", "DELETE").first == 404);
  const auto left = http_request(p.base + "/savepoints");
  CHECK(left.second.find("\"before\"") == std::string::npos);
  CHECK(left.second.find("\"at-stop\"") != std::string::npos);
  sluice->signal(SIGTERM);
  CHECK(sluice->wait(20s) == 0);
  std::filesystem::remove_all(p.dir);
}

TEST_CASE("control API: pause stops reading, resume loses nothing; the token guards changes") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS ctl");
  sql.run("DROP TABLE IF EXISTS ctl.pr");
  sql.run("CREATE TABLE ctl.pr (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  const std::string token = "t0ken-" + std::to_string(::getpid());
  ::setenv("SLUICE_CONTROL_IT_TOKEN", token.c_str(), 1);
  Pipeline p = write_pipeline("sluice-ctl-pr", "ctl\\.pr", 5802, "ctl-pr",
                              "  control.token: ${SLUICE_CONTROL_IT_TOKEN}\n");
  INFO("dir " << p.dir);
  auto sluice = start(p);
  REQUIRE(wait_ready(p.port, *sluice));

  // Reading needs no token; changing does, and a wrong one is refused as well.
  CHECK(http_request(p.base).first == 200);
  const auto none = http_request(p.base + "/pause", "POST");
  CHECK(none.first == 401);
  CHECK(json_field(none.second, "error").find("pipeline 'ctl-pr' needs ") == 0);
  CHECK(http_request(p.base + "/pause", "POST", "wrong").first == 401);
  CHECK(http_request(p.base + "/savepoint", "POST").first == 401);
  CHECK(http_request(p.base + "/stop", "POST").first == 401);
  CHECK(json_field(http_request(p.base).second, "state") == "running");

  insert_rows(sql, "ctl.pr", 1, 50, 5);
  REQUIRE(wait_lines(p.out, 50));
  const auto paused = http_request(p.base + "/pause", "POST", token);
  REQUIRE(paused.first == 200);
  CHECK(json_field(paused.second, "state") == "paused");
  // Rows committed after the pause answered are not read while paused.
  insert_rows(sql, "ctl.pr", 51, 120, 7);
  std::this_thread::sleep_for(1500ms);
  CHECK(ids_in(p.out) == range(1, 50));
  const auto status = http_request(p.base).second;
  CHECK(json_field(status, "state") == "paused");
  CHECK(json_field(status, "events_written") == "50");
  // A savepoint while paused holds exactly what was written.
  const auto sp = http_request(p.base + "/savepoint?name=paused", "POST", token);
  CHECK(sp.first == 201);

  REQUIRE(http_request(p.base + "/resume", "POST", token).first == 200);
  REQUIRE(wait_lines(p.out, 120));
  std::this_thread::sleep_for(500ms);
  CHECK(ids_in(p.out) == range(1, 120));
  CHECK(json_field(http_request(p.base).second, "state") == "running");

  // JSON errors with a message.
  const auto snapshot = http_request(p.base + "/snapshot", "POST", token);
  CHECK(snapshot.first == 400);
  CHECK(json_field(snapshot.second, "error") == "snapshot needs ?tables=db.table[,db.table...]");
  const auto unknown = http_request(
      "http://127.0.0.1:" + std::to_string(p.port) + "/api/v1/pipelines/nope/pause", "POST");
  CHECK(unknown.first == 404);
  CHECK(json_field(unknown.second, "error") == "no pipeline named 'nope' here");
  CHECK(http_request(p.base + "/pause").first == 405);
  CHECK(http_request(p.base + "/frobnicate", "POST", token).first == 404);

  // The CLI: status as a table and JSON (reads need no token), savepoint create with it.
  const auto table = run_command({sluice_binary(), "status", p.config}, 20s);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.rfind("PIPELINE", 0) == 0);
  CHECK(std::regex_search(table.out, std::regex("\nctl-pr +running +")));
  const auto as_json = run_command(
      {sluice_binary(), "status", "--url", "http://127.0.0.1:" + std::to_string(p.port), "--json"},
      20s);
  REQUIRE(as_json.exit_code == 0);
  CHECK(json_field(as_json.out, "events_written") == "120");
  const auto created =
      run_command({sluice_binary(), "savepoint", "create", p.config, "--name", "from-cli"}, 20s);
  CHECK(created.exit_code == 0);  // the file's control.token, from the same environment
  CHECK(json_field(created.out, "savepoint") == "from-cli");
  // Deleting by the pipeline file while the daemon holds the state store goes through the
  // daemon; the savepoint is gone from its list.
  const auto deleted =
      run_command({sluice_binary(), "savepoint", "delete", p.config, "from-cli"}, 20s);
  INFO(deleted.out << deleted.err);
  CHECK(deleted.exit_code == 0);
  CHECK(http_request(p.base + "/savepoints").second.find("from-cli") == std::string::npos);
  CHECK(
      run_command({sluice_binary(), "savepoint", "delete", p.config, "from-cli"}, 20s).exit_code ==
      1);
  ::unsetenv("SLUICE_CONTROL_IT_TOKEN");
  const auto refused =
      run_command({sluice_binary(), "savepoint", "create", "--url",
                   "http://127.0.0.1:" + std::to_string(p.port), "--name", "no-token"},
                  20s);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("HTTP 401") != std::string::npos);

  // A re-snapshot while streaming: the table's rows once more, in key order (issue 14's
  // watermarked chunks); a table the pipeline does not capture is refused by the source.
  const auto not_captured = http_request(p.base + "/snapshot?tables=ctl.nope", "POST", token);
  CHECK(not_captured.first == 400);
  const auto resnapshot = http_request(p.base + "/snapshot?tables=ctl.pr", "POST", token);
  REQUIRE(resnapshot.first == 202);
  REQUIRE(wait_lines(p.out, 240));
  std::this_thread::sleep_for(500ms);
  std::vector<int> twice = range(1, 120);
  for (int id = 1; id <= 120; ++id) twice.push_back(id);
  CHECK(ids_in(p.out) == twice);

  const auto stopped = http_request(p.base + "/stop", "POST", token);
  CHECK(stopped.first == 202);
  CHECK(json_field(stopped.second, "savepoint") == "null");
  CHECK(sluice->wait(20s) == 0);
  std::filesystem::remove_all(p.dir);
}

namespace {

// The text of the first element with class `cls` (exactly, or as its first class) in `dom`.
std::string text_of_class(const std::string& dom, const std::string& cls) {
  const std::regex re("class=\"" + cls + "( [^\"]*)?\"[^>]*>([^<]*)<");
  std::smatch m;
  if (!std::regex_search(dom, m, re)) return "<no ." + cls + ">";
  return m[2].str();
}

std::string chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(path)) return path;
  }
  FAIL("chromium is not installed (tools/install.sh installs Debian's chromium)");
  return {};
}

// Chromium's headless mode, as root needs it, with a profile of its own; the virtual time
// budget lets the page's first polls run before the DOM is dumped or the screenshot taken.
std::vector<std::string> chromium_argv(const std::string& profile) {
  return {chromium(),
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--no-first-run",
          "--user-data-dir=" + profile,
          "--virtual-time-budget=4000",
          "--window-size=1000,900"};
}

// Saves Chromium's screenshot of `url` as <build>/test-artifacts/`name` and returns its path.
std::string screenshot(const Pipeline& p, const std::string& url, const std::string& name) {
  const std::string artifacts = binary_dir() + "/test-artifacts";
  std::filesystem::create_directories(artifacts);
  const std::string png = artifacts + "/" + name;
  std::filesystem::remove(png);
  auto argv = chromium_argv(p.dir + "/chromium-shot");
  argv.push_back("--screenshot=" + png);
  argv.push_back(url);
  REQUIRE(run_command(argv, 90s).exit_code == 0);
  return png;
}

}  // namespace

TEST_CASE("status page: headless Chromium renders what the API says, with a screenshot") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS ctlpage");
  sql.run("DROP TABLE IF EXISTS ctlpage.a");
  sql.run("DROP TABLE IF EXISTS ctlpage.b");
  sql.run("CREATE TABLE ctlpage.a (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  sql.run("CREATE TABLE ctlpage.b (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  insert_rows(sql, "ctlpage.a", 1, 30, 10);
  insert_rows(sql, "ctlpage.b", 1, 20, 10);
  // A snapshot of both tables first, so that the page has snapshot progress to show.
  Pipeline p = write_pipeline("sluice-ctl-page", "ctlpage\\..*", 5803, "ctl-page", "", true);
  INFO("dir " << p.dir);
  auto sluice = start(p);
  REQUIRE(wait_ready(p.port, *sluice));
  REQUIRE(wait_lines(p.out, 50));
  insert_rows(sql, "ctlpage.a", 31, 40, 5);
  REQUIRE(wait_lines(p.out, 60));
  std::this_thread::sleep_for(300ms);

  const std::string root = "http://127.0.0.1:" + std::to_string(p.port) + "/";
  const auto page = http_request(root);
  REQUIRE(page.first == 200);
  CHECK(page.second.find("<script>") != std::string::npos);
  CHECK(page.second.find("src=") == std::string::npos);  // self-contained: nothing to load
  CHECK(page.second.find("href=") == std::string::npos);

  // Values that do not move while the pipeline is idle are compared exactly: the API is read
  // before and after the dump, and a field equal in both must be what the page shows.
  std::string dom;
  std::string before;
  std::string after;
  for (int attempt = 0; attempt < 3; ++attempt) {
    before = http_request(p.base).second;
    auto argv = chromium_argv(p.dir + "/chromium-dom");
    argv.push_back("--dump-dom");
    argv.push_back(root);
    const auto dumped = run_command(argv, 90s);
    REQUIRE(dumped.exit_code == 0);
    dom = dumped.out;
    after = http_request(p.base).second;
    if (json_field(before, "position") == json_field(after, "position")) break;
  }
  INFO("DOM: " << dom);
  REQUIRE(dom.find("data-polls=\"0\"") == std::string::npos);  // the page polled
  CHECK(text_of_class(dom, "name") == "ctl-page");
  CHECK(text_of_class(dom, "state") == json_field(after, "state"));
  CHECK(text_of_class(dom, "state") == "running");
  REQUIRE(json_field(before, "position") == json_field(after, "position"));
  CHECK(text_of_class(dom, "position") == json_field(after, "position"));
  CHECK(text_of_class(dom, "committed") == json_field(after, "committed_position"));
  CHECK(text_of_class(dom, "events") == json_field(after, "events_written"));
  CHECK(text_of_class(dom, "events") == "60");
  CHECK(text_of_class(dom, "ckpt-id") == json_field(after, "id"));
  CHECK(text_of_class(dom, "error") == "-");
  // Snapshot progress: both tables done, and the rows the snapshot read.
  CHECK(json_field(after, "tables_total") == "2");
  CHECK(dom.find("<progress class=\"snap-tables\" max=\"2\" value=\"2\">") != std::string::npos);
  CHECK(dom.find("(50 rows,") != std::string::npos);
  // The lag chart: a polyline with one point per poll.
  CHECK(std::regex_search(dom, std::regex("<polyline [^>]*points=\"0,[-0-9.]+")));

  const std::string png = screenshot(p, root, "status_page.png");
  const std::string bytes = read_file(png);
  MESSAGE("status page screenshot: " << png << " (" << bytes.size() << " bytes)");
  REQUIRE(bytes.size() > 2000);
  CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);

  sluice->signal(SIGTERM);
  CHECK(sluice->wait(20s) == 0);
  std::filesystem::remove_all(p.dir);
}

namespace {

// One table's entry of the API's snapshot.tables, parsed.
struct TableBar {
  std::string state;
  uint64_t rows_read = 0;
  std::string rows_estimated;  // digits or "null"
  std::string percent;         // as the API wrote it, or "null"
};

TableBar table_bar(const std::string& body, const std::string& table) {
  const std::regex re("\\{\"table\":\"" + std::regex_replace(table, std::regex("\\."), "\\.") +
                      "\",\"state\":\"(\\w+)\",\"rows_read\":(\\d+),\"rows_estimated\":(\\d+|null),"
                      "\"percent\":([-0-9.e]+|null)\\}");
  std::smatch m;
  if (!std::regex_search(body, m, re)) FAIL("no snapshot.tables entry for " << table);
  return {m[1].str(), std::stoull(m[2].str()), m[3].str(), m[4].str()};
}

// The <li> of `table` on the page: its state, its bar's value attribute ("" when the bar is
// indeterminate) and its text.
struct PageBar {
  std::string state;
  std::string value;
  std::string text;
};

PageBar page_bar(const std::string& dom, const std::string& table) {
  const std::regex re("<li class=\"snap-table-row\" data-table=\"" +
                      std::regex_replace(table, std::regex("\\."), "\\.") +
                      "\" data-state=\"(\\w+)\"><progress class=\"snap-table-bar\"( max=\"100\" "
                      "value=\"([0-9.]+)\")?></progress><span class=\"snap-table-text\">([^<]*)<");
  std::smatch m;
  if (!std::regex_search(dom, m, re)) FAIL("no bar for " << table << " on the page");
  return {m[1].str(), m[3].str(), m[4].str()};
}

std::string fixed1(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

}  // namespace

TEST_CASE(
    "status page: per-table snapshot bars match the API mid-snapshot (paused) and at its end") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS ctlbars");
  sql.run("DROP TABLE IF EXISTS ctlbars.big");
  sql.run("DROP TABLE IF EXISTS ctlbars.small");
  sql.run("CREATE TABLE ctlbars.big (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  sql.run("CREATE TABLE ctlbars.small (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  constexpr int kBig = 200000;
  sql.run("INSERT INTO ctlbars.big SELECT seq, CONCAT('v', seq) FROM ctlbars.seq_1_to_" +
          std::to_string(kBig));
  insert_rows(sql, "ctlbars.small", 1, 10, 10);
  sql.run("ANALYZE TABLE ctlbars.big, ctlbars.small");
  // The estimates a user would see in information_schema (InnoDB's statistics, not counts).
  std::map<std::string, std::string> estimate;
  for (const auto& r : sql.query("SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
                                 "WHERE TABLE_SCHEMA='ctlbars'")) {
    estimate["ctlbars." + r.at(0).value()] = r.at(1).value();
  }
  REQUIRE(estimate.size() == 2);
  MESSAGE("estimates: big " << estimate["ctlbars.big"] << ", small " << estimate["ctlbars.small"]);

  Pipeline p = write_pipeline("sluice-ctl-bars", "ctlbars\\..*", 5804, "ctl-bars", "", true);
  {
    // Small chunks, so that the pause finds the big table part-read.
    std::string yaml = read_file(p.config);
    yaml = std::regex_replace(yaml, std::regex("  scan.startup.mode: initial\n"),
                              "  scan.startup.mode: initial\n"
                              "  scan.incremental.snapshot.chunk.size: 500\n");
    std::ofstream(p.config) << yaml;
  }
  INFO("dir " << p.dir);
  auto sluice = start(p);
  REQUIRE(wait_ready(p.port, *sluice));
  // Pause as soon as the snapshot has read rows: the big table is then being read.
  bool reading = false;
  for (auto until = std::chrono::steady_clock::now() + 60s;
       !reading && std::chrono::steady_clock::now() < until;) {
    const std::string body = http_request(p.base).second;
    reading = json_field(body, "reading") == "true" && json_field(body, "rows") != "0";
    if (!reading) std::this_thread::sleep_for(5ms);
  }
  REQUIRE(reading);
  const auto paused = http_request(p.base + "/pause", "POST");
  REQUIRE(paused.first == 200);

  const std::string mid = http_request(p.base).second;
  INFO("API while paused: " << mid);
  const TableBar big = table_bar(mid, "ctlbars.big");
  const TableBar small = table_bar(mid, "ctlbars.small");
  REQUIRE(big.state == "reading");
  CHECK(big.rows_read > 0);
  CHECK(big.rows_read < static_cast<uint64_t>(kBig));
  CHECK(big.rows_estimated == estimate["ctlbars.big"]);
  const double est = std::stod(big.rows_estimated);
  CHECK(std::stod(big.percent) ==
        doctest::Approx(std::min(99.9, std::floor(1000.0 * big.rows_read / est) / 10)));
  CHECK(small.state == "waiting");
  CHECK(small.rows_read == 0);
  CHECK(small.rows_estimated == estimate["ctlbars.small"]);
  CHECK(std::stod(small.percent) == 0);
  // Everything read before the pause reaches the sink, and nothing more is read.
  REQUIRE(wait_lines(p.out, big.rows_read, 60s));
  std::this_thread::sleep_for(300ms);
  CHECK(lines_of(p.out).size() == big.rows_read);

  const std::string root = "http://127.0.0.1:" + std::to_string(p.port) + "/";
  auto argv = chromium_argv(p.dir + "/chromium-dom");
  argv.push_back("--dump-dom");
  argv.push_back(root);
  const auto dumped = run_command(argv, 90s);
  REQUIRE(dumped.exit_code == 0);
  INFO("DOM: " << dumped.out);
  const PageBar big_bar = page_bar(dumped.out, "ctlbars.big");
  CHECK(big_bar.state == "reading");
  CHECK(std::stod(big_bar.value) == doctest::Approx(std::stod(big.percent)));
  CHECK(big_bar.text == "ctlbars.big reading: " + std::to_string(big.rows_read) + " of ~" +
                            big.rows_estimated + " rows (" + fixed1(std::stod(big.percent)) + "%)");
  const PageBar small_bar = page_bar(dumped.out, "ctlbars.small");
  CHECK(small_bar.state == "waiting");
  CHECK(small_bar.value == "0");
  CHECK(small_bar.text == "ctlbars.small waiting: 0 of ~" + small.rows_estimated + " rows (0.0%)");

  const std::string png = screenshot(p, root, "status_page_snapshot.png");
  MESSAGE("status page screenshot mid-snapshot: " << png);
  CHECK(read_file(png).compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);

  // Resumed: both tables read to the end, every row exactly once.
  REQUIRE(http_request(p.base + "/resume", "POST").first == 200);
  REQUIRE(wait_lines(p.out, kBig + 10, 120s));
  std::string end;
  for (auto until = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < until;) {
    end = http_request(p.base).second;
    if (json_field(end, "reading") == "false" && table_bar(end, "ctlbars.small").state == "done")
      break;
    std::this_thread::sleep_for(50ms);
  }
  INFO("API at the end: " << end);
  CHECK(table_bar(end, "ctlbars.big").state == "done");
  CHECK(table_bar(end, "ctlbars.big").rows_read == static_cast<uint64_t>(kBig));
  CHECK(table_bar(end, "ctlbars.big").percent == "100");
  CHECK(table_bar(end, "ctlbars.small").state == "done");
  CHECK(table_bar(end, "ctlbars.small").rows_read == 10);
  CHECK(lines_of(p.out).size() == static_cast<size_t>(kBig + 10));

  sluice->signal(SIGTERM);
  CHECK(sluice->wait(20s) == 0);
  std::filesystem::remove_all(p.dir);
}
