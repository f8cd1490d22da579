#include "state/state_store.h"

#include <doctest/doctest.h>
#include <rocksdb/db.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "state/checkpoint_codec.h"
#include "state/schema_codec.h"
#include "state/state_keys.h"
#include "temp_dir.h"

using namespace cdc;
using namespace cdc::state;
using cdc::state::testing::TempDir;

extern char** environ;

namespace {

std::unique_ptr<StateStore> open_store(const std::string& dir,
                                       OpenMode mode = OpenMode::read_write) {
  auto store = StateStore::open(dir, mode);
  REQUIRE_MESSAGE(store, store.error().to_string());
  return std::move(*store);
}

CheckpointRecord record(uint64_t id, std::string sink_state = "") {
  return CheckpointRecord{
      id, MysqlPosition{{"mysql-bin.000001", 100 * id}, "0-1-" + std::to_string(id), 0, 0},
      std::move(sink_state), 1714566896000 + static_cast<int64_t>(id)};
}

std::vector<uint64_t> ids(const StateStore& store, std::string_view pipeline) {
  auto records = store.checkpoints(pipeline);
  REQUIRE_MESSAGE(records, records.error().to_string());
  std::vector<uint64_t> out;
  for (const auto& r : *records) out.push_back(r.id);
  return out;
}

// Writes raw bytes under a key with RocksDB directly (the store must be closed).
void put_raw(const std::string& dir, const std::string& key, const std::string& value) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  REQUIRE(db->Put(rocksdb::WriteOptions(), key, value).ok());
}

TableSchema schema(const char* table, uint64_t version, std::vector<const char*> columns) {
  TableSchema s;
  s.id = {"app", table};
  s.version = version;
  for (const char* name : columns) {
    Column c;
    c.name = name;
    c.source_type = "int";
    s.columns.push_back(std::move(c));
  }
  return s;
}

Position mysql_at(const char* file, uint64_t offset) {
  return MysqlPosition{{file, offset}, "", 0, 0};
}

constexpr const char* kChildEnv = "SLUICE_STATE_TEST_CHILD_DIR";

// RocksDB rotates the info LOG when an open gets far enough to create its logger; a refused
// writer or a reader must not touch the live writer's files.
size_t rotated_logs(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("LOG.old")) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("open creates the dir and its parents; data survives a reopen") {
  TempDir tmp;
  const std::string dir = tmp.sub("a/b/state");
  {
    auto store = open_store(dir);
    CHECK(store->dir() == dir);
    REQUIRE(store->put_checkpoint("orders", record(1, "len=10"), 5));
    REQUIRE(store->put_value("orders", "doris/txn", "17,18"));
  }
  auto store = open_store(dir);
  auto latest = store->latest_checkpoint("orders");
  REQUIRE(latest);
  REQUIRE(latest->has_value());
  CHECK((*latest)->id == 1);
  CHECK((*latest)->sink_state == "len=10");
  CHECK((*latest)->position == record(1).position);
  CHECK((*latest)->wall_time_ms == record(1).wall_time_ms);
  CHECK(*store->get_value("orders", "doris/txn") == std::optional<std::string>("17,18"));
}

TEST_CASE("open without CURRENT: a creation cut short is redone, lost data is refused") {
  TempDir tmp;
  const std::string dir = tmp.sub("state");
  {
    auto store = open_store(dir);
    REQUIRE(store->put_checkpoint("orders", record(1, "len=10"), 5));
  }
  std::filesystem::remove(dir + "/CURRENT");
  auto refused = StateStore::open(dir);
  REQUIRE(!refused);
  CHECK(refused.error().code == Errc::invalid_config);
  CHECK(refused.error().message.find("state dir " + dir + " holds ") == 0);
  CHECK(refused.error().message.find(".log but no RocksDB CURRENT file") != std::string::npos);
  CHECK(!std::filesystem::exists(dir + "/CURRENT"));

  // A kill inside the first open leaves a MANIFEST and the LOCK, no log, no CURRENT.
  const std::string cut = tmp.sub("cut");
  std::filesystem::create_directories(cut);
  std::ofstream(cut + "/LOCK").close();
  std::ofstream(cut + "/MANIFEST-000001") << "x";
  auto redone = open_store(cut);
  CHECK(std::filesystem::exists(cut + "/CURRENT"));
}

