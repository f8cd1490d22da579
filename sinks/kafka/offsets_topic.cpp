#include "sinks/kafka/offsets_topic.h"

#include <chrono>
#include <string>
#include <string_view>

#include "cdc/core/log.h"
#include "sinks/kafka/rdkafka_handle.h"

namespace cdc::sinks::kafka {

namespace {

// A consumer of the offsets topic, assigned to its partition 0 from the beginning.
Result<RdKafkaPtr> offsets_consumer(const KafkaOptions& options) {
  CDC_TRY_ASSIGN(RdKafkaConfPtr conf,
                 make_conf(options.properties, {{"isolation.level", "read_committed"},
                                                {"enable.partition.eof", "true"},
                                                {"enable.auto.commit", "false"},
                                                {"group.id", "sluice-offsets-" + options.pipeline},
                                                {"fetch.wait.max.ms", "50"}}));
  route_logs(conf.get(), LogRole::offsets_reader);
  char errstr[512];
  RdKafkaPtr consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof(errstr)));
  if (!consumer) return make_error(Errc::invalid_config, std::string("kafka consumer: ") + errstr);
  (void)conf.release();  // owned by the consumer now
  return consumer;
}

}  // namespace

Result<std::optional<OffsetRecord>> read_offsets_topic(const KafkaOptions& options) {
  const std::string& topic = options.offsets_topic;
  CDC_TRY_ASSIGN(RdKafkaPtr consumer, offsets_consumer(options));
  const int timeout = timeout_ms(options.operation_timeout);
  int64_t low = 0, high = 0;
  if (auto err =
          rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), 0, &low, &high, timeout);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable,
                      "kafka offsets topic '" + topic + "': " + rd_kafka_err2str(err));
  }
  std::optional<OffsetRecord> last;
  if (high <= low) return last;
  rd_kafka_poll_set_consumer(consumer.get());
  const RdKafkaPartitionsPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(consumer.get(), parts.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable,
                      "kafka offsets topic '" + topic + "': " + rd_kafka_err2str(err));
  }
  const auto deadline = std::chrono::steady_clock::now() + options.operation_timeout;
  Status st;
  bool eof = false;
  while (!eof && st) {
    if (std::chrono::steady_clock::now() > deadline) {
      st =
          make_error(Errc::timeout, "kafka offsets topic '" + topic + "': not read to its end in " +
                                        std::to_string(timeout) + " ms");
      break;
    }
    const RdKafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      eof = true;
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      st = make_error(Errc::unavailable,
                      "kafka offsets topic '" + topic + "': " + rd_kafka_message_errstr(m.get()));
    } else if (m->key != nullptr &&
               std::string_view(static_cast<const char*>(m->key), m->key_len) == options.pipeline) {
      if (m->payload == nullptr) {
        last.reset();  // a tombstone: an operator reset the pipeline
      } else {
        auto r = decode_offset(
            std::string_view(static_cast<const char*>(m->payload), m->len),
            "kafka offsets topic '" + topic + "' offset " + std::to_string(m->offset));
        if (r) {
          last = std::move(*r);
        } else {
          st = std::move(r).error();
        }
      }
    }
  }
  (void)rd_kafka_consumer_close(consumer.get());  // ignored: nothing was committed
  if (!st) return std::move(st).error();
  return last;
}

Result<std::optional<CheckpointRecord>> resume_checkpoint(
    const KafkaOptions& options, const std::optional<OffsetRecord>& stored,
    std::span<const CheckpointRecord> history) {
  auto logger = log::get("sink.kafka");
  if (!options.exactly_once) {
    // Positions are the state store's (written after every record was acknowledged).
    if (!history.empty()) return std::optional<CheckpointRecord>(history.front());
    if (!stored) return std::optional<CheckpointRecord>();
    return std::optional<CheckpointRecord>(
        CheckpointRecord{stored->checkpoint_id, stored->position, encode_offset(*stored), 0});
  }
  if (!stored) {
    if (!history.empty()) {
      return make_error(
          Errc::malformed,
          "kafka offsets topic '" + options.offsets_topic +
              "' holds no committed record for pipeline '" + options.pipeline +
              "' but the state store has checkpoint " + std::to_string(history.front().id) +
              ": the data this pipeline wrote is gone (another cluster, deleted topics?). Remove "
              "pipeline.state.dir to start over");
    }
    logger->info("[pipeline={}] kafka: no offset record yet in '{}'", options.pipeline,
                 options.offsets_topic);
    return std::optional<CheckpointRecord>();
  }
  if (!history.empty() && history.front().id > stored->checkpoint_id) {
    logger->warn(
        "[pipeline={}] kafka offsets topic '{}' holds checkpoint {}, older than the state store's "
        "{}: "
        "resuming from Kafka's position (it is the truth about its own data)",
        options.pipeline, options.offsets_topic, stored->checkpoint_id, history.front().id);
  }
  logger->info("[pipeline={}] kafka: resuming at {} (checkpoint {})", options.pipeline,
               to_string(stored->position), stored->checkpoint_id);
  return std::optional<CheckpointRecord>(
      CheckpointRecord{stored->checkpoint_id, stored->position, encode_offset(*stored), 0});
}

}  // namespace cdc::sinks::kafka
