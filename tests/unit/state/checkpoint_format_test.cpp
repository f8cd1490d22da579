#include "state/checkpoint_format.h"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <memory>

#include "state/state_keys.h"

#include "temp_dir.h"

using namespace cdc;
using namespace cdc::state;
using cdc::state::testing::TempDir;

TEST_CASE("format_wall_time is ISO-8601 UTC with milliseconds") {
  CHECK(format_wall_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_wall_time(1714566896789) == "2024-05-01T12:34:56.789Z");
  CHECK(format_wall_time(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(format_wall_time(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_wall_time(INT64_MIN) == "-9223372036854775808ms");
  CHECK(format_wall_time(INT64_MAX) == "9223372036854775807ms");
}

TEST_CASE("format_checkpoints: exact table and JSON output") {
  TempDir tmp;
  auto opened = StateStore::open(tmp.path());
  REQUIRE(opened);
  auto& store = **opened;

  SUBCASE("no checkpoints") {
    CHECK(*format_checkpoints(store, OutputFormat::table) == "no checkpoints\n");
    CHECK(*format_checkpoints(store, OutputFormat::json) == "[]\n");
  }
  SUBCASE("two pipelines, newest first") {
    REQUIRE(store.put_checkpoint(
        "orders-to-kafka",
        CheckpointRecord{9, MysqlPosition{{"mysql-bin.000042", 1337}, "0-1-100", 2, 0}, "kafka",
                         1714566896789},
        5));
    REQUIRE(store.put_checkpoint(
        "orders-to-kafka",
        CheckpointRecord{10, MysqlPosition{{"mysql-bin.000042", 4096}, "0-1-101", 0, 0}, "kafka!",
                         1714566897000},
        5));
    REQUIRE(store.put_checkpoint(
        "pg", CheckpointRecord{3, PostgresPosition{Lsn{0x16B374D848}, Lsn{0x16B374D900}}, "", 0},
        5));
    REQUIRE(store.put_value("values-only", "k", "v"));  // a pipeline with no checkpoints

    CHECK(*format_checkpoints(store, OutputFormat::table) ==
          "PIPELINE         ID  WALL_TIME                 POSITION                                 "
          "    SINK_STATE_BYTES\n"
          "orders-to-kafka  10  2024-05-01T12:34:57.000Z  mysql-bin.000042:4096 gtid=0-1-101       "
          "    6\n"
          "orders-to-kafka  9   2024-05-01T12:34:56.789Z  mysql-bin.000042:1337 gtid=0-1-100 "
          "skip=2/0  5\n"
          "pg               3   1970-01-01T00:00:00.000Z  lsn=16/B374D900 commit=16/B374D848       "
          "    0\n");
    CHECK(*format_checkpoints(store, OutputFormat::json) ==
          "[\n"
          "  {\"pipeline\":\"orders-to-kafka\",\"id\":10,\"wall_time_ms\":1714566897000,"
          "\"wall_time\":\"2024-05-01T12:34:57.000Z\",\"position\":{\"kind\":\"mysql\","
          "\"file\":\"mysql-bin.000042\",\"offset\":4096,\"gtid_set\":\"0-1-101\",\"events_to_"
          "skip\":0,"
          "\"rows_to_skip\":0,\"text\":\"mysql-bin.000042:4096 "
          "gtid=0-1-101\"},\"sink_state_bytes\":6},\n"
          "  {\"pipeline\":\"orders-to-kafka\",\"id\":9,\"wall_time_ms\":1714566896789,"
          "\"wall_time\":\"2024-05-01T12:34:56.789Z\",\"position\":{\"kind\":\"mysql\","
          "\"file\":\"mysql-bin.000042\",\"offset\":1337,\"gtid_set\":\"0-1-100\",\"events_to_"
          "skip\":2,"
          "\"rows_to_skip\":0,\"text\":\"mysql-bin.000042:1337 gtid=0-1-100 "
          "skip=2/0\"},\"sink_state_bytes\":5},\n"
          "  "
          "{\"pipeline\":\"pg\",\"id\":3,\"wall_time_ms\":0,\"wall_time\":\"1970-01-01T00:00:00."
          "000Z\","
          "\"position\":{\"kind\":\"postgres\",\"commit_lsn\":\"16/B374D848\",\"lsn\":\"16/"
          "B374D900\",\"events_to_skip\":0,"
          "\"text\":\"lsn=16/B374D900 commit=16/B374D848\"},\"sink_state_bytes\":0}\n"
          "]\n");
  }
  SUBCASE("a re-snapshot in progress: its tables left, the first one started") {
    SnapshotPosition sp;
    sp.reading = false;
    sp.stream = MysqlPosition{{"mysql-bin.000007", 1200}, "", 0, 0};
    sp.resnapshot_tables = {{"shop", "orders"}, {"shop", "items"}};
    sp.resnapshot_after_key = std::string("\x01\x00\x07", 3);
    REQUIRE(store.put_checkpoint("p", CheckpointRecord{4, sp, "", 0}, 1));
    CHECK(*format_checkpoints(store, OutputFormat::json) ==
          "[\n"
          "  {\"pipeline\":\"p\",\"id\":4,\"wall_time_ms\":0,"
          "\"wall_time\":\"1970-01-01T00:00:00.000Z\",\"position\":{\"kind\":\"snapshot\","
          "\"segments\":[],\"reading\":null,\"stream\":\"mysql-bin.000007:1200\","
          "\"resnapshot\":{\"tables\":[\"shop.orders\",\"shop.items\"],\"first_from_start\":"
          "false},\"text\":\"snapshot segments=0 stream=mysql-bin.000007:1200 "
          "re-snapshot=shop.orders (after a key) +1 table(s)\"},\"sink_state_bytes\":0}\n"
          "]\n");
  }
  SUBCASE("names are JSON-escaped") {
    REQUIRE(store.put_checkpoint("a\"b\\c\n", CheckpointRecord{1, DatagenPosition{5}, "", 0}, 1));
    CHECK(*format_checkpoints(store, OutputFormat::json) ==
          "[\n"
          "  {\"pipeline\":\"a\\\"b\\\\c\\n\",\"id\":1,\"wall_time_ms\":0,"
          "\"wall_time\":\"1970-01-01T00:00:00.000Z\",\"position\":{\"kind\":\"datagen\",\"next_"
          "row\":5,"
          "\"text\":\"datagen:row=5\"},\"sink_state_bytes\":0}\n"
          "]\n");
  }
}

TEST_CASE("format_checkpoints: savepoints follow their pipeline's checkpoints, named") {
  TempDir tmp;
  auto opened = StateStore::open(tmp.path());
  REQUIRE(opened);
  auto& store = **opened;
  const CheckpointRecord first{1, DatagenPosition{10}, "ab", 1714566896789};
  const CheckpointRecord second{2, DatagenPosition{20}, "", 1714566897000};
  REQUIRE(store.put_checkpoint("gen", first, 1));
  REQUIRE(store.put_savepoint("gen", "before-deploy", first));
  REQUIRE(store.put_checkpoint("gen", second, 1));
  CHECK(*format_checkpoints(store, OutputFormat::table) ==
        "PIPELINE  SAVEPOINT      ID  WALL_TIME                 POSITION        SINK_STATE_BYTES\n"
        "gen       -              2   2024-05-01T12:34:57.000Z  datagen:row=20  0\n"
        "gen       before-deploy  1   2024-05-01T12:34:56.789Z  datagen:row=10  2\n");
  CHECK(*format_checkpoints(store, OutputFormat::json) ==
        "[\n"
        "  {\"pipeline\":\"gen\",\"id\":2,\"wall_time_ms\":1714566897000,"
        "\"wall_time\":\"2024-05-01T12:34:57.000Z\",\"position\":{\"kind\":\"datagen\","
        "\"next_row\":20,\"text\":\"datagen:row=20\"},\"sink_state_bytes\":0},\n"
        "  {\"pipeline\":\"gen\",\"savepoint\":\"before-deploy\",\"id\":1,"
        "\"wall_time_ms\":1714566896789,\"wall_time\":\"2024-05-01T12:34:56.789Z\","
        "\"position\":{\"kind\":\"datagen\",\"next_row\":10,\"text\":\"datagen:row=10\"},"
        "\"sink_state_bytes\":2}\n"
        "]\n");
}

TEST_CASE("format_checkpoints: a damaged record is listed as such, the others still are") {
  TempDir tmp;
  {
    auto opened = StateStore::open(tmp.path());
    REQUIRE(opened);
    for (uint64_t id = 1; id <= 2; ++id) {
      REQUIRE(
          (*opened)->put_checkpoint("p", CheckpointRecord{id, DatagenPosition{id * 10}, "", 0}, 5));
    }
  }
  {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), tmp.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put(rocksdb::WriteOptions(), keys::checkpoint_key("p", 3), "\x01garbage").ok());
  }
  auto opened = StateStore::open(tmp.path(), OpenMode::read_only);
  REQUIRE(opened);
  const std::string table = *format_checkpoints(**opened, OutputFormat::table);
  CHECK(table ==
        "PIPELINE  ID  WALL_TIME                 POSITION                   SINK_STATE_BYTES\n"
        "p         3   -                         DAMAGED (does not decode)  -\n"
        "p         2   1970-01-01T00:00:00.000Z  datagen:row=20             0\n"
        "p         1   1970-01-01T00:00:00.000Z  datagen:row=10             0\n");
  const std::string json = *format_checkpoints(**opened, OutputFormat::json);
  CHECK(json.find("{\"pipeline\":\"p\",\"id\":3,\"damaged\":\"") != std::string::npos);
  CHECK(json.find("checkpoint 3 in state dir " + tmp.path() + " is damaged") != std::string::npos);
  CHECK(json.find("\"id\":2,\"wall_time_ms\":0") != std::string::npos);
}
