// A damaged state dir: a corrupted checkpoint record, RocksDB files truncated or lost. sluice
// must refuse with a message that names the dir (and the checkpoint or file) and says what to
// do: exit 1, never a crash, never a silent new start that would drop or repeat rows. The file
// sink's output is left as it was.

#include <doctest/doctest.h>

#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>

#include "state/state_keys.h"
#include "tests/support/child_process.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// datagen → file; a first run writes 3000 rows and their checkpoints.
struct Pipeline {
  std::string dir = make_temp_dir("sluice-damaged-state");
  std::string config = dir + "/pipeline.yaml";
  std::string state = dir + "/state";
  std::string out = dir + "/out.jsonl";

  // `rows_per_second` 0: unlimited. `retained`: checkpoint.retained.
  explicit Pipeline(int rows_per_second = 0, int retained = 3) {
    std::ofstream(config) << "source:\n  type: datagen\n  table: t\n  number-of-rows: 3000\n"
                             "  rows-per-second: "
                          << rows_per_second
                          << "\n  seed: 3\n  columns:\n"
                             "    - {name: id, type: bigint, kind: sequence, primary-key: true}\n"
                             "sink:\n  type: file\n  path: "
                          << out
                          << "\n  value.format: upsert\npipeline:\n  name: damaged\n  state.dir: "
                          << state
                          << "\n  checkpoint.interval: 10ms\n  checkpoint.retained: " << retained
                          << "\n  metrics.port: 0\n";
    REQUIRE(run().exit_code == 0);
    REQUIRE(read_file(out).size() > 0);
  }
  ~Pipeline() { fs::remove_all(dir); }
  CommandResult run(const std::vector<std::string>& options = {}) {
    std::vector<std::string> argv{sluice_binary(), "run", config};
    argv.insert(argv.end(), options.begin(), options.end());
    return run_command(argv, 60s);
  }
};

// The retained checkpoints' ids, oldest first (the pipeline's checkpoint range in key order).
std::vector<uint64_t> checkpoint_ids(rocksdb::DB& db) {
  const std::string prefix = cdc::state::keys::checkpoint_prefix("damaged");
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  std::vector<uint64_t> ids;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ids.push_back(*cdc::state::keys::checkpoint_id(
        std::string_view(it->key().data(), it->key().size()), prefix));
  }
  REQUIRE(!ids.empty());
  return ids;
}

// Overwrites the newest checkpoint record with garbage; returns the retained ids, oldest first.
std::vector<uint64_t> corrupt_newest_checkpoint(const std::string& state) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::Options(), state, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::vector<uint64_t> ids = checkpoint_ids(*db);
  REQUIRE(db->Put(rocksdb::WriteOptions(), cdc::state::keys::checkpoint_key("damaged", ids.back()),
                  "\x01garbage")
              .ok());
  return ids;
}

}  // namespace

TEST_CASE("damaged state: a corrupted checkpoint record is refused with its id") {
  Pipeline p;
  const std::string before = read_file(p.out);
  const uint64_t id = corrupt_newest_checkpoint(p.state).back();
  const CommandResult r = p.run();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(p.state) != std::string::npos);
  CHECK(r.err.find("checkpoint " + std::to_string(id)) != std::string::npos);
  CHECK(read_file(p.out) == before);
}

