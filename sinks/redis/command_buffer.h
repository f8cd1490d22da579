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
std::string_view to_string(CommandType t);

class CommandBuffer {
 public:
  // Starts a command of `argc` arguments (its name included); exactly `argc` arg() calls follow.
  void start(CommandType type, size_t argc);
  void arg(std::string_view a);
  void command(CommandType type, std::initializer_list<std::string_view> args);

  size_t size() const { return starts_.size(); }
  bool empty() const { return starts_.empty(); }
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
  std::array<uint64_t, kCommandTypes> counts_{};
};

}  // namespace cdc::sinks::redis
