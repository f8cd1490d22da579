// A full disk under the file sink's output and under the state dir: each on a small tmpfs
// that the test mounts (the tests run as root; a machine where mount is refused fails the test
// with the reason). sluice must report the full disk naming the path, keep every row it was
// given, and finish exactly once when space is freed.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/file_lines.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

// A tmpfs of `size` at `path`, unmounted however the test ends.
class SmallFilesystem {
 public:
  SmallFilesystem(std::string path, const std::string& size) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + size;
    REQUIRE_MESSAGE(::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0,
                    "mount -t tmpfs -o " << options << " " << path_ << ": " << std::strerror(errno)
                                         << " (the test needs root)");
  }
  ~SmallFilesystem() { ::umount2(path_.c_str(), MNT_DETACH); }
  void resize(const std::string& size) {
    const std::string options = "size=" + size;
    REQUIRE(::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string write_pipeline(const std::string& dir, const std::string& out, const std::string& state,
                           long rows, int rate = 20000) {
  const std::string path = dir + "/pipeline-" + std::to_string(rows) + ".yaml";
  std::ofstream(path) << "source:\n  type: datagen\n  table: orders\n  number-of-rows: " << rows
                      << "\n  rows-per-second: " << rate
                      << "\n  batch-size: 97\n  seed: 7\n"
                         "  columns:\n"
                         "    - {name: id, type: bigint, kind: sequence, primary-key: true}\n"
                         "    - {name: note, type: varchar(120)}\n"
                         "sink:\n  type: file\n  path: "
                      << out
                      << "\n  value.format: upsert\n"
                         "pipeline:\n  name: disk\n  state.dir: "
                      << state
                      << "\n  checkpoint.interval: 30ms\n  metrics.port: 0\n"
                         "  restart.initial-backoff: 50ms\n  restart.max-backoff: 300ms\n";
  return path;
}

bool log_has(const std::string& log, const std::string& text, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (read_file(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void check_all_rows(const std::string& out, long rows) {
  const auto ids = upsert_ids(out);
  REQUIRE(ids.size() == static_cast<size_t>(rows));
  for (long i = 0; i < rows; ++i) {
    if (ids[static_cast<size_t>(i)] != i + 1)
      FAIL("row " << i << " has id " << ids[static_cast<size_t>(i)] << ", expected " << i + 1);
  }
}

}  // namespace

TEST_CASE("full disk under the file sink: reported with the path, nothing lost when freed") {
  const std::string dir = make_temp_dir("sluice-full-disk-file");
  SmallFilesystem small(dir + "/small", "1m");
  constexpr long kRows = 20000;  // about 4 MB of lines
  const std::string out = small.path() + "/out.jsonl";
  const std::string config = write_pipeline(dir, out, dir + "/state", kRows);
  const std::string err_log = dir + "/stderr.log";
  INFO("sluice log: " << err_log);
  ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", err_log);
  REQUIRE(log_has(err_log, out + ": No space left on device", 30s));
  std::this_thread::sleep_for(1s);
  REQUIRE(sluice.running());  // it waits for space (retrying from its last checkpoint)
  CHECK(upsert_ids(out).size() < static_cast<size_t>(kRows));

  small.resize("64m");
  REQUIRE(sluice.wait(60s) == 0);
  check_all_rows(out, kRows);
  std::system(("umount -l '" + small.path() + "'; rm -rf '" + dir + "'").c_str());
}

// Fills `fs` until `left` bytes stay free: below the state store's 1 MiB guard, yet room for
// what RocksDB writes, so the refusal comes from the guard and never from a write cut short.
void fill_leaving(const std::string& ballast, const std::string& fs_path, uint64_t left) {
  const uint64_t free = std::filesystem::space(fs_path).available;
  REQUIRE(free > left);
  std::filesystem::resize_file(ballast, 0);
  std::ofstream out(ballast, std::ios::binary);
  const std::string block(64 << 10, 'b');
  for (uint64_t n = 0; n + block.size() <= free - left; n += block.size()) out << block;
  out.close();
  REQUIRE(std::filesystem::space(fs_path).available < (1u << 20));
}

TEST_CASE("full disk under the state dir: reported with the dir, nothing lost when freed") {
  const std::string dir = make_temp_dir("sluice-full-disk-state");
  SmallFilesystem small(dir + "/small", "8m");
  const std::string state = small.path() + "/state";
  constexpr long kRows = 12000;
  const std::string out = dir + "/out.jsonl";
  const std::string config = write_pipeline(dir, out, state, kRows, 2000);  // 6 s of rows
  const std::string err_log = dir + "/stderr.log";
  const std::string ballast = small.path() + "/ballast";
  std::ofstream(ballast).close();
  INFO("sluice log: " << err_log);
  {  // The disk fills while sluice runs: checkpoints are refused, it waits, and goes on.
    ChildProcess sluice({sluice_binary(), "run", config}, dir + "/stdout.log", err_log);
    // Filled once rows flow (the store is open by then), not after a fixed second: a loaded
    // machine once started slower, and the start itself was refused.
    const auto until = std::chrono::steady_clock::now() + 30s;
    std::error_code ec;
    while ((std::filesystem::file_size(out, ec) < 8192 || ec) &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(sluice.running());
    fill_leaving(ballast, small.path(), 512 << 10);
    REQUIRE(log_has(err_log, "in " + state + ": No space left on device", 20s));
    std::this_thread::sleep_for(1s);
    CHECK(sluice.running());
    CHECK(upsert_ids(out).size() < static_cast<size_t>(kRows));  // waiting, not done
    std::filesystem::resize_file(ballast, 0);
    REQUIRE(sluice.wait(60s) == 0);
  }
  check_all_rows(out, kRows);

  {  // Full at start: it stops at once naming the dir, and a start after freeing resumes.
    const std::string config2 = write_pipeline(dir, out, state, 2 * kRows, 0);
    fill_leaving(ballast, small.path(), 512 << 10);
    const CommandResult r = run_command({sluice_binary(), "run", config2}, 30s);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("opening the state dir " + state + ": No space left on device") !=
          std::string::npos);
    std::filesystem::resize_file(ballast, 0);
    CHECK(run_command({sluice_binary(), "run", config2}, 60s).exit_code == 0);
  }
  check_all_rows(out, 2 * kRows);
  std::system(("umount -l '" + small.path() + "'; rm -rf '" + dir + "'").c_str());
}