TEST_CASE("put_checkpoint keeps exactly the `retained` newest") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  auto empty = store->latest_checkpoint("p");
  REQUIRE(empty);
  CHECK_FALSE(empty->has_value());
  CHECK(ids(*store, "p").empty());
  for (uint64_t id = 1; id <= 10; ++id) REQUIRE(store->put_checkpoint("p", record(id), 3));
  CHECK(ids(*store, "p") == std::vector<uint64_t>{10, 9, 8});
  CHECK((*store->latest_checkpoint("p"))->id == 10);
  // Ids sort numerically across byte boundaries (255 -> 256), not as text.
  REQUIRE(store->put_checkpoint("p", record(255), 2));
  REQUIRE(store->put_checkpoint("p", record(256), 2));
  CHECK(ids(*store, "p") == std::vector<uint64_t>{256, 255});
  // Raising retention keeps what is there; lowering it prunes on the next put.
  REQUIRE(store->put_checkpoint("p", record(300), 10));
  CHECK(ids(*store, "p") == std::vector<uint64_t>{300, 256, 255});
  REQUIRE(store->put_checkpoint("p", record(301), 1));
  CHECK(ids(*store, "p") == std::vector<uint64_t>{301});
}

TEST_CASE("put_checkpoint: same id replaces, lower id and retained=0 are refused") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  REQUIRE(store->put_checkpoint("p", record(5, "pending"), 3));
  REQUIRE(store->put_checkpoint("p", record(5, "committed"), 3));
  auto all = store->checkpoints("p");
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].sink_state == "committed");

  auto lower = store->put_checkpoint("p", record(4), 3);
  REQUIRE_FALSE(lower);
  CHECK(lower.error().code == Errc::internal);
  auto zero = store->put_checkpoint("p", record(6), 0);
  REQUIRE_FALSE(zero);
  CHECK(zero.error().code == Errc::invalid_config);
  CHECK(ids(*store, "p") == std::vector<uint64_t>{5});
}

TEST_CASE("pipelines keep their records apart, even with prefix-sharing names") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  const std::string names[] = {"a", "a/b", "ab", std::string("a\0b", 3)};
  for (uint64_t id = 1; id <= 4; ++id) {
    for (size_t n = 0; n < std::size(names); ++n) {
      REQUIRE(store->put_checkpoint(names[n], record(id * 10 + n, names[n]), 2));
    }
  }
  for (size_t n = 0; n < std::size(names); ++n) {
    CHECK(ids(*store, names[n]) == std::vector<uint64_t>{40 + n, 30 + n});
    auto records = store->checkpoints(names[n]);
    REQUIRE(records);
    for (const auto& r : *records) CHECK(r.sink_state == names[n]);
  }
  REQUIRE(store->put_snapshot_progress("only-snapshot", {"d", "t"}, "x"));
  REQUIRE(store->put_value("only-value", "k", "v"));
  auto listed = store->pipelines();
  REQUIRE(listed);
  CHECK(*listed == std::vector<std::string>{"a", std::string("a\0b", 3), "a/b", "ab",
                                            "only-snapshot", "only-value"});
  CHECK(ids(*store, "zzz").empty());
}

TEST_CASE("concurrent put_checkpoint of one pipeline still prunes to `retained`") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  std::atomic<uint64_t> next{1};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) {
          // Ids are drawn under no lock, so a put can find a newer id stored: allowed to fail.
          (void)store->put_checkpoint("p", record(next++), 3);  // ignored: see above
        }
      });
    }
  }
  CHECK(ids(*store, "p").size() == 3);
}

