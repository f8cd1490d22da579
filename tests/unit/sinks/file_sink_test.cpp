#include "sinks/file/file_sink.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/datagen_rows.h"

using namespace cdc;

namespace {
std::string fresh(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           ("sluice-file-sink-" + std::to_string(::getpid()) + name);
  std::filesystem::remove(p);
  return p.string();
}
std::unique_ptr<Batch> rows(uint64_t from, uint64_t count) {
  return testing::datagen_rows(from, count);
}
}  // namespace

TEST_CASE("file sink: restart truncates what followed the last checkpoint") {
  const auto path = fresh("trunc.jsonl");
  sinks::FileSink sink(path, json::Format::upsert);
  REQUIRE(sink.open({}));
  REQUIRE(sink.write(*rows(0, 3)));
  auto state = sink.prepare(1, DatagenPosition{3});
  REQUIRE(state);
  REQUIRE(sink.write(*rows(3, 2)));
  REQUIRE(sink.prepare(
      2, DatagenPosition{5}));  // flushed, but its record "never reached" the state store
  sink.close();
  CHECK(std::filesystem::file_size(path) > *sinks::FileSink::decode_state(*state));

  std::vector<CheckpointRecord> history{{1, DatagenPosition{3}, *state, 0}};
  sinks::FileSink again(path, json::Format::upsert);
  auto resumed = again.open(history);
  REQUIRE(resumed);
  REQUIRE(resumed->has_value());
  CHECK((*resumed)->id == 1);
  CHECK(std::filesystem::file_size(path) == *sinks::FileSink::decode_state(*state));
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  CHECK(all ==
        "{\"key\":{\"id\":1},\"value\":{\"id\":1}}\n"
        "{\"key\":{\"id\":2},\"value\":{\"id\":2}}\n"
        "{\"key\":{\"id\":3},\"value\":{\"id\":3}}\n");
}

TEST_CASE("file sink: on_idle puts the buffered lines in the file before any checkpoint") {
  const auto path = fresh("idle.jsonl");
  sinks::FileSink sink(path, json::Format::upsert);
  REQUIRE(sink.open({}));
  REQUIRE(sink.write(*rows(0, 2)));
  CHECK(std::filesystem::file_size(path) == 0);  // buffered
  REQUIRE(sink.on_idle(DatagenPosition{2}));
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  CHECK(all ==
        "{\"key\":{\"id\":1},\"value\":{\"id\":1}}\n"
        "{\"key\":{\"id\":2},\"value\":{\"id\":2}}\n");
  sink.close();
}

TEST_CASE("file sink: refuses a file it did not write and a file shorter than its checkpoint") {
  const auto path = fresh("foreign.jsonl");
  { std::ofstream(path) << "someone else's data\n"; }
  sinks::FileSink sink(path, json::Format::debezium_json);
  auto r = sink.open({});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_config);
  CHECK(r.error().message.find("already holds 20 bytes but the pipeline has no checkpoint") !=
        std::string::npos);

  std::vector<CheckpointRecord> history{
      {4, DatagenPosition{9}, sinks::FileSink::encode_state(999), 0}};
  auto shorter = sink.open(history);
  REQUIRE_FALSE(shorter);
  CHECK(shorter.error().message == "file " + path +
                                       " holds 20 bytes, fewer than the 999 of checkpoint 4: it "
                                       "was truncated or replaced outside sluice");
  CHECK_FALSE(sinks::FileSink::decode_state("\x01\x02"));
}
