// KafkaMetrics: the Kafka sink's Prometheus series, labelled {pipeline} (and {topic}). One
// instance per pipeline, shared by the sink instances the runner creates across restarts.
// Updates are thread-safe (prometheus-cpp atomics; the per-topic lookup takes a mutex).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdc::sinks::kafka {

class KafkaMetrics {
 public:
  KafkaMetrics(prometheus::Registry& registry, const std::string& pipeline);

  // sluice_kafka_records_total / sluice_kafka_bytes_total{topic}: records handed to the
  // producer (key + value bytes), counted when their transaction commits (exactly-once) or
  // their delivery is confirmed (at-least-once).
  void add_records(const std::string& topic, uint64_t records, uint64_t bytes);

  prometheus::Counter& delivery_errors;  // sluice_kafka_delivery_errors_total
  // sluice_kafka_records_acknowledged_total: data records the broker acknowledged (offset
  // records left out), before their transaction commits; published by the delivery thread.
  prometheus::Counter& records_acknowledged;
  prometheus::Counter&
      transactions_committed;                 // sluice_kafka_transactions_total{result="committed"}
  prometheus::Counter& transactions_aborted;  // sluice_kafka_transactions_total{result="aborted"}
  prometheus::Histogram& transaction_seconds;  // sluice_kafka_transaction_duration_seconds
  prometheus::Gauge& queue_messages;           // sluice_kafka_producer_queue_messages

 private:
  std::string pipeline_;
  prometheus::Family<prometheus::Counter>& records_family_;
  prometheus::Family<prometheus::Counter>& bytes_family_;
  std::mutex mutex_;  // guards topics_
  std::map<std::string, std::pair<prometheus::Counter*, prometheus::Counter*>, std::less<>> topics_;
};

}  // namespace cdc::sinks::kafka
