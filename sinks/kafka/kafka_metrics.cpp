#include "sinks/kafka/kafka_metrics.h"

namespace cdc::sinks::kafka {

namespace {
prometheus::Family<prometheus::Counter>& transactions(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("sluice_kafka_transactions_total")
      .Help("Kafka transactions ended, by result (committed, aborted)")
      .Register(r);
}
}  // namespace

KafkaMetrics::KafkaMetrics(prometheus::Registry& r, const std::string& p)
    : delivery_errors(
          prometheus::BuildCounter()
              .Name("sluice_kafka_delivery_errors_total")
              .Help("Records the producer could not deliver (each stops or replays the checkpoint)")
              .Register(r)
              .Add({{"pipeline", p}})),
      records_acknowledged(
          prometheus::BuildCounter()
              .Name("sluice_kafka_records_acknowledged_total")
              .Help("Data records the broker acknowledged, committed or not (offset records "
                    "left out)")
              .Register(r)
              .Add({{"pipeline", p}})),
      transactions_committed(transactions(r).Add({{"pipeline", p}, {"result", "committed"}})),
      transactions_aborted(transactions(r).Add({{"pipeline", p}, {"result", "aborted"}})),
      transaction_seconds(
          prometheus::BuildHistogram()
              .Name("sluice_kafka_transaction_duration_seconds")
              .Help("From the first record of a checkpoint's transaction to its commit")
              .Register(r)
              .Add({{"pipeline", p}},
                   prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5,
                                                           30})),
      queue_messages(
          prometheus::BuildGauge()
              .Name("sluice_kafka_producer_queue_messages")
              .Help("Records in the producer's queue, not yet acknowledged by the broker")
              .Register(r)
              .Add({{"pipeline", p}})),
      pipeline_(p),
      records_family_(prometheus::BuildCounter()
                          .Name("sluice_kafka_records_total")
                          .Help("Records written to Kafka, by topic")
                          .Register(r)),
      bytes_family_(prometheus::BuildCounter()
                        .Name("sluice_kafka_bytes_total")
                        .Help("Key and value bytes written to Kafka, by topic")
                        .Register(r)) {}

void KafkaMetrics::add_records(const std::string& topic, uint64_t records, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    const std::map<std::string, std::string> labels{{"pipeline", pipeline_}, {"topic", topic}};
    it = topics_
             .emplace(topic,
                      std::make_pair(&records_family_.Add(labels), &bytes_family_.Add(labels)))
             .first;
  }
  it->second.first->Increment(static_cast<double>(records));
  it->second.second->Increment(static_cast<double>(bytes));
}

}  // namespace cdc::sinks::kafka
