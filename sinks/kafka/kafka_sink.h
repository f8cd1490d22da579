// KafkaSink: writes change events to Kafka topics with librdkafka, exactly once by default:
// a transactional producer (transactional.id = the pipeline's) holds one Kafka transaction per
// checkpoint with the data and one record on the pipeline's compacted offsets topic; open()
// reads that record back (read_committed) and resumes from it, and init_transactions() fences
// any older instance. At-least-once: the idempotent producer without transactions; a
// checkpoint completes when every record is acknowledged. Owns its producer and, while open,
// a delivery thread that serves the producer's delivery reports. Called from the sink thread
// only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cdc/core/sink.h"
#include "sinks/kafka/kafka_metrics.h"
#include "sinks/kafka/kafka_options.h"
#include "sinks/kafka/offset_record.h"
#include "sinks/kafka/rdkafka_handle.h"
#include "sinks/kafka/record_builder.h"

namespace cdc::sinks::kafka {

class KafkaSink final : public Sink {
 public:
  // Checks the options and builds the producer configuration (nothing connects yet);
  // Errc::invalid_config naming the key. `metrics` may be null.
  static Result<std::unique_ptr<KafkaSink>> create(KafkaOptions options,
                                                   std::shared_ptr<KafkaMetrics> metrics);
  ~KafkaSink() override;

  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override;
  Status write(const Batch& batch) override;
  // Exactly-once: appends the offset record and commits the transaction (so Kafka holds the
  // checkpoint before the state store does; open() trusts Kafka). At-least-once: flushes.
  Result<std::string> prepare(uint64_t id, const Position& position) override;
  Status commit(uint64_t) override { return {}; }
  // At-least-once: sends what librdkafka is lingering on (linger.ms) now. Exactly-once keeps
  // the default: records become visible at the checkpoint's commit whenever they are sent.
  Status on_idle(const Position& written) override;
  void close() override;
  bool exactly_once() const override { return options_.exactly_once; }
  bool wants_schema_changes() const override { return !options_.schema_change_topic.empty(); }

  // Called by librdkafka's delivery report callback: on the delivery thread, or on the sink
  // thread inside rd_kafka_flush.
  void on_delivery(const rd_kafka_message_t& m);

 private:
  explicit KafkaSink(KafkaOptions options, std::shared_ptr<KafkaMetrics> metrics);
  Result<RdKafkaConfPtr> producer_conf();
  struct TopicHandle {
    RdKafkaTopicPtr rkt;   // cleared by close() before the producer it was made from
    uint64_t records = 0;  // of the open transaction (or since the last flush)
    uint64_t bytes = 0;
  };
  // The handle of `topic`, creating the topic first when it is new to this sink.
  Result<TopicHandle*> topic_handle(std::string_view topic, int32_t partitions, bool compacted);
  // Fetches a new topic's metadata, so that its first records go to known leaders (what an
  // at-least-once on_idle flush needs).
  void learn_partitions(rd_kafka_topic_t& topic, const std::string& name);
  Status begin_if_needed();
  Status produce(TopicHandle& topic, int32_t partition, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, const ChangeEvent* headers_of);
  // The first delivery error since the last check, as a Status (aborting the transaction).
  Status check_deliveries();
  // Maps a transactional API error: fenced/fatal stop the pipeline; an abortable one aborts
  // the transaction and asks the runner to replay from the last checkpoint.
  Error txn_error(RdKafkaErrorPtr error, std::string_view during);
  Status abort_transaction(std::string_view why);
  // The producer's fatal error (fenced: Errc::fenced), if it has one.
  std::optional<Error> fatal_error();
  void publish_metrics(bool committed);
  // The delivery thread: rd_kafka_poll in a loop from open() to close(). Acknowledged records
  // are freed where their report is served; off the sink thread that was a third of its CPU.
  void start_delivery_thread();
  void stop_delivery_thread();
  // Adds the acknowledgements counted since the last call to the metric (either thread).
  void publish_acknowledged();
  // Backpressure (sink thread): blocks until the delivery thread has served reports since
  // `served_seen` (a value of reports_served_ read before the produce that found the queue
  // full) or until `deadline`; returns reports_served_ then.
  uint64_t wait_for_deliveries(uint64_t served_seen,
                               std::chrono::steady_clock::time_point deadline);

  KafkaOptions options_;
  std::shared_ptr<KafkaMetrics> metrics_;
  RecordBuilder builder_;
  RdKafkaPtr producer_;
  std::map<std::string, TopicHandle, std::less<>> topics_;
  // The topic of the previous record: names from the RecordBuilder are stable views, so
  // consecutive records of one table skip the map.
  std::string_view last_topic_name_;
  TopicHandle* last_topic_ = nullptr;
  TopicHandle* offsets_topic_ = nullptr;  // in topics_
  bool in_txn_ = false;
  std::chrono::steady_clock::time_point txn_start_;
  // Counts the delivery thread's polls that served reports; their records are freed by then,
  // so a produce() refused with QUEUE_FULL may retry. Incremented by the delivery thread only;
  // read without the mutex on every produce (it only decides whether to wait).
  std::atomic<uint64_t> reports_served_{0};
  std::mutex reports_mutex_;                       // orders the wait's check against the notify
  std::condition_variable reports_served_cv_;      // signalled after reports_served_ grows
  std::atomic<uint64_t> acknowledged_pending_{0};  // data records acknowledged, not yet published
  std::mutex delivery_mutex_;                      // guards delivery_error_
  std::optional<Error> delivery_error_;            // first failed delivery since the last check
  // After every member the delivery thread touches, so that it is joined before they go.
  std::jthread delivery_thread_;
  uint64_t skipped_reported_ = 0;
  // The `sluice.position` header of `source`: its event position's text form
  // (cdc/core/position.h), rebuilt only when the position changes.
  std::string_view position_header(const SourceInfo& source);
  EventPosition position_at_;  // whose text position_text_ is; a file name views position_file_
  std::string position_file_;
  std::string position_text_;
};

}  // namespace cdc::sinks::kafka
