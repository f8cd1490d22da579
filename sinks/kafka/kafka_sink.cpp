#include "sinks/kafka/kafka_sink.h"

#include <pthread.h>

#include <thread>

#include "cdc/core/log.h"
#include "sinks/kafka/murmur2.h"

namespace cdc::sinks::kafka {

namespace {

// A commit that fails with a retriable error (a timeout while the broker is away) is tried
// this many times before the transaction is aborted and the checkpoint replayed.
constexpr int kCommitAttempts = 3;

void delivery_report(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  static_cast<KafkaSink*>(opaque)->on_delivery(*m);
}

// The Java client's partitioner for keyed records; keyless records go to a random partition
// (the Java client's sticky choice has no fixed answer either).
int32_t murmur2_partitioner(const rd_kafka_topic_t* rkt, const void* key, size_t keylen, int32_t partitions,
                            void* rkt_opaque, void* msg_opaque) {
  if (key == nullptr) return rd_kafka_msg_partitioner_random(rkt, key, keylen, partitions, rkt_opaque, msg_opaque);
  return murmur2_partition(std::string_view(static_cast<const char*>(key), keylen), partitions);
}

// The per-message opaque of offset records, so that their delivery reports are told apart
// from the data records' (whose opaque is null).
char offset_record_marker;

int timeout_ms(std::chrono::milliseconds d) { return static_cast<int>(d.count()); }

bool is_fence(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

bool is_authorization(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
}

}  // namespace

Result<std::unique_ptr<KafkaSink>> KafkaSink::create(KafkaOptions options, std::shared_ptr<KafkaMetrics> metrics) {
  if (options.topic.empty()) {
    CDC_TRY(expand_topic(options.topic_template, options.topic_prefix, TableId{"db", "table"}));
  }
  std::unique_ptr<KafkaSink> sink(new KafkaSink(std::move(options), std::move(metrics)));
  CDC_TRY(sink->producer_conf());  // refuse bad properties before anything connects
  return sink;
}

KafkaSink::KafkaSink(KafkaOptions options, std::shared_ptr<KafkaMetrics> metrics)
    : options_(std::move(options)), metrics_(std::move(metrics)), builder_(options_) {}

KafkaSink::~KafkaSink() { close(); }

Result<RdKafkaConfPtr> KafkaSink::producer_conf() {
  std::map<std::string, std::string> fixed{{"enable.idempotence", "true"}};
  if (options_.exactly_once) fixed["transactional.id"] = options_.transactional_id;
  CDC_TRY_ASSIGN(RdKafkaConfPtr conf, make_conf(options_.properties, fixed));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), delivery_report);
  rd_kafka_conf_set_opaque(conf.get(), this);
  route_logs(conf.get(), LogRole::producer);
  rd_kafka_topic_conf_t* topic_conf = rd_kafka_topic_conf_new();
  rd_kafka_topic_conf_set_partitioner_cb(topic_conf, murmur2_partitioner);
  rd_kafka_conf_set_default_topic_conf(conf.get(), topic_conf);  // takes ownership
  return conf;
}

void KafkaSink::on_delivery(const rd_kafka_message_t& m) {
  if (m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m._private != &offset_record_marker) acknowledged_pending_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (metrics_) metrics_->delivery_errors.Increment();
  std::lock_guard lock(delivery_mutex_);
  if (delivery_error_) return;
  const std::string topic = m.rkt != nullptr ? rd_kafka_topic_name(m.rkt) : "?";
  const Errc code = is_fence(m.err) ? Errc::fenced : is_authorization(m.err) ? Errc::auth : Errc::unavailable;
  delivery_error_ = make_error(code, "kafka could not deliver a record to topic " + topic + " partition " +
                                         std::to_string(m.partition) + ": " + rd_kafka_err2str(m.err));
}

void KafkaSink::start_delivery_thread() {
  delivery_thread_ = std::jthread([this, rk = producer_.get()](std::stop_token stop) {
    pthread_setname_np(pthread_self(), "kafka-delivery");  // per-thread CPU in top/perf
    while (!stop.stop_requested()) {
      rd_kafka_poll(rk, 50);
      publish_acknowledged();
    }
  });
}

