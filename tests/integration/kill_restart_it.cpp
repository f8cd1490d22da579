// The exactly-once promise of the file sink, tested the hard way: `sluice run` is SIGKILLed
// at random moments and restarted, over and over; in the end the file must hold every
// generated row exactly once, in order.

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

constexpr long kRows = 40000;

std::string write_pipeline(const std::string& dir, const std::string& name, long rows, int rate) {
  const std::string path = dir + "/pipeline.yaml";
  std::ofstream(path) << "source:\n"
                         "  type: datagen\n"
                         "  table: orders\n"
                         "  number-of-rows: "
                      << rows
                      << "\n"
                         "  rows-per-second: "
                      << rate
                      << "\n"
                         "  batch-size: 97\n"
                         "  seed: 7\n"
                         "  columns:\n"
                         "    - {name: id, type: bigint, kind: sequence, primary-key: true}\n"
                         "    - {name: amount, type: 'decimal(12,2)', min: 0, max: 10000}\n"
                         "    - {name: note, type: varchar(24)}\n"
                         "sink:\n"
                         "  type: file\n"
                         "  path: "
                      << dir
                      << "/out.jsonl\n"
                         "  value.format: upsert\n"
                         "pipeline:\n"
                         "  name: "
                      << name
                      << "\n"
                         "  state.dir: "
                      << dir
                      << "/state\n"
                         "  checkpoint.interval: 30ms\n"
                         "  metrics.port: 0\n";
  return path;
}

}  // namespace

TEST_CASE("file sink: SIGKILL at random moments, restart, and every row is there exactly once") {
  const std::string dir = make_temp_dir("sluice-kill-it");
  // SLUICE_KILLS=100 for the long run (README); more kills need more rows to land in.
  const char* kills_env = std::getenv("SLUICE_KILLS");
  const int rounds = kills_env != nullptr ? std::atoi(kills_env) : 30;
  const long rows = kRows * std::max(1, rounds / 25);
  const std::string config = write_pipeline(dir, "kill-loop", rows, 4000);
  const uint64_t seed = std::random_device{}();
  INFO("random seed " << seed << ", dir " << dir);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 350);

  int kills = 0;
  int partial_files = 0;
  auto out_size = [&] {
    std::error_code ec;
    const uintmax_t n = std::filesystem::file_size(dir + "/out.jsonl", ec);
    return ec ? uintmax_t{0} : n;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::max(120, rounds * 4) * 1s;
  for (int round = 0; round < rounds && std::chrono::steady_clock::now() < deadline; ++round) {
    const uintmax_t size_before = out_size();
    ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
    // Three runs of four are killed a random moment after they write (a loaded machine's start
    // can outlast the whole delay, and a CI run once had few kills with rows flowing); the
    // fourth a random moment after its start, which may be inside the start.
    if (round % 4 != 3) {
      const auto until = std::chrono::steady_clock::now() + 30s;
      while (out_size() <= size_before && sluice.running() &&
             std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(5ms);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (!sluice.running()) break;  // it finished all rows: nothing left to interrupt
    sluice.signal(SIGKILL);
    REQUIRE(sluice.wait(10s) == 128 + SIGKILL);
    ++kills;
    const auto ids = upsert_ids(dir + "/out.jsonl");
    if (!ids.empty() && ids.size() < static_cast<size_t>(rows)) ++partial_files;
  }
  MESSAGE(kills << " kills, " << partial_files << " while rows were flowing, " << rows << " rows");
  CHECK(kills >= std::min(20, rounds));
  CHECK(partial_files >= std::min(10, rounds / 3));  // the kills landed while data was flowing

  // One last, uninterrupted run completes the table.
  ChildProcess last({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(last.wait(120s) == 0);

  const auto ids = upsert_ids(dir + "/out.jsonl");
  REQUIRE(ids.size() == static_cast<size_t>(rows));
  for (long i = 0; i < rows; ++i) {
    if (ids[i] != i + 1) {
      FAIL("row " << i << " has id " << ids[i] << ", expected " << i + 1);
    }
  }
  auto listing = run_command({sluice_binary(), "checkpoints", "--state-dir", dir + "/state"}, 30s);
  CHECK(listing.exit_code == 0);
  CHECK(listing.out.find("datagen:row=" + std::to_string(rows)) != std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("SIGTERM finishes the in-flight checkpoint and exits 0; the restart repeats nothing") {
  const std::string dir = make_temp_dir("sluice-term-it");
  const std::string config = write_pipeline(dir, "term", 3000, 1000);
  {
    ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
    // Stopped once rows flow, not after a fixed time: a loaded machine can take longer than
    // that to start (a CI run once found the file empty at the SIGTERM).
    const auto until = std::chrono::steady_clock::now() + 30s;
    std::error_code ec;
    while ((std::filesystem::file_size(dir + "/out.jsonl", ec) == 0 || ec) && sluice.running() &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(sluice.running());
    sluice.signal(SIGTERM);
    REQUIRE(sluice.wait(20s) == 0);
  }
  const auto after_term = upsert_ids(dir + "/out.jsonl");
  CHECK(after_term.size() > 0);
  CHECK(after_term.size() < 3000);
  // The final checkpoint covers exactly what is in the file.
  auto listing = run_command({sluice_binary(), "checkpoints", "--state-dir", dir + "/state"}, 30s);
  CHECK(listing.out.find("datagen:row=" + std::to_string(after_term.size()) + " ") !=
        std::string::npos);

  ChildProcess again({sluice_binary(), "run", config}, dir + "/stdout.log", dir + "/stderr.log");
  REQUIRE(again.wait(60s) == 0);
  const auto ids = upsert_ids(dir + "/out.jsonl");
  REQUIRE(ids.size() == 3000u);
  for (long i = 0; i < 3000; ++i) REQUIRE(ids[i] == i + 1);
  std::system(("rm -rf '" + dir + "'").c_str());
}
