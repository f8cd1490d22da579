// CommandBuffer: Redis commands encoded in RESP, back to back, ready to be written to the
// socket as they are; plus per-type counts for the metrics and the start of each command so
// that a failed reply can name its command. Owned by one thread; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdc::sinks::redis {

// The command types the sink sends, for sluice_redis_commands_total{command}.
enum class CommandType : uint8_t { set, del, hset, hdel, pexpire, publish, xadd, other };
inline constexpr size_t kCommandTypes = 8;
inline constexpr size_t kMaxMsetPairs = 512;
std::string_view to_string(CommandType t);

class CommandBuffer {
 public:
  // Starts a command of `argc` arguments (its name included); exactly `argc` arg() calls follow.
  void start(CommandType type, size_t argc);
  void arg(std::string_view a);
  void command(CommandType type, std::initializer_list<std::string_view> args);
  // SET key value. Adjacent ones are sent as one MSET (up to kMaxMsetPairs pairs): the same
  // effect in the same order, but one command for Redis to parse, queue and answer instead of
  // many, which is most of the cost of a transaction of plain SETs.
  void set(std::string_view key, std::string_view value);
  // Turns pending SETs into their command; bytes(), range() and describe() need it first.
  void seal();

  size_t size() const { return starts_.size() + (pending_pairs_ != 0 ? 1 : 0); }
  bool empty() const { return size() == 0; }
  // Data operations buffered: commands, with each SET coalesced into an MSET counted once.
  size_t operations() const { return operations_; }
  const std::string& bytes() const { return bytes_; }
  const std::array<uint64_t, kCommandTypes>& counts() const { return counts_; }
  // The RESP bytes of commands [first, last).
  std::string_view range(size_t first, size_t last) const;
  // "SET user:7" for command `i`: its name and first argument, for error messages.
  std::string describe(size_t i) const;
  void clear();

 private:
  std::string bytes_;
  std::vector<size_t> starts_;
  std::string pending_;  // RESP arguments of SETs not yet sealed: key, value, key, value, ...
  size_t pending_pairs_ = 0;
  size_t operations_ = 0;
  std::array<uint64_t, kCommandTypes> counts_{};
};

}  // namespace cdc::sinks::redis
