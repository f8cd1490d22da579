#include "cdc/pipeline/pipeline_metrics.h"

#include <doctest/doctest.h>

#include <sstream>

#include <prometheus/text_serializer.h>

using namespace cdc;

TEST_CASE("events written are counted by pipeline, table and op") {
  prometheus::Registry registry;
  pipeline::PipelineMetrics metrics(registry, "p");
  auto orders = std::make_shared<TableSchema>(TableSchema{{"shop", "orders"}, {}, {}, 1});
  auto items = std::make_shared<TableSchema>(TableSchema{{"shop", "items"}, {}, {}, 1});
  Batch batch;
  for (Op op : {Op::insert, Op::insert, Op::update, Op::insert}) batch.events.push_back(ChangeEvent{.op = op, .schema = orders});
  batch.events.push_back(ChangeEvent{.op = Op::erase, .schema = items});
  metrics.count_written(batch);
  metrics.count_written(batch);
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, registry.Collect());
  const std::string s = text.str();
  CHECK(s.find("sluice_sink_events_written_total{op=\"c\",pipeline=\"p\",table=\"shop.orders\"} 6") != std::string::npos);
  CHECK(s.find("sluice_sink_events_written_total{op=\"u\",pipeline=\"p\",table=\"shop.orders\"} 2") != std::string::npos);
  CHECK(s.find("sluice_sink_events_written_total{op=\"d\",pipeline=\"p\",table=\"shop.items\"} 2") != std::string::npos);
}