TEST_CASE("a second writer is refused with a clear message; a reader is not") {
  TempDir tmp;
  auto writer = open_store(tmp.path());
  REQUIRE(writer->put_checkpoint("p", record(1), 3));

  auto second = StateStore::open(tmp.path(), OpenMode::read_write);
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Errc::unavailable);
  CHECK(second.error().message == "another sluice instance holds the state dir " + tmp.path() +
                                      " (RocksDB lock " + tmp.path() + "/LOCK, by this process)");
  // The same dir through another spelling is the same writer.
  auto aliased = StateStore::open(tmp.path() + "/./", OpenMode::read_write);
  REQUIRE_FALSE(aliased);
  CHECK(aliased.error().code == Errc::unavailable);

  // Two StateStore objects in one process: the writer stays open while a reader reads.
  auto reader = open_store(tmp.path(), OpenMode::read_only);
  CHECK(reader->mode() == OpenMode::read_only);
  CHECK(ids(*reader, "p") == std::vector<uint64_t>{1});  // only in the writer's WAL, not flushed
  auto refused = reader->put_checkpoint("p", record(2), 3);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::internal);
  CHECK_FALSE(reader->put_value("p", "k", "v"));
  CHECK_FALSE(reader->clear_snapshot_progress("p"));

  // New writes appear after refresh(); the writer keeps working with the reader open.
  REQUIRE(writer->put_checkpoint("p", record(2), 3));
  REQUIRE(writer->put_schema("p", mysql_at("mysql-bin.000001", 4), schema("t", 1, {"id"})));
  REQUIRE(reader->refresh());
  CHECK(ids(*reader, "p") == std::vector<uint64_t>{2, 1});
  CHECK(*reader->schema_at("p", {"app", "t"}, mysql_at("mysql-bin.000001", 5)));

  CHECK(rotated_logs(tmp.path()) == 0);

  // A second reader at the same time, and readers closing do not disturb the writer.
  {
    auto reader2 = open_store(tmp.path(), OpenMode::read_only);
    CHECK(ids(*reader2, "p") == std::vector<uint64_t>{2, 1});
  }
  reader.reset();
  REQUIRE(writer->put_checkpoint("p", record(3), 3));
  writer.reset();
  // With the writer gone, a reader still opens, and a writer can take the dir again.
  CHECK(ids(*open_store(tmp.path(), OpenMode::read_only), "p") == std::vector<uint64_t>{3, 2, 1});
  CHECK(ids(*open_store(tmp.path()), "p") == std::vector<uint64_t>{3, 2, 1});
}

TEST_CASE("readers open and refresh while the writer keeps writing") {
  TempDir tmp;
  auto writer = open_store(tmp.path());
  REQUIRE(writer->put_checkpoint("p", record(1), 3));
  std::atomic<bool> writer_ok{true};
  std::jthread writes([&] {
    for (uint64_t id = 2; id <= 150; ++id) {
      if (!writer->put_checkpoint("p", record(id, std::string(id, 'x')), 3)) writer_ok = false;
    }
  });
  uint64_t last_seen = 0;
  for (int round = 0; round < 10; ++round) {
    auto reader = open_store(tmp.path(), OpenMode::read_only);
    for (int refresh = 0; refresh < 5; ++refresh) {
      auto records = reader->checkpoints("p");
      REQUIRE_MESSAGE(records, records.error().to_string());
      REQUIRE_FALSE(records->empty());
      CHECK(records->size() <= 3);
      for (size_t i = 0; i < records->size(); ++i) {
        CHECK((*records)[i].sink_state.size() == ((*records)[i].id == 1 ? 0 : (*records)[i].id));
        if (i > 0) CHECK((*records)[i].id + 1 == (*records)[i - 1].id);  // a consistent view
      }
      CHECK(records->front().id >= last_seen);
      last_seen = records->front().id;
      REQUIRE(reader->refresh());
    }
  }
  writes.join();
  CHECK(writer_ok);
  auto reader = open_store(tmp.path(), OpenMode::read_only);
  CHECK(ids(*reader, "p") == std::vector<uint64_t>{150, 149, 148});
}

// Runs only as the child of the next test (its env names the dir): another *process* tries to
// write (refused: RocksDB's fcntl lock) and to read (allowed: secondary instance).
TEST_CASE("state store child process") {
  const char* dir = std::getenv(kChildEnv);
  if (dir == nullptr) return;
  auto writer = StateStore::open(dir, OpenMode::read_write);
  REQUIRE_FALSE(writer);
  CHECK(writer.error().code == Errc::unavailable);
  CHECK(writer.error().message == std::string("another sluice instance holds the state dir ") +
                                      dir + " (RocksDB lock " + dir + "/LOCK, by pid " +
                                      std::to_string(getppid()) + ")");
  auto reader = open_store(dir, OpenMode::read_only);
  CHECK(ids(*reader, "p") == std::vector<uint64_t>{7, 6});
}