void KafkaSink::publish_acknowledged() {
  const uint64_t n = acknowledged_pending_.exchange(0, std::memory_order_relaxed);
  if (n != 0 && metrics_) metrics_->records_acknowledged.Increment(static_cast<double>(n));
}

void KafkaSink::stop_delivery_thread() {
  if (!delivery_thread_.joinable()) return;
  delivery_thread_.request_stop();
  rd_kafka_yield(producer_.get());  // ends a poll that is waiting
  delivery_thread_.join();
}

std::optional<Error> KafkaSink::fatal_error() {
  if (!producer_) return std::nullopt;
  char reason[512] = "";
  const rd_kafka_resp_err_t code = rd_kafka_fatal_error(producer_.get(), reason, sizeof(reason));
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  in_txn_ = false;
  const std::string who = "kafka producer of pipeline '" + options_.pipeline + "' (transactional.id '" +
                          options_.transactional_id + "')";
  if (is_fence(code)) {
    return make_error(Errc::fenced, who + " was fenced: " + reason +
                                        "; another sluice instance now owns this pipeline's transactions, so this "
                                        "one stops without writing more");
  }
  return make_error(is_authorization(code) ? Errc::auth : Errc::unsupported,
                    who + " failed fatally: " + reason + "; the pipeline stops");
}

Status KafkaSink::check_deliveries() {
  std::unique_lock lock(delivery_mutex_);
  if (!delivery_error_) return {};
  lock.unlock();
  if (auto fatal = fatal_error()) return std::move(*fatal);  // the root cause, not its purged records
  lock.lock();
  Error e = std::move(*delivery_error_);
  delivery_error_.reset();
  lock.unlock();
  if (e.code == Errc::unavailable) {
    if (options_.exactly_once && in_txn_) {
      (void)abort_transaction(e.message);  // ignored: the error below replays the checkpoint either way
      e.message += "; the transaction was aborted";
    }
    e.message += "; replaying from the last checkpoint";
  }
  return e;
}

Error KafkaSink::txn_error(rd_kafka_error_t* raw, std::string_view during) {
  RdKafkaErrorPtr error(raw);
  const rd_kafka_resp_err_t code = rd_kafka_error_code(raw);
  const std::string what = "kafka " + std::string(during) + " for pipeline '" + options_.pipeline +
                           "' (transactional.id '" + options_.transactional_id + "'): " + rd_kafka_error_string(raw);
  if (is_fence(code) || rd_kafka_error_is_fatal(raw)) {
    if (auto fatal = fatal_error()) return std::move(*fatal);
    in_txn_ = false;
    return make_error(is_fence(code) ? Errc::fenced : Errc::unsupported,
                      what + (is_fence(code) ? "; another sluice instance now owns this pipeline's transactions, so "
                                               "this one stops without writing more"
                                             : "; the pipeline stops"));
  }
  if (is_authorization(code)) return make_error(Errc::auth, what);
  if (rd_kafka_error_txn_requires_abort(raw) && in_txn_) {
    (void)abort_transaction(what);  // ignored: the error below replays the checkpoint either way
  }
  return make_error(Errc::unavailable, what + "; replaying from the last checkpoint");
}

Status KafkaSink::abort_transaction(std::string_view why) {
  if (!in_txn_) return {};
  in_txn_ = false;
  for (auto& [name, topic] : topics_) topic.records = topic.bytes = 0;
  if (metrics_) metrics_->transactions_aborted.Increment();
  log::get("sink.kafka")->warn("[pipeline={}] aborting the open kafka transaction: {}", options_.pipeline, why);
  rd_kafka_error_t* e = rd_kafka_abort_transaction(producer_.get(), timeout_ms(options_.operation_timeout));
  if (e == nullptr) return {};
  RdKafkaErrorPtr owned(e);
  // Not retried here: the next instance's init_transactions() aborts it on the broker.
  return make_error(Errc::unavailable, std::string("kafka abort_transaction: ") + rd_kafka_error_string(e));
}

