// BinlogFileReader: whole events at their file offsets, several files in order, start/stop
// positions, and the refusals: bad magic, a truncated file (every prefix of a fixture), a start
// position inside an event.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog_file_reader.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using testing::load_fixture;
using testing::split_events;

const std::string kDir = std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/mysql/";
const std::string kMariadb = kDir + "rust_mysql_common/mariadb-bin.000001";
const std::string kTime = kDir + "rust_mysql_common/time_issue.000001";

struct Read {
  std::vector<std::pair<std::string, uint64_t>> events;  // file, offset
  std::optional<Error> error;
};

Read read_all(BinlogFileReaderOptions o) {
  Read out;
  auto r = BinlogFileReader::open(std::move(o));
  if (!r) {
    out.error = r.error();
    return out;
  }
  while (true) {
    auto ev = (*r)->next();
    if (!ev) {
      out.error = ev.error();
      return out;
    }
    if (!*ev) return out;
    out.events.emplace_back(std::string((*ev)->file), value((*ev)->offset));
  }
}

std::string write_temp(const std::vector<std::byte>& bytes, size_t n, const std::string& name) {
  const std::string path = "/tmp/sluice-reader-test-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
  return path;
}

TEST_CASE("every event of a file, at the offsets its headers say, then the next file") {
  const auto bytes = load_fixture("mysql/rust_mysql_common/mariadb-bin.000001");
  const auto expected = split_events(bytes);
  std::vector<uint64_t> seen_sizes;
  auto r = BinlogFileReader::open({{kMariadb, kTime}});
  REQUIRE(r);
  (*r)->set_observer([&](const BinlogFileEvent& ev) { seen_sizes.push_back(ev.bytes.size()); });
  for (const auto& want : expected) {
    auto ev = (*r)->next();
    REQUIRE(ev);
    REQUIRE(*ev);
    CHECK((*ev)->file == "mariadb-bin.000001");
    CHECK((*ev)->path == kMariadb);
    CHECK(value((*ev)->offset) == want.offset);
    CHECK(
        std::equal(want.bytes.begin(), want.bytes.end(), (*ev)->bytes.begin(), (*ev)->bytes.end()));
  }
  auto next = (*r)->next();
  REQUIRE(next);
  REQUIRE(*next);
  CHECK((*next)->file == "time_issue.000001");
  CHECK(value((*next)->offset) == 4);
  CHECK(seen_sizes.size() == expected.size() + 1);
  CHECK(seen_sizes[0] == 252);  // FORMAT_DESCRIPTION 4..256 (mariadb-bin.000001.decoded.txt)
}

TEST_CASE("start position (after the FORMAT_DESCRIPTION) and stop position") {
  // Offsets from mariadb-bin.000001.decoded.txt: GTID 0-1-2 at 702, its XID at 1043.
  auto r = read_all({{kMariadb}, BinlogOffset{702}, BinlogOffset{1043}});
  REQUIRE_FALSE(r.error);
  REQUIRE(r.events.size() == 5);
  CHECK(r.events[0].second == 4);
  CHECK(r.events[1].second == 702);
  CHECK(r.events[2].second == 744);
  CHECK(r.events[3].second == 848);
  CHECK(r.events[4].second == 984);
  // Start applies to the first file, stop to the last only.
  auto two = read_all({{kMariadb, kTime}, BinlogOffset{1043}, BinlogOffset{200}});
  REQUIRE_FALSE(two.error);
  // time_issue.000001.decoded.txt: FDE at 4, PREVIOUS_GTIDS at 126, ANONYMOUS_GTID at 157, QUERY at
  // 236.
  REQUIRE(two.events.size() == 5);
  CHECK(two.events[1] == std::pair<std::string, uint64_t>{"mariadb-bin.000001", 1043});
  CHECK(two.events[2] == std::pair<std::string, uint64_t>{"time_issue.000001", 4});
  CHECK(two.events[3] == std::pair<std::string, uint64_t>{"time_issue.000001", 126});
  CHECK(two.events[4] == std::pair<std::string, uint64_t>{"time_issue.000001", 157});
  // Exactly at the end of the file: only the FORMAT_DESCRIPTION.
  CHECK(read_all({{kMariadb}, BinlogOffset{1074}}).events.size() == 1);
}

