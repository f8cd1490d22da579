#include "sinks/kafka/kafka_sink.h"

#include <pthread.h>

#include "cdc/core/log.h"
#include "sinks/kafka/murmur2.h"
#include "sinks/kafka/offsets_topic.h"
#include "sinks/kafka/rdkafka_errors.h"
#include "sinks/kafka/topic_creator.h"

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
int32_t murmur2_partitioner(const rd_kafka_topic_t* rkt, const void* key, size_t keylen,
                            int32_t partitions, void* rkt_opaque, void* msg_opaque) {
  if (key == nullptr)
    return rd_kafka_msg_partitioner_random(rkt, key, keylen, partitions, rkt_opaque, msg_opaque);
  return murmur2_partition(std::string_view(static_cast<const char*>(key), keylen), partitions);
}

// The per-message opaque of offset records, so that their delivery reports are told apart
// from the data records' (whose opaque is null).
char offset_record_marker;

}  // namespace

Result<std::unique_ptr<KafkaSink>> KafkaSink::create(KafkaOptions options,
                                                     std::shared_ptr<KafkaMetrics> metrics) {
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
  RdKafkaTopicConfPtr topic_conf(rd_kafka_topic_conf_new());
  rd_kafka_topic_conf_set_partitioner_cb(topic_conf.get(), murmur2_partitioner);
  rd_kafka_conf_set_default_topic_conf(conf.get(), topic_conf.release());  // owned by conf now
  return conf;
}

void KafkaSink::on_delivery(const rd_kafka_message_t& m) {
  if (m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m._private != &offset_record_marker)
      acknowledged_pending_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (metrics_) metrics_->delivery_errors.Increment();
  std::lock_guard lock(delivery_mutex_);
  if (delivery_error_) return;
  const std::string topic = m.rkt != nullptr ? rd_kafka_topic_name(m.rkt) : "?";
  const Errc code = is_fence(m.err)           ? Errc::fenced
                    : is_authorization(m.err) ? Errc::auth
                                              : Errc::unavailable;
  delivery_error_ =
      make_error(code, "kafka could not deliver a record to topic " + topic + " partition " +
                           std::to_string(m.partition) + ": " + rd_kafka_err2str(m.err));
}

void KafkaSink::start_delivery_thread() {
  delivery_thread_ = std::jthread([this, rk = producer_.get()](std::stop_token stop) {
    pthread_setname_np(pthread_self(), "kafka-delivery");  // per-thread CPU in top/perf
    while (!stop.stop_requested()) {
      if (rd_kafka_poll(rk, 50) > 0) {
        reports_served_.fetch_add(1, std::memory_order_release);
        // Taking the mutex between the increment and the notify means a produce() that saw the
        // old count is either already waiting (and woken) or checks again under the mutex.
        { std::lock_guard lock(reports_mutex_); }
        reports_served_cv_.notify_one();
      }
      publish_acknowledged();
    }
  });
}

