// BinlogStream's text values view the row event's bytes instead of copies (RowDecodePlan's
// TextValues::viewed): each batch with rows of an event holds that event's buffer, so the values
// outlive the stream, its input and the next batches. On the MariaDB 10.5 capture
// mariadb-bin.000001 (rust_mysql_common), one event per batch so that row events span batches.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "cdc/mysql/binlog_stream.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using testing::load_fixture;
using testing::split_events;

bool inside(const Batch& batch, std::string_view v) {
  for (const auto& b : batch.buffers) {
    const auto* first = reinterpret_cast<const char*>(b.data.get());
    if (v.data() >= first && v.data() + v.size() <= first + b.size) return true;
  }
  return false;
}

TEST_CASE("BinlogStream: text values view the row event's buffer, which their batch holds") {
  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<std::string> seen;  // every text value as read while the stream ran
  {
    auto file = std::make_unique<std::vector<std::byte>>(
        load_fixture("mysql/rust_mysql_common/mariadb-bin.000001"));
    BinlogStreamConfig config;
    config.pipeline_name = "p";
    config.max_batch_events = 1;
    TableMapCache tables;
    MysqlPosition start;
    start.binlog = BinlogPosition{"mariadb-bin.000001", 4};
    BinlogStream stream(std::move(config), tables,
                        DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mariadb), start,
                        GtidSet{});
    for (const auto& ev : split_events(*file)) {
      bool heartbeat = false;
      batches.push_back(std::make_unique<Batch>());
      stream.start_batch();
      REQUIRE(stream.handle(ev.bytes, *batches.back(), heartbeat));
      while (stream.has_buffered()) {
        batches.push_back(std::make_unique<Batch>());
        stream.start_batch();
        REQUIRE(stream.continue_buffered(*batches.back()));
      }
    }
    for (const auto& b : batches) {
      for (const auto& e : b->events) {
        for (const Value& v : e.after.values()) {
          if (v.kind == ValueKind::string) seen.emplace_back(v.text);
        }
      }
    }
  }  // the stream, its table versions and the file's bytes are gone
  size_t strings = 0, rows = 0;
  for (const auto& b : batches) {
    CHECK(b->events.size() <= 1);
    for (const auto& e : b->events) {
      ++rows;
      for (const Value& v : e.after.values()) {
        if (v.kind != ValueKind::string) continue;
        REQUIRE(strings < seen.size());
        CHECK(v.text == seen[strings++]);
        CHECK(inside(*b, v.text));
      }
    }
  }
  CHECK(strings == seen.size());
  CHECK(rows >= 2);
  CHECK(strings >= rows);  // every row of the capture has text
}

}  // namespace
}  // namespace cdc::mysql
