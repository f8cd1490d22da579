#include "cdc/pipeline/pipeline_metrics.h"

#include <doctest/doctest.h>

#include <sstream>

#include <prometheus/text_serializer.h>

using namespace cdc;

TEST_CASE("events written are counted by pipeline, table and op") {
  prometheus::Registry registry;
  pipeline::PipelineMetrics metrics(registry, "p");
  auto orders = std::make_shared<TableSchema>();
  orders->id = {"shop", "orders"};
  auto items = std::make_shared<TableSchema>();
  items->id = {"shop", "items"};
  Batch batch;
  for (Op op : {Op::insert, Op::insert, Op::update, Op::insert})
    batch.events.push_back(ChangeEvent{.op = op, .schema = orders.get()});
  batch.events.push_back(ChangeEvent{.op = Op::erase, .schema = items.get()});
  metrics.count_written(batch);
  metrics.count_written(batch);
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, registry.Collect());
  const std::string s = text.str();
  CHECK(
      s.find("sluice_sink_events_written_total{op=\"c\",pipeline=\"p\",table=\"shop.orders\"} 6") !=
      std::string::npos);
  CHECK(
      s.find("sluice_sink_events_written_total{op=\"u\",pipeline=\"p\",table=\"shop.orders\"} 2") !=
      std::string::npos);
  CHECK(
      s.find("sluice_sink_events_written_total{op=\"d\",pipeline=\"p\",table=\"shop.items\"} 2") !=
      std::string::npos);
}

TEST_CASE("batches read: events by table and op, source lag, binlog file number and offset") {
  prometheus::Registry registry;
  pipeline::PipelineMetrics metrics(registry, "p");
  auto orders = std::make_shared<TableSchema>();
  orders->id = {"shop", "orders"};
  Batch batch;
  for (Op op : {Op::insert, Op::update, Op::update}) {
    ChangeEvent e{.op = op, .schema = orders.get()};
    e.source.commit_ts_ms = 1'700'000'000'000;
    batch.events.push_back(e);
  }
  batch.end = MysqlPosition{{"mysql-bin.000042", 1337}, "0-1-9", 0, 0};
  metrics.count_read(batch, 1'700'000'002'500);
  metrics.count_read(batch, 1'700'000'003'000);
  metrics.bytes_read.Increment(123);
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, registry.Collect());
  const std::string s = text.str();
  CHECK(s.find("sluice_source_events_total{op=\"c\",pipeline=\"p\",table=\"shop.orders\"} 2") !=
        std::string::npos);
  CHECK(s.find("sluice_source_events_total{op=\"u\",pipeline=\"p\",table=\"shop.orders\"} 4") !=
        std::string::npos);
  CHECK(s.find("sluice_source_lag_seconds{pipeline=\"p\"} 3") != std::string::npos);
  CHECK(s.find("sluice_source_binlog_file_number{pipeline=\"p\"} 42") != std::string::npos);
  CHECK(s.find("sluice_source_binlog_offset{pipeline=\"p\"} 1337") != std::string::npos);
  CHECK(s.find("sluice_source_bytes_read_total{pipeline=\"p\"} 123") != std::string::npos);
  CHECK(s.find("sluice_source_reconnects_total{pipeline=\"p\"} 0") != std::string::npos);
}
