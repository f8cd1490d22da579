// Replay driver for the fuzz targets in builds without libFuzzer (g++, CI): runs
// LLVMFuzzerTestOneInput over every file in the given corpus directories (or files), and over
// every prefix of each file (the truncation sweep of STYLE.md). Each input is passed in a heap
// buffer of exactly its size, so an over-read is caught under -DSLUICE_SANITIZE=ON.
// Usage: fuzz_replay_<target> <corpus dir or file>... [--whole <dir or file>...]   The inputs
// after --whole (a campaign's minimised inputs, which libFuzzer ran with their mutations) are
// run whole, without the prefix sweep: thousands of them, kilobytes each, made the sweep a
// minute long. Exit status non-zero when no input was found (a misnamed corpus must not pass);
// an invariant violation aborts with its message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

void run_one(const std::vector<uint8_t>& bytes, size_t n) {
  // A fresh allocation of exactly n bytes: ASan flags any read at or past data + n.
  auto buf = std::make_unique<uint8_t[]>(n == 0 ? 1 : n);
  std::copy_n(bytes.begin(), n, buf.get());
  (void)LLVMFuzzerTestOneInput(buf.get(), n);  // the return value is always 0 by contract
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<fs::path, bool>> files;  // the file, whether to sweep its prefixes
  bool sweep = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--whole") {
      sweep = false;
      continue;
    }
    const fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.emplace_back(e.path(), sweep);
      }
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p, sweep);
    } else {
      std::fprintf(stderr, "fuzz replay: no such corpus %s\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "fuzz replay: no inputs (usage: %s <corpus dir|file>...)\n", argv[0]);
    return 2;
  }
  size_t runs = 0;
  for (const auto& [f, prefixes] : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "fuzz replay: cannot read %s\n", f.c_str());
      return 2;
    }
    std::fprintf(stderr, "fuzz replay: %s (%zu bytes)\n", f.c_str(), bytes.size());
    run_one(bytes, bytes.size());
    ++runs;
    if (!prefixes) continue;
    for (size_t n = 0; n < bytes.size(); ++n) run_one(bytes, n);
    runs += bytes.size();
  }
  std::printf("fuzz replay: %zu files, %zu runs, no crash\n", files.size(), runs);
  return 0;
}
