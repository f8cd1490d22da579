#include "sinks/redis/redis_connection.h"

#include <sys/time.h>

#include <vector>

namespace cdc::sinks::redis {

namespace {
timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}
}  // namespace

std::string_view reply_text(const redisReply& r) {
  if ((r.type == REDIS_REPLY_ERROR || r.type == REDIS_REPLY_STATUS ||
       r.type == REDIS_REPLY_STRING) &&
      r.str != nullptr) {
    return std::string_view(r.str, r.len);
  }
  return {};
}

Errc error_reply_code(std::string_view text) {
  for (std::string_view transient : {"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY", "OOM",
                                     "NOREPLICAS", "CLUSTERDOWN"}) {
    if (text.size() >= transient.size() && text.substr(0, transient.size()) == transient &&
        (text.size() == transient.size() || text[transient.size()] == ' ')) {
      return Errc::unavailable;
    }
  }
  return Errc::malformed;
}

Result<RedisConnection> RedisConnection::connect(const RedisOptions& o) {
  const bool unix_socket = !o.socket.empty();
  std::string name = (unix_socket ? o.socket : o.host + ":" + std::to_string(o.port)) + " db " +
                     std::to_string(o.database);
  const timeval connect_tv = to_timeval(o.connect_timeout);
  redisContext* raw = unix_socket ? redisConnectUnixWithTimeout(o.socket.c_str(), connect_tv)
                                  : redisConnectWithTimeout(o.host.c_str(), o.port, connect_tv);
  if (raw == nullptr)
    return make_error(Errc::internal, "redis: cannot allocate a connection to " + name);
  RedisConnection conn(raw, name);
  if (raw->err != 0) {
    return make_error(Errc::unavailable, "redis: cannot connect to " + name + ": " + raw->errstr);
  }
  if (redisSetTimeout(raw, to_timeval(o.command_timeout)) != REDIS_OK) {
    return conn.io_error("setting the command timeout");
  }
  if (!o.password.empty()) {
    auto r = o.username.empty() ? conn.command({"AUTH", o.password})
                                : conn.command({"AUTH", o.username, o.password});
    if (!r) {
      // The reply names neither the password nor the user's secrets: safe to pass on.
      Error e = std::move(r).error();
      if (e.code == Errc::malformed) e.code = Errc::auth;
      return std::move(e).with_context("redis AUTH" +
                                       (o.username.empty() ? "" : " as '" + o.username + "'"));
    }
  }
  if (o.database != 0) {
    auto r = conn.command({"SELECT", std::to_string(o.database)});
    if (!r) {
      Error e = std::move(r).error();
      if (e.code == Errc::malformed) e.code = Errc::invalid_config;
      return e;
    }
  }
  return conn;
}

Error RedisConnection::io_error(std::string_view doing) const {
  const redisContext* c = context_.get();
  std::string why = c->err != 0 ? std::string(c->errstr) : std::string("connection lost");
  const Errc code = c->err == REDIS_ERR_EOF ? Errc::unavailable : Errc::io;
  return make_error(code, "redis " + name_ + ": " + std::string(doing) + ": " + why);
}

Result<Reply> RedisConnection::command(std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  const std::string what(args.begin()->data(), args.begin()->size());
  Reply r(static_cast<redisReply*>(
      redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (!r) return io_error(what);
  if (r->type == REDIS_REPLY_ERROR) {
    return make_error(error_reply_code(reply_text(*r)),
                      "redis " + name_ + " refused " + what + ": " + std::string(reply_text(*r)));
  }
  return r;
}

void RedisConnection::append(std::string_view resp) {
  // Only fails on allocation failure (std::bad_alloc elsewhere may crash too, STYLE.md).
  (void)redisAppendFormattedCommand(context_.get(), resp.data(), resp.size());
}

Result<Reply> RedisConnection::read() {
  void* raw = nullptr;
  if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr)
    return io_error("reading a reply");
  return Reply(static_cast<redisReply*>(raw));
}

}  // namespace cdc::sinks::redis
