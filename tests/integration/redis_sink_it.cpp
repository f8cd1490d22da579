// RedisSink against the real Redis, without a source: what open() resumes from, the split of
// a large checkpoint into transactions with their own positions, fencing, a command Redis
// fails inside the transaction, a lost offset key, at-least-once writes, and the connection
// options (unix socket, AUTH with and without an ACL user, database number, refusals).

#include "sinks/redis/redis_sink.h"

#include <doctest/doctest.h>

#include <signal.h>

#include "tests/support/child_process.h"
#include "tests/support/private_redis.h"
#include "tests/support/redis_client.h"
#include "tests/support/services_env.h"
#include "tests/unit/sinks/redis/redis_test_util.h"

using namespace cdc;
using namespace cdc::sinks::redis;
using namespace cdc::sinks::redis::test;
using namespace cdc::testing;

namespace {

const auto kSchema = users_schema();

RedisOptions options(const std::string& name) {
  RedisOptions o;
  o.pipeline = name;
  o.host = service_value("SLUICE_REDIS_HOST");
  o.port = static_cast<uint16_t>(service_port("SLUICE_REDIS_PORT"));
  o.offset_key = "it:offset:" + name;
  o.defaults.key = "it:" + name + ":{id}";
  return o;
}

// Rows and the batch of their inserts, ending at datagen position `end`.
struct Inserts {
  std::vector<std::vector<Value>> rows;
  Batch batch;
  Inserts(std::initializer_list<int64_t> ids, uint64_t end) {
    for (int64_t id : ids) rows.push_back(user(id, "n", std::nullopt));
    for (const auto& r : rows) batch.events.push_back(event(Op::insert, kSchema, nullptr, &r));
    batch.end = DatagenPosition{end};
  }
};

std::unique_ptr<RedisSink> make(const RedisOptions& o) {
  auto sink = RedisSink::create(o, nullptr);
  REQUIRE(sink);
  return std::move(*sink);
}

OffsetRecord offset_in_redis(RedisClient& redis, const std::string& key) {
  auto bytes = redis.get(key);
  REQUIRE(bytes);
  auto r = decode_offset(*bytes, key);
  REQUIRE(r);
  return *r;
}

void reset(RedisClient& redis, const std::string& name) {
  for (const auto& k : redis.keys("it:" + name + ":*")) redis.command({"DEL", k});
  redis.command({"DEL", "it:offset:" + name});
}

}  // namespace

TEST_CASE("redis sink: a checkpoint is data plus offset; reopening resumes from the offset key") {
  RedisClient redis;
  reset(redis, "resume");
  const auto o = options("resume");
  auto sink = make(o);
  auto first = sink->open({});
  REQUIRE(first);
  CHECK_FALSE(first->has_value());
  Inserts a({1, 2}, 2);
  REQUIRE(sink->write(a.batch));
  CHECK_FALSE(redis.get("it:resume:1"));  // nothing before the checkpoint
  auto state = sink->prepare(1, DatagenPosition{2});
  REQUIRE(state);
  CHECK(redis.get("it:resume:1") ==
        std::optional<std::string>(R"({"id":1,"name":"n","email":null,"score":1.5})"));
  const OffsetRecord rec = offset_in_redis(redis, o.offset_key);
  CHECK(rec.epoch == 1);
  CHECK(rec.checkpoint_id == 1);
  CHECK(rec.position == Position(DatagenPosition{2}));
  CHECK(*state == encode_offset(rec));
  sink->close();

  // The state store is one checkpoint behind (sluice died before recording it): Redis wins.
  auto again = make(o);
  const CheckpointRecord older{0, DatagenPosition{0}, "", 0};
  auto resumed = again->open(std::span(&older, 1));
  REQUIRE(resumed);
  REQUIRE(resumed->has_value());
  CHECK((*resumed)->id == 1);
  CHECK((*resumed)->position == Position(DatagenPosition{2}));
  CHECK(offset_in_redis(redis, o.offset_key).epoch == 2);  // the new owner
}

