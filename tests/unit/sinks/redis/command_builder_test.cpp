// CommandBuilder: the exact commands of every mode for inserts, updates (with and without a key
// change), deletes and truncates, and the NULL-key policies.
#include "sinks/redis/command_builder.h"

#include <doctest/doctest.h>

#include "tests/unit/sinks/redis/redis_test_util.h"

using namespace cdc;
using namespace cdc::sinks::redis;
using namespace cdc::sinks::redis::test;

namespace {

RedisOptions options(Mode mode, std::string k = "user:{id}") {
  RedisOptions o;
  o.pipeline.push_back('p');  // not = "p": g++ 12 -Wrestrict false positive (PR 105329)
  o.defaults.mode = mode;
  o.defaults.key = std::move(k);
  o.stream_format = json::Format::upsert;
  return o;
}

std::vector<Args> run(RedisOptions o, const ChangeEvent& e) {
  auto b = CommandBuilder::create(o);
  REQUIRE(b);
  CommandBuffer buf;
  auto st = b->append(e, buf);
  INFO((st ? "" : st.error().message));
  REQUIRE(st);
  return decode(buf);
}

const auto kSchema = users_schema();
const auto kAnn = user(7, "ann", "a@x");
const auto kAnnRenamed = user(7, "anna", std::nullopt);
const auto kAnnMoved = user(8, "ann", "a@x");

}  // namespace

TEST_CASE("string mode: SET the row as JSON, with PX when a TTL is set; DEL on delete") {
  CHECK(run(options(Mode::string), event(Op::insert, kSchema, nullptr, &kAnn)) ==
        std::vector<Args>{{"SET", "user:7", R"({"id":7,"name":"ann","email":"a@x","score":1.5})"}});
  auto with_ttl = options(Mode::string);
  with_ttl.defaults.ttl = std::chrono::minutes(10);
  CHECK(run(with_ttl, event(Op::read, kSchema, nullptr, &kAnn)) ==
        std::vector<Args>{{"SET", "user:7", R"({"id":7,"name":"ann","email":"a@x","score":1.5})",
                           "PX", "600000"}});
  CHECK(run(options(Mode::string), event(Op::update, kSchema, &kAnn, &kAnnRenamed)) ==
        std::vector<Args>{{"SET", "user:7", R"({"id":7,"name":"anna","email":null,"score":1.5})"}});
  CHECK(run(options(Mode::string), event(Op::erase, kSchema, &kAnn, nullptr)) ==
        std::vector<Args>{{"DEL", "user:7"}});
}

TEST_CASE("string mode: an update that changes the key deletes the old key first") {
  CHECK(run(options(Mode::string), event(Op::update, kSchema, &kAnn, &kAnnMoved)) ==
        std::vector<Args>{{"DEL", "user:7"},
                          {"SET", "user:8", R"({"id":8,"name":"ann","email":"a@x","score":1.5})"}});
}

TEST_CASE("string mode with value.column: the column's text; NULL deletes the key") {
  auto o = options(Mode::string);
  o.defaults.value_column = "email";
  CHECK(run(o, event(Op::insert, kSchema, nullptr, &kAnn)) ==
        std::vector<Args>{{"SET", "user:7", "a@x"}});
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnnRenamed)) ==
        std::vector<Args>{{"DEL", "user:7"}});
  o.defaults.value_column = "nope";
  auto b = CommandBuilder::create(o);
  CommandBuffer buf;
  auto st = b->append(event(Op::insert, kSchema, nullptr, &kAnn), buf);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::invalid_config);
  CHECK(st.error().message == "sink.value.column: table app.users has no column 'nope'");
}

TEST_CASE("hash mode: the non-NULL columns replace the hash; changed-only updates HSET and HDEL") {
  auto o = options(Mode::hash);
  o.defaults.ttl = std::chrono::seconds(5);
  CHECK(run(o, event(Op::insert, kSchema, nullptr, &kAnn)) ==
        std::vector<Args>{
            {"DEL", "user:7"},
            {"HSET", "user:7", "id", "7", "name", "ann", "email", "a@x", "score", "1.5"},
            {"PEXPIRE", "user:7", "5000"}});
  o.defaults.ttl = {};
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnnRenamed)) ==
        std::vector<Args>{{"DEL", "user:7"},
                          {"HSET", "user:7", "id", "7", "name", "anna", "score", "1.5"}});
  o.defaults.hash_changed_only = true;
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnnRenamed)) ==
        std::vector<Args>{{"HSET", "user:7", "name", "anna"}, {"HDEL", "user:7", "email"}});
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnn)).empty());  // nothing changed
  // A moved row is written whole under its new key.
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnnMoved)) ==
        std::vector<Args>{
            {"DEL", "user:7"},
            {"DEL", "user:8"},
            {"HSET", "user:8", "id", "8", "name", "ann", "email", "a@x", "score", "1.5"}});
  CHECK(run(o, event(Op::erase, kSchema, &kAnn, nullptr)) == std::vector<Args>{{"DEL", "user:7"}});
}

