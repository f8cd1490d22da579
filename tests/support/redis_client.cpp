#include "tests/support/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "tests/support/services_env.h"

namespace cdc::testing {

namespace {
RedisValue convert(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_NIL: break;
    case REDIS_REPLY_INTEGER:
      v.kind = RedisValue::Kind::integer;
      v.text = std::to_string(r->integer);
      break;
    case REDIS_REPLY_ARRAY:
      v.kind = RedisValue::Kind::array;
      for (size_t i = 0; i < r->elements; ++i) v.items.push_back(convert(r->element[i]));
      break;
    case REDIS_REPLY_ERROR:
      throw std::runtime_error("redis error reply: " + std::string(r->str, r->len));
    default: v.kind = RedisValue::Kind::text; v.text.assign(r->str, r->len);
  }
  return v;
}
}  // namespace

RedisClient::RedisClient(const std::string& host, int port) {
  c_ = redisConnectWithTimeout(host.c_str(), port, timeval{5, 0});
  if (c_ == nullptr || c_->err != 0) {
    const std::string why = c_ != nullptr ? c_->errstr : "out of memory";
    if (c_ != nullptr) redisFree(c_);
    throw std::runtime_error("cannot connect to redis " + host + ":" + std::to_string(port) + ": " +
                             why);
  }
  redisSetTimeout(c_, timeval{10, 0});
}

RedisClient::RedisClient()
    : RedisClient(service_value("SLUICE_REDIS_HOST"), service_port("SLUICE_REDIS_PORT")) {}

RedisClient::~RedisClient() { redisFree(c_); }

RedisValue RedisClient::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  std::unique_ptr<redisReply, void (*)(void*)> reply(
      static_cast<redisReply*>(
          redisCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data())),
      freeReplyObject);
  if (!reply) throw std::runtime_error("redis " + args.at(0) + ": " + c_->errstr);
  return convert(reply.get());
}

std::optional<std::string> RedisClient::get(const std::string& key) {
  RedisValue v = command({"GET", key});
  if (v.is_nil()) return std::nullopt;
  return v.text;
}

std::string RedisClient::hash(const std::string& key) {
  RedisValue v = command({"HGETALL", key});
  std::vector<std::string> lines;
  for (size_t i = 0; i + 1 < v.items.size(); i += 2)
    lines.push_back(v.items[i].text + "=" + v.items[i + 1].text);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

std::vector<std::string> RedisClient::keys(const std::string& pattern) {
  std::vector<std::string> out;
  std::string cursor = "0";
  // Bounded: SCAN visits every key once per full iteration; 100000 rounds is far more than tests
  // hold.
  for (int round = 0; round < 100000; ++round) {
    RedisValue v = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    cursor = v.items.at(0).text;
    for (const auto& k : v.items.at(1).items) out.push_back(k.text);
    if (cursor == "0") break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::string> RedisClient::next_message(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  redisSetTimeout(
      c_, timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)});
  void* raw = nullptr;
  if (redisGetReply(c_, &raw) != REDIS_OK || raw == nullptr) return std::nullopt;  // timed out
  std::unique_ptr<redisReply, void (*)(void*)> reply(static_cast<redisReply*>(raw),
                                                     freeReplyObject);
  RedisValue v = convert(reply.get());
  if (v.items.size() != 3 || v.items[0].text != "message") {
    throw std::runtime_error("expected a pubsub message, found another reply");
  }
  return v.items[2].text;
}

}  // namespace cdc::testing
