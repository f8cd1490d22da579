// CommandBuffer: RESP bytes exactly as Redis expects them, per-type counts, ranges and the
// command description used in error messages.
#include "sinks/redis/command_buffer.h"

#include <doctest/doctest.h>

using namespace cdc::sinks::redis;

TEST_CASE("command buffer: RESP encoding, counts, ranges and descriptions") {
  CommandBuffer b;
  b.command(CommandType::set, {"SET", "k", std::string_view("a\r\nb", 4)});
  b.start(CommandType::del, 2);
  b.arg("DEL");
  b.arg("");
  CHECK(b.bytes() == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n*2\r\n$3\r\nDEL\r\n$0\r\n\r\n");
  CHECK(b.size() == 2);
  CHECK(b.counts()[static_cast<size_t>(CommandType::set)] == 1);
  CHECK(b.counts()[static_cast<size_t>(CommandType::del)] == 1);
  CHECK(b.range(1, 2) == "*2\r\n$3\r\nDEL\r\n$0\r\n\r\n");
  CHECK(b.range(0, 0).empty());
  CHECK(b.describe(0) == "SET k");
  CHECK(b.describe(1) == "DEL ");
  b.clear();
  CHECK(b.empty());
  CHECK(b.bytes().empty());
  CHECK(b.counts()[static_cast<size_t>(CommandType::set)] == 0);
}

TEST_CASE(
    "command buffer: adjacent SETs become one MSET, in order, and other commands split them") {
  CommandBuffer b;
  b.set("a", "1");
  b.set("b", "2");
  b.command(CommandType::del, {"DEL", "a"});
  b.set("a", "3");
  CHECK(b.size() == 3);
  CHECK(b.operations() == 4);
  b.seal();
  CHECK(b.bytes() ==
        "*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
        "*2\r\n$3\r\nDEL\r\n$1\r\na\r\n"
        "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n3\r\n");
  CHECK(b.describe(0) == "MSET a");
  CHECK(b.counts()[static_cast<size_t>(CommandType::set)] == 3);
  b.seal();  // idempotent
  CHECK(b.size() == 3);
  b.clear();
  for (size_t i = 0; i < kMaxMsetPairs + 1; ++i) b.set("k", "v");
  b.seal();
  CHECK(b.size() == 2);  // an MSET is capped so that no single command blocks Redis for long
  CHECK(b.operations() == kMaxMsetPairs + 1);
  CHECK(b.range(1, 2) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
}