TEST_CASE("another process: second writer refused, reader reads while the writer runs") {
  TempDir tmp;
  auto writer = open_store(tmp.path());
  for (uint64_t id = 1; id <= 7; ++id) REQUIRE(writer->put_checkpoint("p", record(id), 2));

  const std::string env_entry = std::string(kChildEnv) + "=" + tmp.path();
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(const_cast<char*>(env_entry.c_str()));
  envp.push_back(nullptr);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--test-case=state store child process";
  std::string quiet = "--minimal=true";
  char* argv[] = {exe.data(), filter.data(), quiet.data(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The writer is unaffected.
  CHECK(rotated_logs(tmp.path()) == 0);
  REQUIRE(writer->put_checkpoint("p", record(8), 2));
  CHECK(ids(*writer, "p") == std::vector<uint64_t>{8, 7});
}

TEST_CASE("read-only open of a dir without state fails and creates nothing") {
  TempDir tmp;
  const std::string dir = tmp.sub("missing");
  auto r = StateStore::open(dir, OpenMode::read_only);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_config);
  CHECK(r.error().message.find(dir) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("schema_at returns the version in force at a position") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  const TableId orders{"app", "orders"};
  const Position ddl1 = mysql_at("mysql-bin.000009", 500);
  const Position ddl2 = mysql_at("mysql-bin.000010", 1000);
  REQUIRE(store->put_schema("p", ddl1, schema("orders", 1, {"id"})));
  REQUIRE(store->put_schema("p", ddl2, schema("orders", 2, {"id", "amount"})));
  REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000011", 4), schema("other", 1, {"x"})));
  REQUIRE(store->put_schema("q", mysql_at("mysql-bin.000001", 4), schema("orders", 9, {"q"})));

  auto at = [&](const Position& pos) -> std::optional<uint64_t> {
    auto s = store->schema_at("p", orders, pos);
    REQUIRE_MESSAGE(s, s.error().to_string());
    if (!s->has_value()) return std::nullopt;
    CHECK((*s)->id == orders);
    return (*s)->version;
  };
  CHECK(at(mysql_at("mysql-bin.000001", 4)) == std::nullopt);  // before the first DDL
  CHECK(at(mysql_at("mysql-bin.000009", 499)) == std::nullopt);
  CHECK(at(ddl1) == 1u);  // at the DDL
  CHECK(at(MysqlPosition{{"mysql-bin.000009", 500}, "", 1, 0}) == 1u);
  CHECK(at(mysql_at("mysql-bin.000010", 999)) == 1u);  // between
  CHECK(at(ddl2) == 2u);
  CHECK(at(mysql_at("mysql-bin.000010", 1001)) == 2u);  // after
  CHECK(at(mysql_at("mysql-bin.000999", 4)) == 2u);
  CHECK(at(PostgresPosition{Lsn{~0ull}, Lsn{~0ull}}) == std::nullopt);  // another kind
  auto none = store->schema_at("p", orders, Position{});
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::internal);
  CHECK_FALSE(store->put_schema("p", Position{}, schema("orders", 3, {})));

  auto history = store->schema_history("p", orders);
  REQUIRE(history);
  REQUIRE(history->size() == 2);
  CHECK((*history)[0].first == ddl1);
  CHECK((*history)[0].second.version == 1);
  CHECK((*history)[1].first == ddl2);
  CHECK((*history)[1].second.columns.size() == 2);
  CHECK((*history)[1].second.columns[1].name == "amount");
  CHECK(store->schema_history("q", orders)->size() == 1);
  CHECK(store->schema_history("p", {"app", "missing"})->empty());
}

TEST_CASE("all_schemas: every version of every table of one pipeline, tables in key order") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000010", 1000),
                            schema("orders", 2, {"id", "amount"})));
  REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000009", 500), schema("orders", 1, {"id"})));
  REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000011", 4), schema("other", 1, {"x"})));
  REQUIRE(store->put_schema("pp", mysql_at("mysql-bin.000001", 4), schema("orders", 9, {"q"})));
  auto all = store->all_schemas("p");
  REQUIRE_MESSAGE(all, all.error().to_string());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].first == mysql_at("mysql-bin.000009", 500));
  CHECK((*all)[0].second.version == 1);
  CHECK((*all)[1].second.version == 2);
  CHECK((*all)[2].second.id.table == "other");
  CHECK(store->all_schemas("none")->empty());
}