TEST_CASE("refusals name the file, the offset and the event type") {
  auto inside = read_all({{kMariadb}, BinlogOffset{700}});
  REQUIRE(inside.error);
  CHECK(inside.error->code == Errc::malformed);
  CHECK(inside.error->message.rfind(
            "start position 700 is not the start of an event in " + kMariadb, 0) == 0);
  auto in_fde = read_all({{kMariadb}, BinlogOffset{100}});
  REQUIRE(in_fde.error);
  CHECK(in_fde.error->message ==
        "start position 100 is inside the FORMAT_DESCRIPTION event of " + kMariadb + " (4..256)");
  auto past = read_all({{kMariadb}, BinlogOffset{5000}});
  REQUIRE(past.error);
  CHECK(past.error->message ==
        "start position 5000 is past the end of " + kMariadb + " (1074 bytes)");
  CHECK(read_all({{kMariadb}, BinlogOffset{3}}).error->code == Errc::invalid_config);
  CHECK(read_all({{}}).error->code == Errc::invalid_config);

  auto missing = read_all({{kMariadb, "/nonexistent/x.000002"}});
  REQUIRE(missing.error);
  CHECK(missing.events.empty());  // checked before the first event
  CHECK(missing.error->message == "cannot open /nonexistent/x.000002: No such file or directory");

  auto manifest = read_all({{kDir + "rust_mysql_common/MANIFEST.md"}});
  REQUIRE(manifest.error);
  CHECK(manifest.error->message == kDir +
                                       "rust_mysql_common/MANIFEST.md is not a binlog file: it "
                                       "starts with 23 20 72 75, not the binlog magic fe 62 69 6e");
  const auto bytes = load_fixture("mysql/rust_mysql_common/mariadb-bin.000001");
  const std::string two = write_temp(bytes, 2, "two");
  CHECK(read_all({{two}}).error->message ==
        two + " is not a binlog file: it has 2 bytes, fewer than the 4-byte binlog magic");
  std::remove(two.c_str());
}

TEST_CASE("every prefix of a fixture: whole events, then truncated, never a crash") {
  const auto bytes = load_fixture("mysql/rust_mysql_common/mariadb-bin.000001");
  const auto events = split_events(bytes);
  for (size_t n = 4; n <= bytes.size(); ++n) {
    const std::string path = write_temp(bytes, n, "prefix");
    auto r = read_all({{path}});
    size_t whole = 0;  // events entirely inside the prefix
    bool boundary = n == 4;
    for (const auto& e : events) {
      if (e.offset + e.bytes.size() <= n) ++whole;
      boundary |= e.offset + e.bytes.size() == n;
    }
    INFO("prefix " << n);
    CHECK(r.events.size() == whole);
    if (boundary) {
      CHECK_FALSE(r.error);
    } else {
      REQUIRE(r.error);
      CHECK(r.error->code == Errc::truncated);
      const uint64_t at =
          whole == 0 ? 4 : events[whole - 1].offset + events[whole - 1].bytes.size();
      if (n - at >= 19) {
        CHECK(r.error->message.find(" at " + path + ":" + std::to_string(at) +
                                    ": the file is truncated") != std::string::npos);
      } else {
        const std::string type =
            n - at > 4 ? " (the header of " +
                             describe_event_type(static_cast<uint8_t>(bytes[at + 4])) + ")"
                       : "";
        CHECK(r.error->message == path + " is truncated: " + std::to_string(n - at) +
                                      " bytes at offset " + std::to_string(at) + type +
                                      ", fewer than a 19-byte event header");
      }
    }
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace cdc::mysql