uint64_t KafkaSink::wait_for_deliveries(uint64_t served_seen,
                                        std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(reports_mutex_);
  reports_served_cv_.wait_until(lock, deadline, [&] {
    return reports_served_.load(std::memory_order_acquire) != served_seen;
  });
  return reports_served_.load(std::memory_order_acquire);
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
  const std::string who = "kafka producer of pipeline '" + options_.pipeline +
                          "' (transactional.id '" + options_.transactional_id + "')";
  if (is_fence(code)) {
    return make_error(
        Errc::fenced,
        who + " was fenced: " + reason +
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
  if (auto fatal = fatal_error())
    return std::move(*fatal);  // the root cause, not its purged records
  lock.lock();
  Error e = std::move(*delivery_error_);
  delivery_error_.reset();
  lock.unlock();
  if (e.code == Errc::unavailable) {
    if (options_.exactly_once && in_txn_) {
      (void)abort_transaction(
          e.message);  // ignored: the error below replays the checkpoint either way
      e.message += "; the transaction was aborted";
    }
    e.message += "; replaying from the last checkpoint";
  }
  return e;
}

Error KafkaSink::txn_error(RdKafkaErrorPtr error, std::string_view during) {
  const rd_kafka_error_t* raw = error.get();
  const rd_kafka_resp_err_t code = rd_kafka_error_code(raw);
  const std::string what = "kafka " + std::string(during) + " for pipeline '" + options_.pipeline +
                           "' (transactional.id '" + options_.transactional_id +
                           "'): " + rd_kafka_error_string(raw);
  if (is_fence(code) || rd_kafka_error_is_fatal(raw)) {
    if (auto fatal = fatal_error()) return std::move(*fatal);
    in_txn_ = false;
    return make_error(
        is_fence(code) ? Errc::fenced : Errc::unsupported,
        what + (is_fence(code)
                    ? "; another sluice instance now owns this pipeline's transactions, so "
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
  log::get("sink.kafka")
      ->warn("[pipeline={}] aborting the open kafka transaction: {}", options_.pipeline, why);
  const RdKafkaErrorPtr e(
      rd_kafka_abort_transaction(producer_.get(), timeout_ms(options_.operation_timeout)));
  if (!e) return {};
  // Not retried here: the next instance's init_transactions() aborts it on the broker.
  return make_error(Errc::unavailable,
                    std::string("kafka abort_transaction: ") + rd_kafka_error_string(e.get()));
}

void KafkaSink::learn_partitions(rd_kafka_topic_t& topic, const std::string& name) {
  // Asked once per topic before its first record (at-least-once). A record produced while its
  // topic's leaders are unknown waits for librdkafka's own metadata request; an idle flush
  // (on_idle) that ended meanwhile no longer covers it, and it stays for linger.ms.
  const rd_kafka_metadata_t* answer = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(producer_.get(), 0, &topic, &answer,
                                                    timeout_ms(options_.operation_timeout));
  const RdKafkaMetadataPtr metadata(answer);
  // Not an error: without the answer, records wait for librdkafka's metadata as before, and a
  // broker that stays away fails their delivery, which the sink reports.
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::get("sink.kafka")
        ->debug("[pipeline={}] kafka metadata of topic '{}' before its first record: {}",
                options_.pipeline, name, rd_kafka_err2str(err));
  }
}

Result<KafkaSink::TopicHandle*> KafkaSink::topic_handle(std::string_view topic, int32_t partitions,
                                                        bool compacted) {
  if (last_topic_ != nullptr && topic.data() == last_topic_name_.data() &&
      topic.size() == last_topic_name_.size()) {
    return last_topic_;
  }
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    const std::string name(topic);
    CDC_TRY(ensure_topic(*producer_, options_, name, partitions, compacted));
    RdKafkaTopicPtr rkt(rd_kafka_topic_new(producer_.get(), name.c_str(), nullptr));
    if (!rkt) {
      return make_error(Errc::invalid_config,
                        "kafka topic '" + name + "': " + rd_kafka_err2str(rd_kafka_last_error()));
    }
    // Exactly-once needs no early answer: prepare's flush waits for every record anyway.
    if (!options_.exactly_once) learn_partitions(*rkt, name);
    it = topics_.emplace(name, TopicHandle{std::move(rkt), 0, 0}).first;
  }
  last_topic_name_ = topic;
  last_topic_ = &it->second;
  return last_topic_;
}

Result<std::optional<CheckpointRecord>> KafkaSink::open(std::span<const CheckpointRecord> history) {
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
    if (RdKafkaErrorPtr e(
            rd_kafka_init_transactions(producer_.get(), timeout_ms(options_.operation_timeout)));
        e) {
      Error err = txn_error(std::move(e), "init_transactions");
      if (err.code == Errc::unavailable && err.message.find("Timed out") != std::string::npos)
        err.code = Errc::timeout;
      return err;
    }
  }
  CDC_TRY_ASSIGN(offsets_topic_, topic_handle(options_.offsets_topic, 1, true));
  CDC_TRY_ASSIGN(std::optional<OffsetRecord> stored, read_offsets_topic(options_));
  return resume_checkpoint(options_, stored, history);
}

Status KafkaSink::begin_if_needed() {
  if (!options_.exactly_once || in_txn_) return {};
  if (RdKafkaErrorPtr e(rd_kafka_begin_transaction(producer_.get())); e) {
    return txn_error(std::move(e), "begin_transaction");
  }
  in_txn_ = true;
  txn_start_ = std::chrono::steady_clock::now();
  return {};
}

std::string_view KafkaSink::position_header(const SourceInfo& source) {
  // The rows of one binlog row event share its position: its text is built once per event.
  if (source.at != position_at_) {
    position_text_.clear();
    append_text(source.at, position_text_);
    position_at_ = source.at;
    if (auto* binlog = std::get_if<BinlogEventPosition>(&position_at_)) {
      position_file_.assign(binlog->file);  // the event's view dies with its batch
      binlog->file = position_file_;
    }
  }
  return position_text_;
}

Status KafkaSink::produce(TopicHandle& topic, int32_t partition,
                          std::optional<std::string_view> key,
                          std::optional<std::string_view> value, const ChangeEvent* headers_of) {
  RdKafkaHeadersPtr headers;
  if (headers_of != nullptr) {
    headers.reset(rd_kafka_headers_new(2));
    const char op = op_code(headers_of->op);
    rd_kafka_header_add(headers.get(), "sluice.op", -1, &op, 1);
    const std::string_view position = position_header(headers_of->source);
    rd_kafka_header_add(headers.get(), "sluice.position", -1, position.data(),
                        static_cast<ssize_t>(position.size()));
  }
  // Named first: librdkafka's macros cast their arguments without parentheses.
  const void* key_data = key ? key->data() : nullptr;
  const size_t key_size = key ? key->size() : 0;
  void* value_data = value ? const_cast<char*>(value->data()) : nullptr;
  void* opaque = &topic == offsets_topic_ ? &offset_record_marker : nullptr;
  const size_t value_size = value ? value->size() : 0;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // set at the first QUEUE_FULL
  // Read before each attempt, so that reports served between the attempt and the wait end it.
  uint64_t served_seen = reports_served_.load(std::memory_order_acquire);
  while (true) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_RKT(topic.rkt.get()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_VALUE(value_data, value_size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers.get()),
        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      (void)headers.release();  // owned by the message now
      break;
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !deadline)
      deadline = std::chrono::steady_clock::now() + options_.operation_timeout;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < *deadline) {
      // Backpressure: the delivery thread frees acknowledged records and wakes this wait.
      served_seen = wait_for_deliveries(served_seen, *deadline);
      continue;
    }
    if (auto fatal = fatal_error()) return std::move(*fatal);
    CDC_TRY(check_deliveries());
    if (options_.exactly_once && in_txn_)
      (void)abort_transaction(rd_kafka_err2str(err));  // ignored: replayed
    return make_error(err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? Errc::timeout : Errc::unavailable,
                      "kafka produce to topic '" +
                          std::string(rd_kafka_topic_name(topic.rkt.get())) +
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
      CDC_TRY_ASSIGN(TopicHandle * topic,
                     topic_handle(r.topic, schema_topic ? 1 : options_.topic_partitions, false));
      CDC_TRY(produce(*topic, partition, r.key, r.value, options_.headers ? &e : nullptr));
    }
  }
  if (builder_.skipped() != skipped_reported_) {
    log::get("sink.kafka")
        ->warn("[pipeline={}] {} truncate event(s) have no upsert record and were not written",
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
    const rd_kafka_resp_err_t err =
        rd_kafka_flush(producer_.get(), timeout_ms(options_.operation_timeout));
    publish_acknowledged();  // the reports flush served on this thread
    CDC_TRY(check_deliveries());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(Errc::timeout, "kafka flush of checkpoint " + std::to_string(id) + ": " +
                                           rd_kafka_err2str(err));
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
    return make_error(Errc::unavailable, "kafka flush of checkpoint " + std::to_string(id) +
                                             " for pipeline '" + options_.pipeline +
                                             "': " + rd_kafka_err2str(err) +
                                             "; replaying from the last checkpoint");
  }
  CDC_TRY(check_deliveries());
  CDC_TRY(produce(*offsets_topic_, 0, options_.pipeline, value, nullptr));
  for (int attempt = 1;; ++attempt) {
    RdKafkaErrorPtr e(
        rd_kafka_commit_transaction(producer_.get(), timeout_ms(options_.operation_timeout)));
    if (!e) break;
    if (rd_kafka_error_is_retriable(e.get()) && attempt < kCommitAttempts) {
      log::get("sink.kafka")
          ->warn("[pipeline={}] kafka commit of checkpoint {} (attempt {}): {}; retrying",
                 options_.pipeline, id, attempt, rd_kafka_error_string(e.get()));
      continue;
    }
    if (rd_kafka_error_is_retriable(e.get()) && !rd_kafka_error_txn_requires_abort(e.get()) &&
        !rd_kafka_error_is_fatal(e.get())) {
      // Still unknown whether it committed: aborting settles it; open() then reads the truth.
      (void)abort_transaction("commit timed out");  // ignored: the reopened sink reads the truth
      return make_error(Errc::unavailable, "kafka commit of checkpoint " + std::to_string(id) +
                                               " for pipeline '" + options_.pipeline +
                                               "' did not finish after " +
                                               std::to_string(kCommitAttempts) +
                                               " attempts; replaying from the last checkpoint");
    }
    CDC_TRY(check_deliveries());
    return txn_error(std::move(e), "commit_transaction of checkpoint " + std::to_string(id));
  }
  in_txn_ = false;
  publish_metrics(true);
  std::lock_guard lock(delivery_mutex_);
  delivery_error_.reset();  // a committed transaction had every record delivered
  return value;
}

Status KafkaSink::on_idle(const Position&) {
  if (options_.exactly_once || !producer_) return {};
  // librdkafka has no "send now": rd_kafka_flush raises a flag that makes its broker threads
  // treat linger.ms as elapsed, for as long as the call lasts (it documents that a flush which
  // returns before a broker thread wakes flushes nothing, so a zero timeout would race). A
  // short bound covers the wake-up and, on loopback, the acknowledgement; a slower broker
  // costs the idle sink thread at most this much, and the records are on their way anyway.
  constexpr int kIdleFlushMs = 2;
  (void)rd_kafka_flush(producer_.get(), kIdleFlushMs);  // timing out is expected, not an error
  publish_acknowledged();                               // the reports flush served on this thread
  return check_deliveries();
}

void KafkaSink::close() {
  if (!producer_) return;
  if (in_txn_)
    (void)abort_transaction("the sink is closing");  // ignored: init_transactions aborts it too
  if (!options_.exactly_once)
    (void)rd_kafka_flush(producer_.get(), 1000);  // ignored: replayed from the checkpoint
  stop_delivery_thread();
  publish_acknowledged();
  topics_.clear();  // the topic handles go before the producer they were made from
  last_topic_ = nullptr;
  last_topic_name_ = {};
  offsets_topic_ = nullptr;
  producer_.reset();
  delivery_error_.reset();
}

}  // namespace cdc::sinks::kafka
