// BinlogStream's `include_query` on the MariaDB 10.5 capture mariadb-bin.000001 (rust_mysql_common;
// ANNOTATE_ROWS before each row event, as a file has them whatever a dump client asks for):
// source.query of a row is empty (null in debezium-json) by default and the statement with
// include_query. A DDL's statement comes from its QUERY event and is not governed by it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdc/mysql/binlog_stream.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using testing::load_fixture;
using testing::split_events;

constexpr std::string_view kFirstInsert =
    R"(insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{"foo":1}'))";

// The queries of the capture's row events, in order.
std::vector<std::string> row_queries(bool include_query) {
  const auto file = load_fixture("mysql/rust_mysql_common/mariadb-bin.000001");
  BinlogStreamConfig config;
  config.pipeline_name = "p";
  config.include_query = include_query;
  TableMapCache tables;
  BinlogStream stream =
      testing::stream_from_start(std::move(config), tables, "mariadb-bin.000001", Flavor::mariadb);
  std::vector<std::string> out;
  for (const auto& ev : split_events(file)) {
    Batch batch;
    stream.start_batch();
    bool heartbeat = false;
    REQUIRE(stream.handle(ev.bytes, batch, heartbeat));
    while (stream.has_buffered()) REQUIRE(stream.continue_buffered(batch));
    for (const auto& ce : batch.events) out.emplace_back(ce.source.query);
  }
  return out;
}

TEST_CASE("BinlogStream: rows carry no statement by default, ANNOTATE_ROWS's with include_query") {
  const auto without = row_queries(BinlogStreamConfig{}.include_query);
  REQUIRE(without.size() >= 2);
  for (const auto& q : without) CHECK(q.empty());

  const auto with = row_queries(true);
  REQUIRE(with.size() == without.size());
  CHECK(with[0] == kFirstInsert);
  for (const auto& q : with) CHECK_FALSE(q.empty());
}

}  // namespace
}  // namespace cdc::mysql