TEST_CASE("invalidate mode: DEL every key the change touches, PUBLISH each on the channel") {
  auto o = options(Mode::invalidate);
  CHECK(run(o, event(Op::insert, kSchema, nullptr, &kAnn)) == std::vector<Args>{{"DEL", "user:7"}});
  o.defaults.channel = "inval";
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnnRenamed)) ==
        std::vector<Args>{{"DEL", "user:7"}, {"PUBLISH", "inval", "user:7"}});
  CHECK(run(o, event(Op::update, kSchema, &kAnn, &kAnnMoved)) ==
        std::vector<Args>{{"DEL", "user:7"},
                          {"PUBLISH", "inval", "user:7"},
                          {"DEL", "user:8"},
                          {"PUBLISH", "inval", "user:8"}});
  CHECK(run(o, event(Op::erase, kSchema, &kAnn, nullptr)) ==
        std::vector<Args>{{"DEL", "user:7"}, {"PUBLISH", "inval", "user:7"}});
}

TEST_CASE("stream mode: XADD op, key and value in the chosen format, trimmed with MAXLEN ~") {
  auto o = options(Mode::stream, "{db}:{table}:changes");
  CHECK(run(o, event(Op::insert, kSchema, nullptr, &kAnn)) ==
        std::vector<Args>{{"XADD", "app:users:changes", "*", "op", "c", "key", R"({"id":7})",
                           "value", R"({"id":7,"name":"ann","email":"a@x","score":1.5})"}});
  o.defaults.stream_maxlen = 1000;
  CHECK(run(o, event(Op::erase, kSchema, &kAnn, nullptr)) ==
        std::vector<Args>{{"XADD", "app:users:changes", "MAXLEN", "~", "1000", "*", "op", "d",
                           "key", R"({"id":7})"}});
  // A truncate has no row: op and nothing else.
  CHECK(run(o, event(Op::truncate, kSchema, nullptr, nullptr)) ==
        std::vector<Args>{{"XADD", "app:users:changes", "MAXLEN", "~", "1000", "*", "op", "t"}});
}

TEST_CASE("a TRUNCATE outside stream mode stops with the table and position named") {
  auto b = CommandBuilder::create(options(Mode::string));
  CommandBuffer buf;
  auto st = b->append(event(Op::truncate, kSchema, nullptr, nullptr), buf);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(
      st.error().message.starts_with("table app.users at mysql-bin.000003:4711: TRUNCATE cannot be "
                                     "applied to keys in mode string"));
}

TEST_CASE("a NULL key column: an error naming table, column and position, or a counted skip") {
  auto o = options(Mode::string, "mail:{email}");
  const auto no_mail = user(9, "bob", std::nullopt);
  {
    auto b = CommandBuilder::create(o);
    CommandBuffer buf;
    auto st = b->append(event(Op::insert, kSchema, nullptr, &no_mail), buf);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::malformed);
    CHECK(st.error().message ==
          "table app.users at mysql-bin.000003:4711: key column 'email' is NULL, so the row has no "
          "key "
          "(set sink.key.null-handling: skip to skip such rows)");
    CHECK(buf.empty());
  }
  o.skip_null_keys = true;
  auto b = CommandBuilder::create(o);
  CommandBuffer buf;
  REQUIRE(b->append(event(Op::insert, kSchema, nullptr, &no_mail), buf));
  REQUIRE(b->append(event(Op::insert, kSchema, nullptr, &kAnn), buf));
  CHECK(decode(buf) == std::vector<Args>{{"SET", "mail:a@x",
                                          R"({"id":7,"name":"ann","email":"a@x","score":1.5})"}});
  CHECK(b->skipped_rows() == 1);
}

TEST_CASE("per-table rules: the first matching source-table applies, else the sink's defaults") {
  auto o = options(Mode::string);
  TableRule sessions;
  sessions.source_table = "app\\.sess.*";
  sessions.mode = Mode::invalidate;
  sessions.key = "s:{pk}";
  TableRule users = sessions;
  users.source_table = "app\\.users";
  users.mode = Mode::hash;
  users.key = "u:{name}";
  o.tables = {sessions, users};
  CHECK(run(o, event(Op::erase, kSchema, &kAnn, nullptr)) == std::vector<Args>{{"DEL", "u:ann"}});
  auto other = users_schema();
  other->id = {"app", "session_log"};
  CHECK(run(o, event(Op::erase, other, &kAnn, nullptr)) == std::vector<Args>{{"DEL", "s:7"}});
  other->id = {"app", "orders"};
  CHECK(run(o, event(Op::erase, other, &kAnn, nullptr)) == std::vector<Args>{{"DEL", "user:7"}});
  o.tables[0].source_table = "app\\.(";
  auto bad = CommandBuilder::create(o);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.starts_with("sink.tables[0].source-table: invalid regex 'app\\.('"));
}