TEST_CASE("redis sink: a large checkpoint goes in several transactions, each with its position") {
  RedisClient redis;
  reset(redis, "split");
  auto o = options("split");
  o.batch_max_commands = 3;
  auto sink = make(o);
  REQUIRE(sink->open({}));
  REQUIRE(sink->prepare(1, DatagenPosition{0}));
  Inserts a({1, 2}, 2);
  REQUIRE(sink->write(a.batch));
  CHECK(redis.keys("it:split:*").empty());  // 2 commands: below the limit, still buffered
  Inserts b({3, 4}, 4);
  REQUIRE(sink->write(b.batch));  // 4 >= 3: written with b's end position, before any prepare
  CHECK(redis.keys("it:split:*") ==
        std::vector<std::string>{"it:split:1", "it:split:2", "it:split:3", "it:split:4"});
  const OffsetRecord mid = offset_in_redis(redis, o.offset_key);
  CHECK(mid.checkpoint_id == 2);
  CHECK(mid.position == Position(DatagenPosition{4}));
  Inserts c({5}, 5);
  REQUIRE(sink->write(c.batch));
  REQUIRE(sink->prepare(2, DatagenPosition{5}));
  CHECK(offset_in_redis(redis, o.offset_key).position == Position(DatagenPosition{5}));
  CHECK(redis.keys("it:split:*").size() == 5);
}

TEST_CASE("redis sink: when the source is idle the buffered commands go out with their position") {
  RedisClient redis;
  reset(redis, "idle");
  auto o = options("idle");
  auto sink = make(o);
  REQUIRE(sink->open({}));
  REQUIRE(sink->prepare(1, DatagenPosition{0}));
  Inserts a({1, 2}, 2);
  REQUIRE(sink->write(a.batch));
  CHECK(redis.keys("it:idle:*").empty());  // buffered until the checkpoint or the source idles
  REQUIRE(sink->on_idle(a.batch.end));
  CHECK(redis.keys("it:idle:*") == std::vector<std::string>{"it:idle:1", "it:idle:2"});
  const OffsetRecord mid = offset_in_redis(redis, o.offset_key);
  CHECK(mid.checkpoint_id == 2);
  CHECK(mid.position == Position(DatagenPosition{2}));
  REQUIRE(sink->on_idle(a.batch.end));  // nothing buffered: nothing written
  CHECK(offset_in_redis(redis, o.offset_key).position == Position(DatagenPosition{2}));
  Inserts b({3}, 3);
  REQUIRE(sink->write(b.batch));
  REQUIRE(sink->prepare(2, DatagenPosition{3}));
  CHECK(offset_in_redis(redis, o.offset_key).position == Position(DatagenPosition{3}));
  CHECK(redis.keys("it:idle:*").size() == 3);
}

TEST_CASE(
    "redis sink: the second instance to open fences the first; nothing of the first is written") {
  RedisClient redis;
  reset(redis, "fence");
  const auto o = options("fence");
  auto a = make(o);
  REQUIRE(a->open({}));
  REQUIRE(a->prepare(1, DatagenPosition{0}));
  auto b = make(o);
  auto opened = b->open({});
  REQUIRE(opened);
  REQUIRE(opened->has_value());
  CHECK((*opened)->id == 1);
  Inserts rows({1}, 1);
  REQUIRE(a->write(rows.batch));
  auto st = a->prepare(2, DatagenPosition{1});
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::fenced);
  CHECK(st.error().message ==
        "redis offset key 'it:offset:fence' is owned by epoch 2, not this instance (epoch 1): "
        "another sluice runs this pipeline; stopping without writing");
  CHECK_FALSE(redis.get("it:fence:1"));
  CHECK(offset_in_redis(redis, o.offset_key).checkpoint_id == 1);
  REQUIRE(b->write(rows.batch));
  REQUIRE(b->prepare(2, DatagenPosition{1}));
  CHECK(redis.get("it:fence:1").has_value());
}