Result<KafkaSink::TopicHandle*> KafkaSink::topic_handle(std::string_view topic, int32_t partitions, bool compacted) {
  if (last_topic_ != nullptr && topic.data() == last_topic_name_.data() && topic.size() == last_topic_name_.size()) {
    return last_topic_;
  }
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    const std::string name(topic);
    CDC_TRY(ensure_topic(name, partitions, compacted));
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer_.get(), name.c_str(), nullptr);
    if (rkt == nullptr) {
      return make_error(Errc::invalid_config, "kafka topic '" + name + "': " +
                                                  rd_kafka_err2str(rd_kafka_last_error()));
    }
    it = topics_.emplace(name, TopicHandle{rkt, 0, 0}).first;
  }
  last_topic_name_ = topic;
  last_topic_ = &it->second;
  return last_topic_;
}

Status KafkaSink::ensure_topic(const std::string& topic, int32_t partitions, bool compacted) {
  if (!options_.create_topics) return {};  // the broker decides; a missing topic fails its deliveries
  char errstr[512];
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, options_.topic_replication, errstr, sizeof(errstr));
  if (nt == nullptr) return make_error(Errc::invalid_config, "kafka topic '" + topic + "': " + errstr);
  if (compacted && rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact") != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_NewTopic_destroy(nt);
    return make_error(Errc::internal, "kafka topic '" + topic + "': cannot set cleanup.policy");
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(producer_.get());
  rd_kafka_AdminOptions_t* admin = rd_kafka_AdminOptions_new(producer_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  (void)rd_kafka_AdminOptions_set_request_timeout(admin, timeout_ms(options_.operation_timeout), errstr,
                                                  sizeof(errstr));  // ignored: in range by validation
  rd_kafka_CreateTopics(producer_.get(), &nt, 1, admin, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, timeout_ms(options_.operation_timeout) + 1000);
  Status st;
  if (ev == nullptr) {
    st = make_error(Errc::timeout, "kafka CreateTopics of '" + topic + "' got no answer in " +
                                       std::to_string(options_.operation_timeout.count()) + " ms");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    st = make_error(err == RD_KAFKA_RESP_ERR__TIMED_OUT ? Errc::timeout : Errc::unavailable,
                    "kafka CreateTopics of '" + topic + "': " + rd_kafka_event_error_string(ev));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    const rd_kafka_resp_err_t err = n == 1 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR__FAIL;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* message = n == 1 ? rd_kafka_topic_result_error_string(results[0]) : nullptr;
      const Errc code = err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ? Errc::timeout
                        : is_authorization(err)                    ? Errc::auth
                                                                   : Errc::invalid_config;
      st = make_error(code, "kafka refused to create topic '" + topic + "' (" + std::to_string(partitions) +
                                " partitions, replication " + std::to_string(options_.topic_replication) +
                                "): " + rd_kafka_err2str(err) + (message ? std::string(": ") + message : "") +
                                "; create it yourself or set sink.topic.create: false");
    }
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(admin);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(nt);
  return st;
}

Result<std::optional<OffsetRecord>> KafkaSink::read_offsets() {
  const std::string& topic = options_.offsets_topic;
  CDC_TRY_ASSIGN(RdKafkaConfPtr conf, make_conf(options_.properties, {{"isolation.level", "read_committed"},
                                                                      {"enable.partition.eof", "true"},
                                                                      {"enable.auto.commit", "false"},
                                                                      {"group.id", "sluice-offsets-" + options_.pipeline},
                                                                      {"fetch.wait.max.ms", "50"}}));
  route_logs(conf.get(), LogRole::offsets_reader);
  char errstr[512];
  RdKafkaPtr consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof(errstr)));
  if (!consumer) return make_error(Errc::invalid_config, std::string("kafka consumer: ") + errstr);
  (void)conf.release();  // owned by the consumer now
  const int timeout = timeout_ms(options_.operation_timeout);
  int64_t low = 0, high = 0;
  if (auto err = rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), 0, &low, &high, timeout);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable, "kafka offsets topic '" + topic + "': " + rd_kafka_err2str(err));
  }
  std::optional<OffsetRecord> last;
  if (high <= low) return last;
  rd_kafka_poll_set_consumer(consumer.get());
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  const rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer.get(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable, "kafka offsets topic '" + topic + "': " + rd_kafka_err2str(assigned));
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.operation_timeout;
  Status st;
  bool eof = false;
  while (!eof && st) {
    if (std::chrono::steady_clock::now() > deadline) {
      st = make_error(Errc::timeout, "kafka offsets topic '" + topic + "': not read to its end in " +
                                         std::to_string(timeout) + " ms");
      break;
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      eof = true;
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      st = make_error(Errc::unavailable, "kafka offsets topic '" + topic + "': " + rd_kafka_message_errstr(m));
    } else if (m->key != nullptr &&
               std::string_view(static_cast<const char*>(m->key), m->key_len) == options_.pipeline) {
      if (m->payload == nullptr) {
        last.reset();  // a tombstone: an operator reset the pipeline
      } else {
        auto r = decode_offset(std::string_view(static_cast<const char*>(m->payload), m->len),
                               "kafka offsets topic '" + topic + "' offset " + std::to_string(m->offset));
        if (r) {
          last = std::move(*r);
        } else {
          st = std::move(r).error();
        }
      }
    }
    rd_kafka_message_destroy(m);
  }
  (void)rd_kafka_consumer_close(consumer.get());  // ignored: nothing was committed
  if (!st) return std::move(st).error();
  return last;
}