TEST_CASE("hash mode: a column not sent (PostgreSQL unchanged TOAST) keeps its field") {
  // name unchanged (not sent: null in the image), email now NULL.
  auto after = user(7, "", std::nullopt);
  after[1] = Value::null_value();
  const uint32_t unchanged[] = {1};
  auto e = event(Op::update, kSchema, &kAnn, &after);
  e.unchanged_columns = unchanged;
  auto o = options(Mode::hash);
  CHECK(run(o, e) == std::vector<Args>{{"HDEL", "user:7", "email"},
                                       {"HSET", "user:7", "id", "7", "score", "1.5"}});
  o.defaults.hash_changed_only = true;
  CHECK(run(o, e) == std::vector<Args>{{"HDEL", "user:7", "email"}});
}

TEST_CASE("partial row images: hash mode writes the present fields; string mode fails or skips") {
  // A MINIMAL update of user 7: before = the key; after = id and name (email now NULL is
  // not in it: it was not assigned), email and score absent from both.
  auto before = user(7, "", std::nullopt);
  before[1] = Value::null_value();
  before[3] = Value::null_value();
  auto after = user(7, "anna", std::nullopt);
  after[3] = Value::null_value();
  const uint32_t before_absent[] = {1, 2, 3};
  const uint32_t after_absent[] = {2, 3};
  auto e = event(Op::update, kSchema, &before, &after);
  e.before.absent = before_absent;
  e.after.absent = after_absent;
  auto o = options(Mode::hash);
  CHECK(run(o, e) == std::vector<Args>{{"HSET", "user:7", "id", "7", "name", "anna"}});
  // Changed columns only: name has no old value to compare with, so it is written; id is in
  // both images and equal.
  o.defaults.hash_changed_only = true;
  CHECK(run(o, e) == std::vector<Args>{{"HSET", "user:7", "name", "anna"}});
  // A column set to NULL whose old value is absent: HDEL, not taken as "still NULL".
  auto nulled = after;
  nulled[1] = Value::null_value();
  auto e2 = event(Op::update, kSchema, &before, &nulled);
  e2.before.absent = before_absent;
  e2.after.absent = after_absent;
  CHECK(run(o, e2) == std::vector<Args>{{"HDEL", "user:7", "name"}});
  // A MINIMAL insert: no DEL first (the absent fields are not known to be NULL).
  auto ins = event(Op::insert, kSchema, nullptr, &after);
  ins.after.absent = after_absent;
  CHECK(run(options(Mode::hash), ins) ==
        std::vector<Args>{{"HSET", "user:7", "id", "7", "name", "anna"}});

  // String mode writes whole rows: the default refuses, naming table, position and columns.
  auto b = CommandBuilder::create(options(Mode::string));
  REQUIRE(b);
  CommandBuffer buf;
  auto st = b->append(e, buf);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(st.error().message ==
        "the update of app.users at mysql-bin.000003:4711 has no value for column(s) email, "
        "score (the writing session had binlog_row_image=MINIMAL or NOBLOB), and Redis string "
        "mode writes whole rows: set binlog_row_image=FULL in that session, or "
        "row-image.partial: skip to leave such changes out");
  // skip: nothing written; a delete (the key is all it needs) still deletes.
  auto skipping = options(Mode::string);
  skipping.partial_rows = json::PartialRowPolicy::skip;
  CHECK(run(skipping, e).empty());
  auto del = event(Op::erase, kSchema, &before, nullptr);
  del.before.absent = before_absent;
  CHECK(run(options(Mode::string), del) == std::vector<Args>{{"DEL", "user:7"}});
  // value.column present in the image: written as usual.
  auto by_name = options(Mode::string);
  by_name.defaults.value_column = "name";
  CHECK(run(by_name, e) == std::vector<Args>{{"SET", "user:7", "anna"}});
  // Stream mode with upsert writes whole rows too; debezium-json leaves the columns out.
  auto stream = options(Mode::stream, "s");
  CHECK_FALSE(CommandBuilder::create(stream)->append(e, buf));
  stream.stream_format = json::Format::debezium_json;
  CHECK(run(stream, e).size() == 1);
}