TEST_CASE(
    "put_checkpoint prunes schema versions below the oldest retained checkpoint, keeping the one "
    "in force") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  // record(id) is at mysql-bin.000001 offset 100 * id.
  for (uint64_t at : {50, 150, 250, 450}) {
    REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000001", at), schema("orders", at, {"id"})));
  }
  REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000001", 10), schema("other", 10, {"x"})));
  REQUIRE(store->put_schema("q", mysql_at("mysql-bin.000001", 50), schema("orders", 50, {"q"})));
  auto versions = [&](std::string_view pipeline, const char* table) {
    std::vector<uint64_t> out;
    auto h = store->schema_history(pipeline, {"app", table});
    REQUIRE_MESSAGE(h, h.error().to_string());
    for (const auto& [at, s] : *h) out.push_back(s.version);
    return out;
  };
  REQUIRE(store->put_checkpoint("p", record(1), 2));
  REQUIRE(store->put_checkpoint("p", record(2), 2));  // keeps 1 and 2: oldest 100
  CHECK(versions("p", "orders") == std::vector<uint64_t>{50, 150, 250, 450});
  REQUIRE(store->put_checkpoint("p", record(3), 2));  // keeps 2 and 3: oldest 200
  CHECK(versions("p", "orders") == std::vector<uint64_t>{150, 250, 450});
  REQUIRE(store->put_checkpoint("p", record(5), 1));  // keeps 5: oldest 500
  CHECK(versions("p", "orders") == std::vector<uint64_t>{450});
  CHECK(versions("p", "other") == std::vector<uint64_t>{10});   // in force at 500: kept
  CHECK(versions("q", "orders") == std::vector<uint64_t>{50});  // another pipeline
  auto at = store->schema_at("p", {"app", "orders"}, mysql_at("mysql-bin.000001", 500));
  REQUIRE(at);
  REQUIRE(at->has_value());
  CHECK((*at)->version == 450);
}

TEST_CASE("schema_at with Postgres and datagen positions") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  const TableId t{"app", "t"};
  REQUIRE(store->put_schema("p", PostgresPosition{Lsn{0x100}, Lsn{0x100}}, schema("t", 1, {"a"})));
  REQUIRE(
      store->put_schema("p", PostgresPosition{Lsn{0x200}, Lsn{0x180}}, schema("t", 2, {"a", "b"})));
  REQUIRE(store->put_schema("p", DatagenPosition{10}, schema("t", 7, {"g"})));
  auto version_at = [&](const Position& pos) -> std::optional<uint64_t> {
    auto s = store->schema_at("p", t, pos);
    REQUIRE(s);
    return *s ? std::optional<uint64_t>((*s)->version) : std::nullopt;
  };
  CHECK(version_at(PostgresPosition{Lsn{0xff}, Lsn{0xfff}}) == std::nullopt);
  CHECK(version_at(PostgresPosition{Lsn{0x1ff}, Lsn{0x1ff}}) == 1u);
  CHECK(version_at(PostgresPosition{Lsn{0x200}, Lsn{0x180}}) == 2u);
  CHECK(version_at(DatagenPosition{9}) == std::nullopt);
  CHECK(version_at(DatagenPosition{10}) == 7u);
}

TEST_CASE("snapshot progress: put, get, overwrite, clear one pipeline only") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  const TableId a{"app", "a"}, b{"app", "b"};
  CHECK_FALSE(store->snapshot_progress("p", a)->has_value());
  REQUIRE(store->put_snapshot_progress("p", a, std::string("chunk\0 1", 8)));
  REQUIRE(store->put_snapshot_progress("p", b, "chunk 7"));
  REQUIRE(store->put_snapshot_progress("p", b, "chunk 8"));
  REQUIRE(store->put_snapshot_progress("q", a, "q's"));
  REQUIRE(store->put_value("p", "k", "v"));
  CHECK(**store->snapshot_progress("p", a) == std::string("chunk\0 1", 8));
  CHECK(**store->snapshot_progress("p", b) == "chunk 8");
  REQUIRE(store->clear_snapshot_progress("p"));
  CHECK_FALSE(store->snapshot_progress("p", a)->has_value());
  CHECK_FALSE(store->snapshot_progress("p", b)->has_value());
  CHECK(**store->snapshot_progress("q", a) == "q's");
  CHECK(**store->get_value("p", "k") == "v");
  REQUIRE(store->clear_snapshot_progress("p"));  // nothing left: still OK
}

TEST_CASE("sink values: put, get, delete") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  CHECK_FALSE(store->get_value("p", "doris/pending")->has_value());
  REQUIRE(store->put_value("p", "doris/pending", "txn 1"));
  REQUIRE(store->put_value("p", "doris/pending", "txn 2"));
  REQUIRE(store->put_value("q", "doris/pending", "other"));
  CHECK(**store->get_value("p", "doris/pending") == "txn 2");
  REQUIRE(store->delete_value("p", "doris/pending"));
  REQUIRE(store->delete_value("p", "never-there"));
  CHECK_FALSE(store->get_value("p", "doris/pending")->has_value());
  CHECK(**store->get_value("q", "doris/pending") == "other");
}

