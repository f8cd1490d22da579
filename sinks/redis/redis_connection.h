// RedisConnection: one blocking connection to Redis (TCP or unix socket, in plain text or TLS
// through OpenSSL) with AUTH and SELECT done, connect and command timeouts set, and replies
// checked. hiredis does what it does well, the RESP encoding (redisFormatCommandArgv) and the
// reply parser (redisReader); the socket and TLS are ours, since Debian's hiredis 0.14 has no
// TLS. Owns its socket, SSL and reader. Not thread-safe: the sink thread's. A failed socket makes
// every later call fail: the sink is then reopened (with the runner's backoff) on a fresh one.
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
  // Errc::unavailable when the server cannot be reached, Errc::auth when AUTH is refused,
  // Errc::invalid_config when TLS is misconfigured or the server's certificate is refused
  // (naming the CA file).
  static Result<RedisConnection> connect(const RedisOptions& options);
  RedisConnection(RedisConnection&&) noexcept;
  RedisConnection& operator=(RedisConnection&&) noexcept;
  ~RedisConnection();

  // Sends one command and waits for its reply. An error reply is an Error (Errc::malformed)
  // naming the command's first two arguments.
  Result<Reply> command(std::initializer_list<std::string_view> args);
  // Queues RESP-encoded commands in the output buffer (written when replies are read).
  void append(std::string_view resp);
  // The next reply, flushing what is queued first; error replies are returned, not failed.
  Result<Reply> read();

  // "127.0.0.1:6379 db 0" or "/run/redis.sock db 0", for messages.
  const std::string& name() const { return name_; }

  struct Io;  // the socket, the TLS session and the reader (redis_connection.cpp)

 private:
  RedisConnection(std::unique_ptr<Io> io, std::string name);
  // Sends the output buffer and reads until the reader has a reply.
  Result<Reply> next_reply(std::string_view doing);
  Error io_error(std::string_view doing, std::string why, Errc code = Errc::io);

  std::unique_ptr<Io> io_;
  std::string name_;
  std::string out_;      // RESP bytes queued by append()/command(), not yet sent
  bool broken_ = false;  // after an I/O failure every call fails (the stream is out of step)
};

// The text of an error or status reply ("" for other types).
std::string_view reply_text(const redisReply& r);

// The code of an error reply: Errc::unavailable for the states a server leaves by itself
// (LOADING after a restart, BUSY script, TRYAGAIN, MASTERDOWN, READONLY replica after a
// failover, OOM until memory is freed), so that the pipeline retries; Errc::malformed for a
// refusal of the command itself (WRONGTYPE, ERR ...), which retrying cannot fix.
Errc error_reply_code(std::string_view text);

}  // namespace cdc::sinks::redis