Result<std::optional<CheckpointRecord>> KafkaSink::open(std::span<const CheckpointRecord> history) {
  auto logger = log::get("sink.kafka");
  close();
  CDC_TRY_ASSIGN(RdKafkaConfPtr conf, producer_conf());
  char errstr[512];
  producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof(errstr)));
  if (!producer_) return make_error(Errc::invalid_config, std::string("kafka producer: ") + errstr);
  (void)conf.release();  // owned by the producer now
  start_delivery_thread();
  if (options_.exactly_once) {
    // Fences every older producer of this transactional.id and aborts what it left open, so
    // that the offsets topic's committed end is final before it is read.
    if (rd_kafka_error_t* e = rd_kafka_init_transactions(producer_.get(), timeout_ms(options_.operation_timeout))) {
      Error err = txn_error(e, "init_transactions");
      if (err.code == Errc::unavailable && err.message.find("Timed out") != std::string::npos) err.code = Errc::timeout;
      return err;
    }
  }
  CDC_TRY_ASSIGN(offsets_topic_, topic_handle(options_.offsets_topic, 1, true));
  CDC_TRY_ASSIGN(std::optional<OffsetRecord> stored, read_offsets());

  if (!options_.exactly_once) {
    // Positions are the state store's (written after every record was acknowledged).
    if (!history.empty()) return std::optional<CheckpointRecord>(history.front());
    if (!stored) return std::optional<CheckpointRecord>();
    return std::optional<CheckpointRecord>(
        CheckpointRecord{stored->checkpoint_id, stored->position, encode_offset(*stored), 0});
  }
  if (!stored) {
    if (!history.empty()) {
      return make_error(Errc::malformed,
                        "kafka offsets topic '" + options_.offsets_topic + "' holds no committed record for pipeline '" +
                            options_.pipeline + "' but the state store has checkpoint " +
                            std::to_string(history.front().id) +
                            ": the data this pipeline wrote is gone (another cluster, deleted topics?). Remove "
                            "pipeline.state.dir to start over");
    }
    logger->info("[pipeline={}] kafka: no offset record yet in '{}'", options_.pipeline, options_.offsets_topic);
    return std::optional<CheckpointRecord>();
  }
  if (!history.empty() && history.front().id > stored->checkpoint_id) {
    logger->warn("[pipeline={}] kafka offsets topic '{}' holds checkpoint {}, older than the state store's {}: "
                 "resuming from Kafka's position (it is the truth about its own data)",
                 options_.pipeline, options_.offsets_topic, stored->checkpoint_id, history.front().id);
  }
  logger->info("[pipeline={}] kafka: resuming at {} (checkpoint {})", options_.pipeline,
               to_string(stored->position), stored->checkpoint_id);
  return std::optional<CheckpointRecord>(
      CheckpointRecord{stored->checkpoint_id, stored->position, encode_offset(*stored), 0});
}

