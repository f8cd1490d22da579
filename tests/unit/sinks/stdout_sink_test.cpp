#include "sinks/stdout/stdout_sink.h"

#include <doctest/doctest.h>

#include <cstdio>

#include "sinks/null/null_sink.h"
#include "tests/support/datagen_rows.h"

using namespace cdc;

namespace {
std::unique_ptr<Batch> rows(uint64_t count) {
  return testing::datagen_rows(0, count, {{.name = "s", .type = "varchar(3)", .values = {"a\"b"}}});
}

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}
}  // namespace

TEST_CASE("stdout sink: one JSON line per event, visible after each batch") {
  std::FILE* out = std::tmpfile();
  sinks::StdoutSink sink(json::Format::upsert, out);
  REQUIRE(sink.open({}));
  REQUIRE(sink.write(*rows(2)));
  CHECK(contents(out) ==
        "{\"key\":{\"id\":1},\"value\":{\"id\":1,\"s\":\"a\\\"b\"}}\n"
        "{\"key\":{\"id\":2},\"value\":{\"id\":2,\"s\":\"a\\\"b\"}}\n");
  auto state = sink.prepare(1, DatagenPosition{2});
  REQUIRE(state);
  CHECK(state->empty());
  CHECK_FALSE(sink.exactly_once());
  std::fclose(out);
}

TEST_CASE("stdout and null sinks resume from the newest checkpoint") {
  std::FILE* out = std::tmpfile();
  sinks::StdoutSink sink(json::Format::debezium_json, out);
  std::vector<CheckpointRecord> history{{5, DatagenPosition{50}, "", 0},
                                        {4, DatagenPosition{40}, "", 0}};
  auto r = sink.open(history);
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK((*r)->id == 5);
  sinks::NullSink null;
  auto n = null.open(history);
  REQUIRE(n);
  CHECK((*n)->id == 5);
  REQUIRE(null.write(*rows(7)));
  CHECK(null.events() == 7);
  CHECK_FALSE(*null.open({}));
  std::fclose(out);
}

TEST_CASE("stdout sink reports a failed write as an io error") {
  std::FILE* full = std::fopen("/dev/full", "w");
  REQUIRE(full != nullptr);
  sinks::StdoutSink sink(json::Format::debezium_json, full);
  REQUIRE(sink.open({}));
  auto st = sink.write(*rows(3));
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::io);
  CHECK(st.error().message.find("No space left on device") != std::string::npos);
  std::fclose(full);
}
