// RedisConnection: one blocking hiredis connection (TCP or unix socket) with AUTH and SELECT
// done, connect and command timeouts set, and replies checked. Owns its redisContext.
// Not thread-safe: the sink thread's. A failed socket makes every later call fail: the sink
// is then reopened (with the runner's backoff) on a fresh connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <hiredis/hiredis.h>

#include "cdc/core/result.h"
#include "sinks/redis/redis_options.h"

namespace cdc::sinks::redis {

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, FreeReply>;

class RedisConnection {
 public:
  // Errc::unavailable when the server cannot be reached, Errc::auth when AUTH is refused.
  static Result<RedisConnection> connect(const RedisOptions& options);

  // Sends one command and waits for its reply. An error reply is an Error (Errc::malformed)
  // naming the command's first two arguments.
  Result<Reply> command(std::initializer_list<std::string_view> args);
  // Queues RESP-encoded commands in the output buffer (written when replies are read).
  void append(std::string_view resp);
  // The next reply, flushing what is queued first; error replies are returned, not failed.
  Result<Reply> read();

  // "127.0.0.1:6379 db 0" or "/run/redis.sock db 0", for messages.
  const std::string& name() const { return name_; }

 private:
  struct FreeContext {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  RedisConnection(redisContext* c, std::string name) : context_(c), name_(std::move(name)) {}
  Error io_error(std::string_view doing) const;

  std::unique_ptr<redisContext, FreeContext> context_;
  std::string name_;
};

// The text of an error or status reply ("" for other types).
std::string_view reply_text(const redisReply& r);

// The code of an error reply: Errc::unavailable for the states a server leaves by itself
// (LOADING after a restart, BUSY script, TRYAGAIN, MASTERDOWN, READONLY replica after a
// failover, OOM until memory is freed), so that the pipeline retries; Errc::malformed for a
// refusal of the command itself (WRONGTYPE, ERR ...), which retrying cannot fix.
Errc error_reply_code(std::string_view text);

}  // namespace cdc::sinks::redis