Status KafkaSink::begin_if_needed() {
  if (!options_.exactly_once || in_txn_) return {};
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(producer_.get())) return txn_error(e, "begin_transaction");
  in_txn_ = true;
  txn_start_ = std::chrono::steady_clock::now();
  return {};
}

std::string_view KafkaSink::position_header(const SourceInfo& source) {
  // The rows of one binlog row event share its position: its text is built once per event.
  if (source.pos != position_pos_ || source.lsn != position_lsn_ || source.file != position_file_) {
    position_pos_ = source.pos;
    position_lsn_ = source.lsn;
    position_file_.assign(source.file);
    position_text_.clear();
    RecordBuilder::position_text(source, position_text_);
  }
  return position_text_;
}

Status KafkaSink::produce(TopicHandle& topic, int32_t partition, std::optional<std::string_view> key,
                          std::optional<std::string_view> value, const ChangeEvent* headers_of) {
  rd_kafka_headers_t* headers = nullptr;
  if (headers_of != nullptr) {
    headers = rd_kafka_headers_new(2);
    const char op = op_code(headers_of->op);
    rd_kafka_header_add(headers, "sluice.op", -1, &op, 1);
    const std::string_view position = position_header(headers_of->source);
    rd_kafka_header_add(headers, "sluice.position", -1, position.data(), static_cast<ssize_t>(position.size()));
  }
  // Named first: librdkafka's macros cast their arguments without parentheses.
  const void* key_data = key ? key->data() : nullptr;
  const size_t key_size = key ? key->size() : 0;
  void* value_data = value ? const_cast<char*>(value->data()) : nullptr;
  void* opaque = &topic == offsets_topic_ ? &offset_record_marker : nullptr;
  const size_t value_size = value ? value->size() : 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // set at the first QUEUE_FULL
  while (true) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_RKT(topic.rkt), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_VALUE(value_data, value_size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(opaque),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // the headers belong to the message now
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !deadline) deadline = std::chrono::steady_clock::now() + options_.operation_timeout;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < *deadline) {
      // Backpressure: the delivery thread frees acknowledged records.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    if (auto fatal = fatal_error()) return std::move(*fatal);
    CDC_TRY(check_deliveries());
    if (options_.exactly_once && in_txn_) (void)abort_transaction(rd_kafka_err2str(err));  // ignored: replayed
    return make_error(err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? Errc::timeout : Errc::unavailable,
                      "kafka produce to topic '" + std::string(rd_kafka_topic_name(topic.rkt)) +
                          "': " + rd_kafka_err2str(err));
  }
  topic.records += 1;
  topic.bytes += key_size + value_size;
  return {};
}

Status KafkaSink::write(const Batch& batch) {
  if (!producer_) return make_error(Errc::internal, "kafka sink written before open");
  CDC_TRY(begin_if_needed());
  const int32_t partition = options_.fixed_partition.value_or(RD_KAFKA_PARTITION_UA);
  for (const ChangeEvent& e : batch.events) {
    CDC_TRY_ASSIGN(std::span<const OutRecord> records, builder_.build(e));
    for (const OutRecord& r : records) {
      const bool schema_topic = r.topic == options_.schema_change_topic;
      CDC_TRY_ASSIGN(TopicHandle* topic, topic_handle(r.topic, schema_topic ? 1 : options_.topic_partitions, false));
      CDC_TRY(produce(*topic, partition, r.key, r.value, options_.headers ? &e : nullptr));
    }
  }
  if (builder_.skipped() != skipped_reported_) {
    log::get("sink.kafka")->warn("[pipeline={}] {} truncate event(s) have no upsert record and were not written",
                                 options_.pipeline, builder_.skipped() - skipped_reported_);
    skipped_reported_ = builder_.skipped();
  }
  if (metrics_) metrics_->queue_messages.Set(rd_kafka_outq_len(producer_.get()));
  return check_deliveries();
}

