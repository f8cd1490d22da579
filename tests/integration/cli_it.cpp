// The `sluice` command line: exit codes and messages a user and a supervisor rely on.

#include <doctest/doctest.h>

#include <fstream>

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

TEST_CASE("sluice checkpoints lists a finished pipeline's checkpoints, as a table and as JSON") {
  const std::string dir = make_temp_dir("sluice-cli-it");
  const std::string file = dir + "/p.yaml";
  std::ofstream(file) << "source:\n"
                         "  type: datagen\n"
                         "  table: t\n"
                         "  number-of-rows: 10\n"
                         "  columns: [{name: id, type: int, kind: sequence}]\n"
                         "sink: {type: file, path: "
                      << dir
                      << "/out.jsonl}\n"
                         "pipeline: {name: cli, state.dir: "
                      << dir << "/state, metrics.port: 0}\n";
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