TEST_CASE(
    "redis sink: a command Redis fails inside the transaction stops the pipeline, naming it") {
  RedisClient redis;
  reset(redis, "wrongtype");
  auto o = options("wrongtype");
  o.defaults.mode = Mode::hash;
  o.defaults.hash_changed_only = true;
  auto sink = make(o);
  REQUIRE(sink->open({}));
  redis.command({"RPUSH", "it:wrongtype:7", "not a hash"});
  const auto before = user(7, "ann", std::nullopt);
  const auto after = user(7, "anna", std::nullopt);
  Batch batch;
  batch.events.push_back(event(Op::update, kSchema, &before, &after));
  batch.end = DatagenPosition{9};
  REQUIRE(sink->write(batch));
  auto st = sink->prepare(1, DatagenPosition{9});
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::malformed);
  CHECK(st.error().message.find(
            "failed HSET it:wrongtype:7 inside the transaction of datagen:row=9: WRONGTYPE") !=
        std::string::npos);
}

TEST_CASE("redis sink: an offset key gone while the state store has checkpoints is refused") {
  RedisClient redis;
  reset(redis, "lost");
  auto sink = make(options("lost"));
  const CheckpointRecord held{4, DatagenPosition{40}, "", 0};
  auto r = sink->open(std::span(&held, 1));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::malformed);
  CHECK(r.error().message.find(
            "holds no checkpoint in offset key 'it:offset:lost' but the state store has "
            "checkpoint 4") != std::string::npos);
  CHECK_FALSE(redis.get("it:offset:lost"));  // refused before claiming anything
}

TEST_CASE("redis sink: at-least-once writes each batch at once and the offset at the checkpoint") {
  RedisClient redis;
  reset(redis, "alo");
  auto o = options("alo");
  o.exactly_once = false;
  auto sink = make(o);
  CHECK_FALSE(sink->exactly_once());
  REQUIRE(sink->open({}));
  Inserts a({1}, 1);
  REQUIRE(sink->write(a.batch));
  CHECK(redis.get("it:alo:1").has_value());
  CHECK(offset_in_redis(redis, o.offset_key).checkpoint_id == 0);
  REQUIRE(sink->prepare(1, DatagenPosition{1}));
  CHECK(offset_in_redis(redis, o.offset_key).position == Position(DatagenPosition{1}));
}

TEST_CASE("redis sink: unix socket, AUTH, ACL user and database; a wrong password is Errc::auth") {
  const std::string dir = make_temp_dir("sluice-redis-conn");
  PrivateRedis server(
      dir, {"--requirepass", "pw", "--unixsocket", dir + "/redis.sock", "--unixsocketperm", "700",
            "--user", "app", "on", ">app-pw", "~*", "&*", "+@all"});
  RedisOptions o = options("conn");
  o.host.clear();
  o.socket = dir + "/redis.sock";
  o.password = "pw";
  o.database = 3;
  {
    auto sink = make(o);
    REQUIRE(sink->open({}));
    Inserts rows({1}, 1);
    REQUIRE(sink->write(rows.batch));
    REQUIRE(sink->prepare(1, DatagenPosition{1}));
  }
  RedisClient check("127.0.0.1", server.port());
  check.command({"AUTH", "pw"});
  CHECK_FALSE(check.get("it:conn:1"));  // not in database 0
  check.command({"SELECT", "3"});
  CHECK(check.get("it:conn:1").has_value());

  o.socket.clear();
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(server.port());
  o.username = "app";
  o.password = "app-pw";
  {
    auto sink = make(o);
    auto opened = sink->open({});
    REQUIRE(opened);
    CHECK((*opened)->id == 1);  // the same offset key, through the ACL user over TCP
  }
  o.password = "wrong";
  auto refused = make(o)->open({});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::auth);
  CHECK(refused.error().message.find("redis AUTH as 'app'") != std::string::npos);
  CHECK(refused.error().message.find("wrong") == std::string::npos);  // the secret is not echoed

  server.stop(SIGTERM);
  auto down = make(o)->open({});
  REQUIRE_FALSE(down);
  CHECK(down.error().code == Errc::unavailable);  // retried by the runner with backoff
  CHECK(down.error().message == "redis: cannot connect to 127.0.0.1:" +
                                    std::to_string(server.port()) + " db 3: Connection refused");
  std::system(("rm -rf '" + dir + "'").c_str());
}