TEST_CASE("corrupted values are Errc::malformed naming the key, never a crash") {
  TempDir tmp;
  const TableId t{"app", "t"};
  { REQUIRE(open_store(tmp.path())->put_checkpoint("p", record(1), 3)); }

  SUBCASE("garbage checkpoint value") {
    put_raw(tmp.path(), keys::checkpoint_key("p", 2), "\x01garbage");
  }
  SUBCASE("truncated checkpoint value") {
    put_raw(tmp.path(), keys::checkpoint_key("p", 2), encode_checkpoint(record(2)).substr(0, 20));
  }
  SUBCASE("checkpoint stored under another id") {
    put_raw(tmp.path(), keys::checkpoint_key("p", 2), encode_checkpoint(record(3)));
  }
  SUBCASE("checkpoint key of the wrong width") {
    put_raw(tmp.path(), keys::checkpoint_prefix("p") + "\x02", encode_checkpoint(record(2)));
  }
  auto store = open_store(tmp.path(), OpenMode::read_only);
  auto all = store->checkpoints("p");
  REQUIRE_FALSE(all);
  CHECK(all.error().code == Errc::malformed);
  CHECK(all.error().message.find("state key \\x01p\\x00\\x01C") != std::string::npos);
  auto latest = store->latest_checkpoint("p");
  REQUIRE_FALSE(latest);
  CHECK(latest.error().code == Errc::malformed);
}

TEST_CASE("a corrupted schema entry is Errc::malformed naming the key") {
  TempDir tmp;
  const TableId t{"app", "t"};
  const Position at = mysql_at("mysql-bin.000002", 4);
  { REQUIRE(open_store(tmp.path())->put_schema("p", at, schema("t", 1, {"id"}))); }
  SUBCASE("bad bytes") { put_raw(tmp.path(), *keys::schema_key("p", t, at), "\x01\x05"); }
  SUBCASE("value of another position") {
    put_raw(tmp.path(), *keys::schema_key("p", t, at),
            encode_schema_entry(mysql_at("mysql-bin.000001", 4), schema("t", 1, {"id"})));
  }
  auto store = open_store(tmp.path());
  auto s = store->schema_at("p", t, mysql_at("mysql-bin.000003", 4));
  REQUIRE_FALSE(s);
  CHECK(s.error().code == Errc::malformed);
  CHECK(s.error().message.find("state key \\x01p\\x00\\x01S") != std::string::npos);
  CHECK_FALSE(store->schema_history("p", t));
}

TEST_CASE("a store written with an unknown key layout is refused") {
  TempDir tmp;
  { open_store(tmp.path()); }
  put_raw(tmp.path(), keys::layout_key(), "\x02");
  auto r = StateStore::open(tmp.path());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  auto ro = StateStore::open(tmp.path(), OpenMode::read_only);
  REQUIRE_FALSE(ro);
  CHECK(ro.error().code == Errc::unsupported);
}

