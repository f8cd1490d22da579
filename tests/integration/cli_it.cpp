// The `sluice` command line: exit codes and messages a user and a supervisor rely on.

#include <doctest/doctest.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/support/child_process.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {
CommandResult sluice(std::vector<std::string> args) {
  args.insert(args.begin(), sluice_binary());
  return run_command(args, 60s);
}
}  // namespace

TEST_CASE("sluice --help, --version and usage errors") {
  auto help = sluice({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("sluice run FILE") != std::string::npos);
  auto version = sluice({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("sluice ", 0) == 0);
  auto none = sluice({});
  CHECK(none.exit_code == 2);
  CHECK(none.err.rfind("sluice: missing command", 0) == 0);
  auto unknown = sluice({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.rfind("sluice: unknown command 'frobnicate'", 0) == 0);
  auto level = sluice({"--log-level", "loud", "validate", "x.yaml"});
  CHECK(level.exit_code == 2);
  CHECK(level.err.rfind("sluice: unknown log level 'loud'", 0) == 0);
}

TEST_CASE("sluice validate: exit 0 for every example, 2 with every problem listed") {
  auto ok = sluice({"validate", source_dir() + "/config/examples/datagen-to-file.yaml"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("datagen-to-file.yaml: ok (1 pipeline)") != std::string::npos);

  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string bad = dir + "/bad.yaml";
  std::ofstream(bad) << "source:\n"
                        "  type: datagen\n"
                        "  tabel: t\n"
                        "  columns: [{name: id, type: int}]\n"
                        "sink: {type: file}\n"
                        "pipeline:\n"
                        "  name: p\n"
                        "  checkpoint.interval: 10 parsecs\n";
  auto r = sluice({"validate", bad});
  CHECK(r.exit_code == 2);
  CHECK(r.err == bad + ":2:3: source.table: missing required key 'table'\n" + bad +
                     ":3:3: source.tabel: unknown key 'tabel'; did you mean 'table'?\n" + bad +
                     ":5:7: sink.path: missing required key 'path'\n" + bad +
                     ":8:24: pipeline.checkpoint.interval: expected a duration such as 500ms, 10s, "
                     "5min, 2h or 1d, "
                     "found '10 parsecs' (unknown unit 'parsecs'; use ms, s, min, h or d)\n" +
                     "sluice: 4 problems in " + bad + "\n");
  auto missing = sluice({"validate", dir + "/nope.yaml"});
  CHECK(missing.exit_code == 2);
  // `run` refuses a bad file the same way, before opening anything.
  auto run = sluice({"run", bad});
  CHECK(run.exit_code == 2);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("issue_19: sluice validate refuses the expressions run would refuse, without a server") {
  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string bad = dir + "/expr.yaml";
  std::ofstream(bad) << "source:\n"
                        "  type: datagen\n"
                        "  table: t\n"
                        "  columns: [{name: id, type: int}, {name: x, type: varchar(10)}]\n"
                        "transform:\n"
                        "  - source-table: datagen.t\n"
                        "    projection: id, NOSUCHFN(id) AS a, REGEXP(x, '(unclosed') AS b\n"
                        "    filter: id >>> 3\n"
                        "  - source-table: datagen.t\n"
                        "    projection: \"id, UPPER(x, x) AS u, SUBSTR(x, 'one') AS s\"\n"
                        "    filter: id > DATE '2024-13-01'\n"
                        "sink: {type: file, path: "
                     << dir
                     << "/out.jsonl}\n"
                        "pipeline:\n"
                        "  name: p\n"
                        "  state.dir: "
                     << dir << "/state\n";
  auto r = sluice({"validate", bad});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err ==
        bad +
            ":7:21: transform[0] projection: at column 1 of 'NOSUCHFN(id)': unknown function "
            "NOSUCHFN\n" +
            bad +
            ":7:40: transform[0] projection: at column 11 of 'REGEXP(x, '(unclosed')': invalid "
            "regular expression at character 10 of '(unclosed': missing closing parenthesis\n" +
            bad +
            ":8:13: transform[0] filter: at column 5 of 'id >>> 3': expected an expression, found "
            "'>'\n" +
            bad +
            ":10:22: transform[1] projection: at column 1 of 'UPPER(x, x)': UPPER takes 1 "
            "argument, got 2\n" +
            bad +
            ":10:40: transform[1] projection: at column 11 of 'SUBSTR(x, 'one')': SUBSTR needs an "
            "integer here, got STRING\n" +
            bad +
            ":11:13: transform[1] filter: at column 6 of 'id > DATE '2024-13-01'': invalid DATE "
            "literal '2024-13-01' (expected 'YYYY-MM-DD')\n" +
            "sluice: 6 problems in " + bad + "\n");
  // `run` refuses it the same way, before anything starts.
  auto run = sluice({"run", bad});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("unknown function NOSUCHFN") != std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("issue_19: 100k unknown keys are validated in under 2 s: 100 shown and the count") {
  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string big = dir + "/big.yaml";
  {
    std::ofstream f(big);
    for (int i = 0; i < 100'000; ++i) f << "key" << i << ": 1\n";
  }
  // The child's CPU time (what this code costs), beside the wall time (what a busy test
  // machine adds).
  const auto children_cpu = [] {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double cpu_before = children_cpu();
  const auto start = std::chrono::steady_clock::now();
  auto r = sluice({"validate", big});
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = children_cpu() - cpu_before;
  MESSAGE("sluice validate of 100k unknown keys: " << cpu << " s of CPU, " << wall << " s");
  CHECK(cpu < 2.0);  // quadratic, 40k keys took 17 s
  CHECK(r.exit_code == 2);
  std::vector<std::string> lines;
  for (size_t at = 0; at < r.err.size();) {
    const size_t end = r.err.find('\n', at);
    lines.push_back(r.err.substr(at, end - at));
    at = end + 1;
  }
  REQUIRE(lines.size() == 101);
  CHECK(lines[0] == big +
                        ":1:1: key0: unknown key 'key0'; expected one of: source, sink, route, "
                        "transform, pipeline, pipelines");
  CHECK(lines[1] == big + ":1:1: source: missing required key 'source'");
  CHECK(lines[99] == big +
                         ":97:1: key96: unknown key 'key96'; expected one of: source, sink, "
                         "route, transform, pipeline, pipelines");
  CHECK(lines[100] == "sluice: 100003 problems in " + big + "; the first 100 are shown");
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("issue_19: bytes from a garbage file reach the terminal escaped; a NUL is named") {
  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string garbage = dir + "/garbage.yaml";
  std::ofstream(garbage) << "\x1b[2J\x1b]0;owned\x07: 1\nk\xc2\x9b"
                            "31m\xff: 2\n";
  auto r = sluice({"validate", garbage});
  CHECK(r.exit_code == 2);
  const std::string known = "expected one of: source, sink, route, transform, pipeline, pipelines";
  CHECK(r.err == garbage +
                     ":1:1: \\x1b[2J\\x1b]0;owned\\x07: unknown key "
                     "'\\x1b[2J\\x1b]0;owned\\x07'; " +
                     known + "\n" + garbage + ":1:1: source: missing required key 'source'\n" +
                     garbage + ":1:1: sink: missing required key 'sink'\n" + garbage +
                     ":1:1: pipeline: missing required key 'pipeline'\n" + garbage +
                     ":2:1: k\\u009b31m\\xff: unknown key 'k\\u009b31m\\xff'; " + known +
                     "\nsluice: 5 problems in " + garbage + "\n");
  CHECK(r.err.find('\x1b') == std::string::npos);
  const std::string nul = dir + "/nul.yaml";
  std::ofstream(nul) << std::string("source:\n  type: data\0gen\n", 25);
  auto n = sluice({"validate", nul});
  CHECK(n.exit_code == 2);
  CHECK(n.err == nul +
                     ":2:13: a NUL byte (at byte 20): a configuration file is UTF-8 text; is "
                     "this a binary file?\nsluice: 1 problem in " +
                     nul + "\n");
  std::system(("rm -rf '" + dir + "'").c_str());
}

namespace {
// A pipeline file in `dir` that generates 10 rows into a file and ends; returns its path.
// `name` is YAML (quote free text).
std::string ten_row_pipeline(const std::string& dir, const std::string& name) {
  const std::string file = dir + "/p.yaml";
  std::ofstream(file) << "source:\n"
                         "  type: datagen\n"
                         "  table: t\n"
                         "  number-of-rows: 10\n"
                         "  columns: [{name: id, type: int, kind: sequence}]\n"
                         "sink: {type: file, path: "
                      << dir << "/out.jsonl}\n"
                      << "pipeline: {name: " << name << ", state.dir: " << dir
                      << "/state, metrics.port: 0}\n";
  return file;
}
}  // namespace

TEST_CASE("sluice checkpoints lists a finished pipeline's checkpoints, as a table and as JSON") {
  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string file = ten_row_pipeline(dir, "cli");
  REQUIRE(sluice({"run", file}).exit_code == 0);
  auto table = sluice({"checkpoints", "--state-dir", dir + "/state"});
  CHECK(table.exit_code == 0);
  CHECK(table.out.rfind("PIPELINE  ID  WALL_TIME", 0) == 0);
  CHECK(table.out.find("cli       2 ") != std::string::npos);
  CHECK(table.out.find("datagen:row=10 ") != std::string::npos);
  auto json = sluice({"checkpoints", file, "--json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"pipeline\":\"cli\"") != std::string::npos);
  auto none = sluice({"checkpoints", "--state-dir", dir + "/nothing-here"});
  CHECK(none.exit_code == 1);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("sluice run --log-format json: every line of the log is one JSON object") {
  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string file = ten_row_pipeline(dir, "'JSON logs'");
  const auto run = sluice({"run", file, "--log-format", "json", "--log-level", "info"});
  REQUIRE(run.exit_code == 0);
  INFO(run.err);
  simdjson::dom::parser parser;
  size_t lines = 0, of_pipeline = 0;
  std::istringstream in(run.err);
  for (std::string line; std::getline(in, line);) {
    ++lines;
    simdjson::dom::object o;
    REQUIRE_MESSAGE(parser.parse(line).get(o) == simdjson::SUCCESS, line);
    std::string_view time, level, message;
    CHECK(o["time"].get(time) == simdjson::SUCCESS);
    CHECK(time.size() == 24);  // 2024-05-01T12:34:56.789Z
    CHECK(o["level"].get(level) == simdjson::SUCCESS);
    CHECK(o["message"].get(message) == simdjson::SUCCESS);
    CHECK(o["fields"].is_object());
    std::string_view pipeline;
    if (o["pipeline"].get(pipeline) == simdjson::SUCCESS && pipeline == "JSON logs") ++of_pipeline;
  }
  CHECK(lines >= 2);
  CHECK(of_pipeline >= 1);  // the pipeline's lines carry its name as written
  std::system(("rm -rf '" + dir + "'").c_str());
}
