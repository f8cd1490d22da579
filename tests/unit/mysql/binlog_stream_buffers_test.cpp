// Where BinlogStream's text values live: they view the row event's bytes (RowDecodePlan's
// TextValues::viewed), never the stream's input, and the batch they are in keeps those bytes.
// An event up to BinlogStream's arena limit is copied into the arena of each batch its rows go
// to (also when it spans batches); a larger one is one shared buffer every such batch holds. The
// values outlive the stream, its input and the other batches.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "cdc/mysql/binlog_stream.h"
#include "tests/unit/mysql/binlog_bytes.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using namespace testing;

// WRITE_ROWS_V2 of t (id INT, b BLOB with a 3-byte length): `rows` rows of `size` bytes each,
// row i's blob filled with 'a' + i % 26.
Bytes write_rows(int rows, size_t size) {
  Bytes b = two_column_rows_header(100, 30);
  for (int i = 0; i < rows; ++i) {
    b.push_back(std::byte{0});  // nulls
    put_int(b, static_cast<uint32_t>(i), 4);
    put_int(b, size, 3);
    b.insert(b.end(), size, static_cast<std::byte>('a' + i % 26));
  }
  return v4_event(30, b, {.log_pos = 1000});
}

bool in_held_buffer(const Batch& batch, std::string_view v) {
  for (const auto& b : batch.buffers) {
    const auto* first = reinterpret_cast<const char*>(b.data.get());
    if (v.data() >= first && v.data() + v.size() <= first + b.size) return true;
  }
  return false;
}

struct Case {
  const char* what;
  int rows;
  size_t size;
  size_t per_batch;
  bool shared;  // above the arena limit
};

TEST_CASE("BinlogStream: text values view the row event's bytes, which their batch keeps") {
  for (const Case c :
       {Case{"one batch", 5, 40, 100, false}, Case{"spanning batches", 10, 40, 3, false},
        Case{"above the arena limit, spanning batches", 6, 100'000, 2, true}}) {
    CAPTURE(c.what);
    std::vector<std::unique_ptr<Batch>> batches;
    {
      auto input = std::make_unique<std::vector<Bytes>>();
      input->push_back(
          v4_event(19, two_column_table_map(100, "db", "t", 252, 3, "b"), {.log_pos = 500}));
      input->push_back(write_rows(c.rows, c.size));
      BinlogStreamConfig config;
      config.pipeline_name = "p";
      config.max_batch_events = c.per_batch;
      TableMapCache tables;
      BinlogStream stream =
          stream_from_start(std::move(config), tables, "bin.000001", Flavor::mariadb);
      for (const auto& ev : *input) {
        bool heartbeat = false;
        batches.push_back(std::make_unique<Batch>());
        stream.start_batch();
        REQUIRE(stream.handle(ev, *batches.back(), heartbeat));
        while (stream.has_buffered()) {
          batches.push_back(std::make_unique<Batch>());
          stream.start_batch();
          REQUIRE(stream.continue_buffered(*batches.back()));
        }
      }
      for (auto& ev : *input) std::fill(ev.begin(), ev.end(), std::byte{0xEE});  // not viewed
    }  // the stream, its table versions and the input are gone
    int row = 0;
    for (const auto& b : batches) {
      CHECK(b->events.size() <= c.per_batch);
      for (const auto& e : b->events) {
        REQUIRE(e.after.size == 2);
        CHECK(e.after[0] == Value::int64(row));
        const std::string_view text = e.after[1].text;
        CHECK(text == std::string(c.size, static_cast<char>('a' + row % 26)));
        if (c.shared) {
          CHECK(in_held_buffer(*b, text));
        } else {
          CHECK(b->arena.holds(text.data()));
          CHECK(b->arena.holds(text.data() + text.size() - 1));
          CHECK(b->buffers.empty());
        }
        ++row;
      }
    }
    CHECK(row == c.rows);
  }
}

}  // namespace
}  // namespace cdc::mysql