TEST_CASE("savepoints: kept beyond checkpoint retention, listed oldest first, deleted by name") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  REQUIRE(store->put_checkpoint("p", record(1, "s1"), 1));
  REQUIRE(store->put_savepoint("p", "first", record(1, "s1")));
  for (uint64_t id = 2; id <= 6; ++id) REQUIRE(store->put_checkpoint("p", record(id), 1));
  REQUIRE(store->put_savepoint("p", "a-later.one_2", record(6)));
  CHECK(ids(*store, "p") == std::vector<uint64_t>{6});  // retention: the checkpoints only
  auto list = store->savepoints("p");
  REQUIRE_MESSAGE(list, list.error().to_string());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].name == "first");  // by checkpoint id, not by name
  CHECK((*list)[0].record.id == 1);
  CHECK((*list)[0].record.sink_state == "s1");
  CHECK((*list)[0].record.position == record(1).position);
  CHECK((*list)[1].name == "a-later.one_2");
  CHECK(store->savepoints("q")->empty());
  auto one = store->savepoint("p", "first");
  REQUIRE(one);
  REQUIRE(one->has_value());
  CHECK((*one)->id == 1);
  CHECK_FALSE(store->savepoint("p", "missing")->has_value());

  auto taken = store->put_savepoint("p", "first", record(6));
  REQUIRE_FALSE(taken);
  CHECK(taken.error().code == Errc::invalid_config);
  CHECK(taken.error().message == "writing savepoint 'first' of pipeline p: the name is taken");
  for (const char* bad : {"", "has space", "slash/", "\xc3\xa9"}) {
    auto r = store->put_savepoint("p", bad, record(6));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_config);
  }
  CHECK_FALSE(store->put_savepoint("p", std::string(65, 'x'), record(6)));
  CHECK(store->put_savepoint("p", std::string(64, 'x'), record(6)));

  REQUIRE(store->delete_savepoint("p", "first"));
  auto gone = store->delete_savepoint("p", "first");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().message == "deleting savepoint 'first' of pipeline p: no such savepoint");
  CHECK(store->savepoints("p")->size() == 2);

  // A reader sees them, and cannot write them.
  store.reset();
  auto reader = open_store(tmp.path(), OpenMode::read_only);
  CHECK(reader->savepoints("p")->size() == 2);
  CHECK_FALSE(reader->put_savepoint("p", "x", record(7)));
  CHECK_FALSE(reader->delete_savepoint("p", "a-later.one_2"));
}

TEST_CASE("schema history is kept back to the oldest savepoint's position") {
  TempDir tmp;
  auto store = open_store(tmp.path());
  for (uint64_t at : {50, 150, 250, 450}) {
    REQUIRE(store->put_schema("p", mysql_at("mysql-bin.000001", at), schema("orders", at, {"id"})));
  }
  auto versions = [&] {
    std::vector<uint64_t> out;
    // The Result held by name: `*` of a temporary would leave the loop a dangling reference.
    const auto history = store->schema_history("p", {"app", "orders"});
    REQUIRE(history);
    for (const auto& [at, s] : *history) out.push_back(s.version);
    return out;
  };
  REQUIRE(store->put_checkpoint("p", record(2), 1));  // at 200
  REQUIRE(store->put_savepoint("p", "at-200", record(2)));
  REQUIRE(store->put_checkpoint("p", record(5), 1));  // at 500: 150 is in force at 200, kept
  CHECK(versions() == std::vector<uint64_t>{150, 250, 450});
  REQUIRE(store->delete_savepoint("p", "at-200"));
  REQUIRE(store->put_checkpoint("p", record(6), 1));
  CHECK(versions() == std::vector<uint64_t>{450});
}

TEST_CASE(
    "checkpoint(id) and drop_checkpoints_after: an older retained one, the damaged newer gone") {
  TempDir tmp;
  {
    auto store = open_store(tmp.path());
    for (uint64_t id = 1; id <= 4; ++id) REQUIRE(store->put_checkpoint("p", record(id), 10));
    REQUIRE(store->put_checkpoint("q", record(9), 10));
  }
  put_raw(tmp.path(), keys::checkpoint_key("p", 5), "\x01garbage");
  auto store = open_store(tmp.path());
  REQUIRE_FALSE(store->checkpoints("p"));
  auto two = store->checkpoint("p", 2);
  REQUIRE(two);
  REQUIRE(two->has_value());
  CHECK((*two)->id == 2);
  CHECK(encode_checkpoint(**two) == encode_checkpoint(record(2)));
  auto none = store->checkpoint("p", 7);
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  auto damaged = store->checkpoint("p", 5);
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error().code == Errc::malformed);
  CHECK(damaged.error().message.find("checkpoint 5 in state dir " + tmp.path() + " is damaged") !=
        std::string::npos);

  auto dropped = store->drop_checkpoints_after("p", 2);
  REQUIRE_MESSAGE(dropped, dropped.error().to_string());
  CHECK(*dropped == std::vector<uint64_t>{5, 4, 3});
  CHECK(ids(*store, "p") == std::vector<uint64_t>{2, 1});
  CHECK(ids(*store, "q") == std::vector<uint64_t>{9});  // another pipeline's stay
  CHECK(store->drop_checkpoints_after("p", 2)->empty());
  REQUIRE(store->put_checkpoint("p", record(3), 10));  // ids go on from there
  CHECK(ids(*store, "p") == std::vector<uint64_t>{3, 2, 1});
  auto reader = open_store(tmp.path(), OpenMode::read_only);
  CHECK_FALSE(reader->drop_checkpoints_after("p", 1));  // read-only: refused
}