TEST_CASE(
    "damaged state: sluice run --from-checkpoint ID resumes from an older retained checkpoint, "
    "dropping the damaged newer one; the file ends exactly as before") {
  Pipeline p(/*rows_per_second=*/20000, /*retained=*/100);  // ~150 ms: many checkpoints
  const std::string before = read_file(p.out);
  const std::vector<uint64_t> ids = corrupt_newest_checkpoint(p.state);
  REQUIRE(ids.size() >= 3);
  const std::string damaged = std::to_string(ids.back());
  const std::string older = std::to_string(ids.front());  // early in the run: a long replay
  INFO("retained " << ids.size() << " checkpoints, " << older << " to " << damaged);

  CommandResult r = p.run();
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("checkpoint " + damaged + " in state dir " + p.state + " is damaged") !=
        std::string::npos);
  CHECK(r.err.find("--from-checkpoint ID") != std::string::npos);  // the way out, named
  // `sluice checkpoints` lists the damaged record as such, and the ones to choose from.
  r = run_command({sluice_binary(), "checkpoints", "--state-dir", p.state}, 30s);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\ndamaged   " + damaged + " ") != std::string::npos);
  CHECK(r.out.find("DAMAGED (does not decode)") != std::string::npos);
  CHECK(r.out.find("\ndamaged   " + older + " ") != std::string::npos);

  // The file sink is exactly-once: replaying deliberately needs --yes, as --from-savepoint does.
  r = p.run({"--from-checkpoint", older});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("starting from checkpoint " + older +
                   " deliberately delivers the changes after it again") != std::string::npos);
  r = p.run({"--from-checkpoint", "999999", "--yes"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("has no retained checkpoint 999999 in " + p.state) != std::string::npos);
  r = p.run({"--from-checkpoint", damaged, "--yes"});  // the damaged one itself: refused
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("checkpoint " + damaged + " in state dir") != std::string::npos);
  r = p.run({"--from-checkpoint", "x1", "--yes"});
  CHECK(r.exit_code == 2);
  r = p.run({"--from-checkpoint", older, "--from-savepoint", "s", "--yes"});
  CHECK(r.exit_code == 2);
  CHECK(read_file(p.out) == before);  // nothing refused touched the output

  r = p.run({"--from-checkpoint", older, "--yes"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("--from-checkpoint " + older + ": dropped the newer checkpoints " + damaged) !=
        std::string::npos);
  CHECK(r.err.find("replaying from the savepoint's checkpoint " + older) != std::string::npos);
  // The file sink cut the file back to checkpoint `older` and wrote the rows after it again:
  // every row once, as before.
  CHECK(read_file(p.out) == before);
  r = p.run();  // the damaged record is gone: a plain run resumes
  CHECK(r.exit_code == 0);
  CHECK(read_file(p.out) == before);
}

TEST_CASE("damaged state: a state dir without its CURRENT file is refused, not started anew") {
  Pipeline p;
  const std::string before = read_file(p.out);
  fs::remove(p.state + "/CURRENT");
  const CommandResult r = p.run();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(p.state) != std::string::npos);
  CHECK(r.err.find("but no RocksDB CURRENT file") != std::string::npos);
  CHECK(read_file(p.out) == before);
  CHECK(!fs::exists(p.state + "/CURRENT"));  // nothing was created over the damage
}

TEST_CASE("damaged state: truncated RocksDB files are refused naming the file") {
  for (const std::string kind : {"MANIFEST", ".sst", ".log"}) {
    INFO("truncated: " << kind);
    Pipeline p;
    const std::string before = read_file(p.out);
    if (kind == ".sst") {  // the run's few writes are still in the WAL: flush them to a table
      rocksdb::DB* raw = nullptr;
      REQUIRE(rocksdb::DB::Open(rocksdb::Options(), p.state, &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());
    }
    std::string victim;
    for (const auto& e : fs::directory_iterator(p.state)) {
      const std::string name = e.path().filename().string();
      if (name.find(kind) != std::string::npos && fs::file_size(e.path()) > 0) victim = e.path();
    }
    if (victim.empty()) {
      MESSAGE("no non-empty " << kind << " file in the state dir");
      continue;
    }
    fs::resize_file(victim, fs::file_size(victim) / 2);
    const CommandResult r = p.run();
    INFO(r.err);
    // Refused, or (a torn WAL tail: RocksDB keeps the records before it) resumed from an older
    // checkpoint; never a crash, and the output stays exact.
    CHECK(r.exit_code <= 1);
    if (kind != ".log") {  // a cut MANIFEST or table is refused naming the file and the dir
      CHECK(r.exit_code == 1);
      CHECK(r.err.find(victim) != std::string::npos);
      CHECK(r.err.find("the state store is damaged") != std::string::npos);
    }
    if (r.exit_code == 1) {
      // The store names itself; a WAL cut before the first checkpoint leaves a store with none,
      // which the file sink refuses, naming its file and the state dir setting.
      const bool named = r.err.find(p.state) != std::string::npos ||
                         r.err.find(p.out + " already holds") != std::string::npos;
      CHECK(named);
    }
    CHECK(read_file(p.out) == before);
  }
}
