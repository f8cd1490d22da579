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