void KafkaSink::publish_metrics(bool committed) {
  if (metrics_ && committed) {
    for (const auto& [name, topic] : topics_) {
      if (topic.records != 0) metrics_->add_records(name, topic.records, topic.bytes);
    }
    if (options_.exactly_once) {
      metrics_->transactions_committed.Increment();
      metrics_->transaction_seconds.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - txn_start_).count());
    }
    metrics_->queue_messages.Set(rd_kafka_outq_len(producer_.get()));
  }
  for (auto& [name, topic] : topics_) topic.records = topic.bytes = 0;
}

Result<std::string> KafkaSink::prepare(uint64_t id, const Position& position) {
  if (!producer_) return make_error(Errc::internal, "kafka sink prepared before open");
  const OffsetRecord at{id, position};
  const std::string value = encode_offset(at);
  if (!options_.exactly_once) {
    CDC_TRY(produce(*offsets_topic_, 0, options_.pipeline, value, nullptr));
    const rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), timeout_ms(options_.operation_timeout));
    publish_acknowledged();  // the reports flush served on this thread
    CDC_TRY(check_deliveries());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(Errc::timeout, "kafka flush of checkpoint " + std::to_string(id) + ": " + rd_kafka_err2str(err));
    }
    publish_metrics(true);
    return value;
  }
  CDC_TRY(begin_if_needed());
  // The offset record goes out only once every data record is acknowledged: then even a broker
  // without transaction isolation (librdkafka's mock cluster) never holds an offset ahead of
  // data it lost. One round trip per checkpoint.
  const auto flushed = rd_kafka_flush(producer_.get(), timeout_ms(options_.operation_timeout));
  publish_acknowledged();  // the reports flush served on this thread
  if (const auto err = flushed; err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    CDC_TRY(check_deliveries());
    if (auto fatal = fatal_error()) return std::move(*fatal);
    (void)abort_transaction("flush timed out");  // ignored: the reopened sink reads the truth
    return make_error(Errc::unavailable, "kafka flush of checkpoint " + std::to_string(id) + " for pipeline '" +
                                             options_.pipeline + "': " + rd_kafka_err2str(err) +
                                             "; replaying from the last checkpoint");
  }
  CDC_TRY(check_deliveries());
  CDC_TRY(produce(*offsets_topic_, 0, options_.pipeline, value, nullptr));
  for (int attempt = 1;; ++attempt) {
    rd_kafka_error_t* e = rd_kafka_commit_transaction(producer_.get(), timeout_ms(options_.operation_timeout));
    if (e == nullptr) break;
    if (rd_kafka_error_is_retriable(e) && attempt < kCommitAttempts) {
      log::get("sink.kafka")->warn("[pipeline={}] kafka commit of checkpoint {} (attempt {}): {}; retrying",
                                   options_.pipeline, id, attempt, rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
      continue;
    }
    if (rd_kafka_error_is_retriable(e) && !rd_kafka_error_txn_requires_abort(e) && !rd_kafka_error_is_fatal(e)) {
      // Still unknown whether it committed: aborting settles it; open() then reads the truth.
      rd_kafka_error_destroy(e);
      (void)abort_transaction("commit timed out");  // ignored: the reopened sink reads the truth
      return make_error(Errc::unavailable, "kafka commit of checkpoint " + std::to_string(id) + " for pipeline '" +
                                               options_.pipeline + "' did not finish after " +
                                               std::to_string(kCommitAttempts) + " attempts; replaying from the last checkpoint");
    }
    CDC_TRY(check_deliveries());
    return txn_error(e, "commit_transaction of checkpoint " + std::to_string(id));
  }
  in_txn_ = false;
  publish_metrics(true);
  std::lock_guard lock(delivery_mutex_);
  delivery_error_.reset();  // a committed transaction had every record delivered
  return value;
}

void KafkaSink::close() {
  if (!producer_) return;
  if (in_txn_) (void)abort_transaction("the sink is closing");  // ignored: init_transactions aborts it too
  if (!options_.exactly_once) (void)rd_kafka_flush(producer_.get(), 1000);  // ignored: replayed from the checkpoint
  stop_delivery_thread();
  publish_acknowledged();
  for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic.rkt);
  topics_.clear();
  last_topic_ = nullptr;
  last_topic_name_ = {};
  offsets_topic_ = nullptr;
  producer_.reset();
  delivery_error_.reset();
}

}  // namespace cdc::sinks::kafka
