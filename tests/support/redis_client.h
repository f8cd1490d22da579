// RedisClient: a hiredis connection for integration tests to read what the Redis sink wrote
// (and to seed keys). Every reply is flattened to text; a failed command or an error reply
// throws std::runtime_error, failing the test with the reason. Not thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

struct redisContext;

namespace cdc::testing {

struct RedisValue {
  enum class Kind { nil, text, integer, array } kind = Kind::nil;
  std::string text;  // string/status text, or the integer in decimal
  std::vector<RedisValue> items;
  bool is_nil() const { return kind == Kind::nil; }
};

class RedisClient {
 public:
  RedisClient(const std::string& host, int port);
  RedisClient();  // the services' Redis (SLUICE_REDIS_HOST/PORT)
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  RedisValue command(const std::vector<std::string>& args);
  // GET as an optional string.
  std::optional<std::string> get(const std::string& key);
  // HGETALL as sorted "field=value" lines joined by '\n'.
  std::string hash(const std::string& key);
  // Every key matching `pattern` (SCAN), sorted.
  std::vector<std::string> keys(const std::string& pattern);
  // After SUBSCRIBE: the next pushed message's payload, or nullopt after `timeout`.
  std::optional<std::string> next_message(std::chrono::milliseconds timeout);

 private:
  redisContext* c_;
};

}  // namespace cdc::testing
