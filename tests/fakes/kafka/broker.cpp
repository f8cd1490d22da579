#include "tests/fakes/kafka/broker.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "tests/fakes/kafka/api.h"
#include "tests/fakes/kafka/kafka_codec.h"
#include "tests/fakes/kafka/record_batch.h"
#include "tests/fakes/kafka/wire_helpers.h"

namespace cdc::testing::kafka {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kLatest = -1;    // ListOffsets timestamp: the next offset to be written
constexpr int64_t kEarliest = -2;  // ListOffsets timestamp: the log start offset
constexpr int8_t kReadCommitted = 1;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string partition_file(const std::string& dir, const std::string& topic, int32_t index) {
  return dir + "/topics/" + topic + "/" + std::to_string(index) + ".log";
}

}  // namespace

void Broker::log_line(const std::string& msg) const {
  *options_.log << "kafka_test_broker: " << msg << "\n";
}

std::optional<CrashPoint> parse_crash_point(std::string_view name) {
  if (name == "before-end-txn") return CrashPoint::before_end_txn;
  if (name == "after-prepare") return CrashPoint::after_prepare;
  if (name == "mid-markers") return CrashPoint::mid_markers;
  if (name == "after-markers") return CrashPoint::after_markers;
  return std::nullopt;
}

void Broker::crash_if_armed(CrashPoint point, bool commit) {
  if (crash_point_ != point || !commit) {
    return;
  }
  log_line("SIGKILL at the armed crash point");
  options_.log->flush();
  ::raise(SIGKILL);
}

bool valid_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

Result<std::unique_ptr<Broker>> Broker::open(BrokerOptions options, Clock::time_point now) {
  const Clock::time_point opened_at = Clock::now();
  std::unique_ptr<Broker> b(new Broker(std::move(options)));
  const std::string& dir = b->options_.data_dir;
  std::string state_path;
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir + "/topics", ec);
    if (ec) {
      return make_error(Errc::io, "cannot create " + dir + "/topics: " + ec.message());
    }
    state_path = dir + "/transactions.txt";
    for (const auto& entry : fs::directory_iterator(dir + "/topics")) {
      const std::string topic = entry.path().filename().string();
      int32_t count = 0;
      while (fs::exists(partition_file(dir, topic, count))) {
        ++count;
      }
      if (!valid_topic_name(topic) || count == 0) {
        return make_error(Errc::malformed,
                          entry.path().string() + " is not a topic directory with 0.log");
      }
      CDC_TRY(b->create_topic(topic, count));
    }
  }
  // The time spent reading the logs back (minutes for a large log on a loaded machine) is not
  // held against the transactions left open: their timeout restarts when the broker can serve.
  const Clock::time_point loaded = now + (Clock::now() - opened_at);
  CDC_TRY_ASSIGN(auto coordinator,
                 TxnCoordinator::open(state_path, b->options_.max_txn_timeout_ms, loaded));
  b->coordinator_.emplace(std::move(coordinator));
  for (const TxnCompletion& c : b->coordinator_->prepared()) {
    b->log_line("completing a transaction of '" + c.transactional_id +
                "' prepared before the restart");
    CDC_TRY(b->apply(c));
  }
  return b;
}

Result<Broker::Topic*> Broker::create_topic(const std::string& name, int32_t partitions) {
  Topic topic;
  if (!options_.data_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options_.data_dir + "/topics/" + name, ec);
    if (ec) {
      return make_error(Errc::io,
                        "cannot create the directory of topic " + name + ": " + ec.message());
    }
  }
  for (int32_t i = 0; i < partitions; ++i) {
    const std::string file =
        options_.data_dir.empty() ? std::string() : partition_file(options_.data_dir, name, i);
    CDC_TRY_ASSIGN(auto log,
                   PartitionLog::open(name + "-" + std::to_string(i), file, *options_.log));
    topic.push_back(std::move(log));
  }
  auto [it, inserted] = topics_.insert_or_assign(name, std::move(topic));
  return &it->second;
}

PartitionLog* Broker::partition(const std::string& topic, int32_t index) {
  const auto it = topics_.find(topic);
  if (it == topics_.end() || index < 0 || static_cast<size_t>(index) >= it->second.size()) {
    return nullptr;
  }
  return it->second[static_cast<size_t>(index)].get();
}

Status Broker::apply(const TxnCompletion& c) {
  // PrepareCommit/PrepareAbort reaches the transaction log before any marker, so that a broker
  // killed between markers completes the same outcome after its restart (KIP-98 "Transaction
  // coordinator failover"): never half committed, half aborted.
  CDC_TRY(coordinator_->save());
  crash_if_armed(CrashPoint::after_prepare, c.commit);
  // The coordinator writes a marker to every partition of the transaction (KIP-98
  // "WriteTxnMarkerRequest"); here the coordinator and the partition leader are one process.
  for (const auto& [topic, index] : c.partitions) {
    PartitionLog* p = partition(topic, index);
    CDC_CHECK(p != nullptr, "AddPartitionsToTxn only accepts existing partitions");
    CDC_TRY(p->write_marker(c.producer_id, c.producer_epoch,
                            ControlMarker{.commit = c.commit, .coordinator_epoch = 0}, now_ms()));
    crash_if_armed(CrashPoint::mid_markers, c.commit);
  }
  crash_if_armed(CrashPoint::after_markers, c.commit);
  ++append_count_;
  log_line(std::string(c.commit ? "committed" : "aborted") + " transaction of '" +
           c.transactional_id + "' (producer id " + std::to_string(c.producer_id) + ", epoch " +
           std::to_string(c.producer_epoch) + ", " + std::to_string(c.partitions.size()) +
           " partitions)");
  coordinator_->finish(c);
  return coordinator_->save();
}

std::optional<Clock::time_point> Broker::tick(Clock::time_point now) {
  for (const TxnCompletion& c : coordinator_->expire(now)) {
    log_line("transaction of '" + c.transactional_id + "' timed out");
    if (auto st = apply(c); !st) {
      log_line("aborting an expired transaction failed: " + st.error().to_string());
    }
  }
  return coordinator_->next_deadline();
}

Reply Broker::handle(std::span<const std::byte> request, Clock::time_point now, bool fetch_final) {
  ByteReader r(request);
  auto header = decode_request_header(r);
  if (!header) {
    log_line("closing the connection: " + header.error().to_string());
    return {.kind = Reply::Kind::close};
  }
  const RequestHeader& h = *header;
  const auto api = find_api(h.api_key);
  const std::string what = std::string(api_name(h.api_key)) + " (key " + std::to_string(h.api_key) +
                           ") v" + std::to_string(h.api_version);
  if (h.api_key == static_cast<int16_t>(ApiKey::api_versions)) {
    auto out = api_versions(h, r);
    return {.kind = Reply::Kind::respond, .bytes = std::move(*out)};
  }
  if (!api || h.api_version < api->min_version || h.api_version > api->max_version) {
    // A real broker closes the connection on a request it cannot parse; say which one.
    log_line("unsupported request " + what + " from client '" + h.client_id.value_or("") +
             "': closing the connection (this test broker does not implement it)");
    return {.kind = Reply::Kind::close};
  }
  Result<std::optional<std::string>> out = std::optional<std::string>();
  int32_t max_wait_ms = 0;
  const auto wrap = [](Result<std::string> s) -> Result<std::optional<std::string>> {
    if (!s) return std::move(s).error();
    return std::optional<std::string>(std::move(*s));
  };
  switch (static_cast<ApiKey>(h.api_key)) {
    case ApiKey::produce: out = produce(h, r); break;
    case ApiKey::fetch: out = fetch(h, r, fetch_final, max_wait_ms); break;
    case ApiKey::list_offsets: out = wrap(list_offsets(h, r)); break;
    case ApiKey::metadata: out = wrap(metadata(h, r)); break;
    case ApiKey::find_coordinator: out = wrap(find_coordinator(h, r)); break;
    case ApiKey::create_topics: out = wrap(create_topics(h, r)); break;
    case ApiKey::init_producer_id: out = wrap(init_producer_id(h, r, now)); break;
    case ApiKey::add_partitions_to_txn: out = wrap(add_partitions_to_txn(h, r, now)); break;
    case ApiKey::add_offsets_to_txn: out = wrap(add_offsets_to_txn(h, r, now)); break;
    case ApiKey::end_txn: out = wrap(end_txn(h, r)); break;
    case ApiKey::txn_offset_commit: out = wrap(txn_offset_commit(h, r)); break;
    case ApiKey::offset_fetch: out = wrap(offset_fetch(h, r)); break;
    case ApiKey::api_versions: break;  // answered above
  }
  if (!out) {
    log_line("closing the connection: " + out.error().with_context(what).to_string());
    return {.kind = Reply::Kind::close};
  }
  if (!out->has_value()) {
    if (static_cast<ApiKey>(h.api_key) == ApiKey::fetch) {
      return {.kind = Reply::Kind::park,
              .park_until = now + std::chrono::milliseconds(std::max(max_wait_ms, 0))};
    }
    return {.kind = Reply::Kind::none};  // Produce with acks=0
  }
  return {.kind = Reply::Kind::respond, .bytes = std::move(**out)};
}

Result<std::string> Broker::api_versions(const RequestHeader& h, ByteReader& r) {
  const auto range = find_api(h.api_key);
  // KIP-511: a version the broker does not know is answered with UNSUPPORTED_VERSION and the
  // supported ranges in the v0 layout, so that the client retries with a version it has.
  const bool known = h.api_version >= range->min_version && h.api_version <= range->max_version;
  Writer w = response_for(h);
  w.i16(known ? err::kNone : err::kUnsupportedVersion);
  w.i32(static_cast<int32_t>(supported_apis().size()));
  for (const ApiRange& a : supported_apis()) {
    w.i16(static_cast<int16_t>(a.key));
    w.i16(a.min_version);
    w.i16(a.max_version);
  }
  if (known && h.api_version >= 1) {
    w.i32(0);  // throttle_time_ms
  }
  return std::move(w).take();
}

Result<std::string> Broker::metadata(const RequestHeader& h, ByteReader& r) {
  std::vector<std::string> names;
  const int32_t n = read_i32(r);  // -1: all topics
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    names.push_back(read_string(r, "Metadata topic name"));
  }
  const bool allow_auto_create = read_bool(r);
  CDC_TRY(r.finish());
  if (n < 0) {
    for (const auto& [name, topic] : topics_) {
      names.push_back(name);
    }
  }
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  w.i32(1);  // brokers
  w.i32(options_.node_id);
  w.string(options_.host);
  w.i32(options_.port);
  w.nullable_string(std::nullopt);                             // rack
  w.nullable_string(std::string("sluice-kafka-test-broker"));  // cluster_id
  w.i32(options_.node_id);  // controller_id: this broker also answers CreateTopics
  w.i32(static_cast<int32_t>(names.size()));
  for (const std::string& name : names) {
    Topic* topic = nullptr;
    int16_t error = err::kNone;
    if (const auto it = topics_.find(name); it != topics_.end()) {
      topic = &it->second;
    } else if (!valid_topic_name(name)) {
      error = err::kInvalidTopic;
    } else if (allow_auto_create && options_.auto_create_topics) {
      CDC_TRY_ASSIGN(topic, create_topic(name, options_.default_partitions));
      log_line("auto-created topic " + name + " with " +
               std::to_string(options_.default_partitions) + " partitions");
    } else {
      error = err::kUnknownTopicOrPartition;
    }
    w.i16(error);
    w.string(name);
    w.boolean(false);  // is_internal
    w.i32(topic ? static_cast<int32_t>(topic->size()) : 0);
    for (size_t i = 0; topic && i < topic->size(); ++i) {
      w.i16(err::kNone);
      w.i32(static_cast<int32_t>(i));
      w.i32(options_.node_id);  // leader
      w.i32(1);                 // replica_nodes
      w.i32(options_.node_id);
      w.i32(1);  // isr_nodes
      w.i32(options_.node_id);
    }
  }
  return std::move(w).take();
}

Result<std::optional<std::string>> Broker::produce(const RequestHeader& h, ByteReader& r) {
  const std::optional<std::string> transactional_id = read_nullable_string(r);
  const int16_t acks = read_i16(r);
  (void)read_i32(r);  // timeout_ms: ignored because appends here complete at once
  {
    // The whole request is parsed before anything is appended: a malformed one changes no log.
    ByteReader probe = r;
    Writer ignored;
    map_topic_partitions(probe, ignored, "Produce", 8,
                         [](const std::string&, ByteReader& p, Writer&) {
                           (void)read_i32(p);  // partition index: checked in the pass below
                           (void)read_nullable_bytes(p);  // records: likewise
                         });
    CDC_TRY(probe.finish());
  }
  Writer w = response_for(h);
  map_topic_partitions(r, w, "Produce", 8, [&](const std::string& topic, ByteReader& r, Writer& w) {
    const int32_t index = read_i32(r);
    const auto records = read_nullable_bytes(r);
    int16_t error = err::kNone;
    int64_t base_offset = -1;
    PartitionLog* log = partition(topic, index);
    const auto batches = split_record_batches(records.value_or(std::span<const std::byte>()));
    const auto check = [&](const RecordBatchHeader& b) {
      return transactional_id
                 ? coordinator_->check(*transactional_id, b.producer_id, b.producer_epoch)
                 : err::kInvalidTxnState;
    };
    if (!r.ok()) {
      return;  // reported by finish() below
    } else if (acks != -1 && acks != 0 && acks != 1) {
      error = err::kInvalidRequiredAcks;
    } else if (log == nullptr) {
      error = err::kUnknownTopicOrPartition;  // Produce never auto-creates
    } else if (!batches || batches->size() != 1) {
      // "Produce requests with version 3 and above must contain exactly one record batch"
      error = err::kInvalidRecord;
      log_line("Produce to " + topic + "-" + std::to_string(index) + ": " +
               (batches ? std::to_string(batches->size()) + " record batches, not one"
                        : batches.error().to_string()));
    } else if (auto header = parse_record_batch(batches->front()); !header) {
      error = err::kCorruptMessage;
      log_line("Produce to " + topic + "-" + std::to_string(index) + ": " +
               header.error().to_string());
    } else if (header->transactional() && check(*header) != err::kNone) {
      error = check(*header);
    } else if (header->transactional() &&
               !coordinator_->in_transaction(*transactional_id, {topic, index})) {
      // A transactional batch for a partition the coordinator was not told about would open
      // a transaction no marker ever closes (KIP-890 part 1 verifies this on the leader).
      error = err::kInvalidTxnState;
    } else if (auto appended = log->append(std::string(as_chars(batches->front())), *header);
               !appended) {
      log_line("Produce: " + appended.error().to_string());
      error = err::kKafkaStorageError;
    } else {
      error = appended->error;
      base_offset = appended->base_offset;
      ++append_count_;
    }
    w.i32(index);
    w.i16(error);
    w.i64(base_offset);
    w.i64(-1);  // log_append_time_ms: -1 for CreateTime topics
  });
  CDC_TRY(r.finish());
  if (acks == 0) {
    return std::optional<std::string>();  // acks=0: the protocol sends no response at all
  }
  w.i32(0);  // throttle_time_ms
  return std::optional<std::string>(std::move(w).take());
}

Result<std::optional<std::string>> Broker::fetch(const RequestHeader& h, ByteReader& r, bool final,
                                                 int32_t& max_wait_ms) {
  (void)read_i32(r);  // replica_id: -1 for consumers
  max_wait_ms = read_i32(r);
  const int32_t min_bytes = read_i32(r);
  int32_t max_bytes = read_i32(r);
  const int8_t isolation = read_i8(r);
  Writer body;
  size_t total_bytes = 0;
  map_topic_partitions(
      r, body, "Fetch", 16, [&](const std::string& topic, ByteReader& r, Writer& body) {
        const int32_t index = read_i32(r);
        const int64_t offset = read_i64(r);
        const int32_t partition_max_bytes = read_i32(r);
        PartitionLog* log = partition(topic, index);
        body.i32(index);
        if (log == nullptr || offset < (log ? log->log_start_offset() : 0) ||
            offset > log->high_watermark()) {
          body.i16(log == nullptr ? err::kUnknownTopicOrPartition : err::kOffsetOutOfRange);
          body.i64(log ? log->high_watermark() : -1);
          body.i64(log ? log->last_stable_offset() : -1);
          body.i32(-1);  // aborted_transactions: null
          body.null_bytes();
          return;
        }
        // read_committed reads up to the last stable offset and gets the aborted transactions
        // in that range, which the consumer filters out itself (KIP-98 "Fetch", "LSO").
        const bool committed = isolation == kReadCommitted;
        const int64_t limit = committed ? log->last_stable_offset() : log->high_watermark();
        FetchedData data = log->read(offset, std::min(partition_max_bytes, std::max(max_bytes, 0)),
                                     limit, committed);
        if (total_bytes > 0 && data.records.size() > static_cast<size_t>(std::max(max_bytes, 0))) {
          data = FetchedData{};  // KIP-74: only the first partition may exceed max_bytes
        }
        max_bytes -= static_cast<int32_t>(data.records.size());
        total_bytes += data.records.size();
        body.i16(err::kNone);
        body.i64(log->high_watermark());
        body.i64(log->last_stable_offset());
        if (committed) {
          body.i32(static_cast<int32_t>(data.aborted.size()));
          for (const AbortedTxn& a : data.aborted) {
            body.i64(a.producer_id);
            body.i64(a.first_offset);
          }
        } else {
          body.i32(-1);
        }
        body.bytes(data.records);
      });
  CDC_TRY(r.finish());
  // A fetch with less than min_bytes waits up to max_wait_ms for more (Fetch "max_wait_ms").
  if (!final && total_bytes < static_cast<size_t>(std::max(min_bytes, 1)) && max_wait_ms > 0) {
    return std::optional<std::string>();
  }
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  w.raw(body.data());
  return std::optional<std::string>(std::move(w).take());
}

Result<std::string> Broker::list_offsets(const RequestHeader& h, ByteReader& r) {
  (void)read_i32(r);  // replica_id
  const int8_t isolation = h.api_version >= 2 ? read_i8(r) : 0;
  Writer w = response_for(h);
  if (h.api_version >= 2) {
    w.i32(0);  // throttle_time_ms
  }
  map_topic_partitions(
      r, w, "ListOffsets", 12, [&](const std::string& topic, ByteReader& r, Writer& w) {
        const int32_t index = read_i32(r);
        const int64_t timestamp = read_i64(r);
        const PartitionLog* log = partition(topic, index);
        int16_t error = err::kNone;
        int64_t offset = -1;
        if (log == nullptr) {
          error = err::kUnknownTopicOrPartition;
        } else if (timestamp == kLatest) {
          // read_committed: "latest" is the last stable offset (KIP-98 "ListOffsetRequest").
          offset = isolation == kReadCommitted ? log->last_stable_offset() : log->high_watermark();
        } else if (timestamp == kEarliest) {
          offset = log->log_start_offset();
        } else {
          log_line("ListOffsets by timestamp (" + std::to_string(timestamp) +
                   ") is not implemented by this test broker");
          error = err::kInvalidRequest;
        }
        w.i32(index);
        w.i16(error);
        w.i64(-1);  // timestamp: -1 for latest/earliest
        w.i64(offset);
      });
  CDC_TRY(r.finish());
  return std::move(w).take();
}

Result<std::string> Broker::find_coordinator(const RequestHeader& h, ByteReader& r) {
  (void)read_string(r, "FindCoordinator key");  // any group or transactional id: this broker
  if (h.api_version >= 1) {
    const int8_t key_type = read_i8(r);
    if (key_type != 0 && key_type != 1) {
      r.mark_malformed("FindCoordinator key_type " + std::to_string(key_type));
    }
  }
  CDC_TRY(r.finish());
  Writer w = response_for(h);
  if (h.api_version >= 1) {
    w.i32(0);  // throttle_time_ms
  }
  w.i16(err::kNone);
  if (h.api_version >= 1) {
    w.nullable_string(std::nullopt);  // error_message
  }
  w.i32(options_.node_id);
  w.string(options_.host);
  w.i32(options_.port);
  return std::move(w).take();
}

Result<std::string> Broker::create_topics(const RequestHeader& h, ByteReader& r) {
  struct Outcome {
    std::string name;
    int16_t error;
    std::optional<std::string> message;
  };
  std::vector<Outcome> outcomes;
  struct Wanted {
    std::string name;
    int32_t partitions;
    int16_t replication;
    int32_t n_assignments;
    int32_t n_configs;
    std::optional<std::string> refused_config;  // the first config this broker cannot honour
  };
  std::vector<Wanted> wanted;
  const int32_t n_topics = read_array_length(r, 16, "CreateTopics topics");
  for (int32_t t = 0; t < n_topics && r.ok(); ++t) {
    Wanted want{.name = read_string(r, "CreateTopics name"),
                .partitions = read_i32(r),
                .replication = read_i16(r),
                .n_assignments = 0,
                .n_configs = 0,
                .refused_config = std::nullopt};
    want.n_assignments = read_array_length(r, 8, "CreateTopics assignments");
    for (int32_t a = 0; a < want.n_assignments && r.ok(); ++a) {
      (void)read_i32(r);  // partition_index: refused below
      const int32_t n_brokers = read_array_length(r, 4, "CreateTopics broker_ids");
      r.skip(static_cast<size_t>(n_brokers) * 4);
    }
    want.n_configs = read_array_length(r, 4, "CreateTopics configs");
    for (int32_t c = 0; c < want.n_configs && r.ok(); ++c) {
      std::string name = read_string(r, "CreateTopics config name");
      const std::optional<std::string> value = read_nullable_string(r);
      // cleanup.policy is accepted: compaction only drops superseded records, which readers
      // of a compacted topic must tolerate anyway; every other config is refused below.
      const bool honoured =
          name == "cleanup.policy" && value && (*value == "compact" || *value == "delete");
      if (!honoured && !want.refused_config) want.refused_config = std::move(name);
    }
    wanted.push_back(std::move(want));
  }
  (void)read_i32(r);  // timeout_ms: creation completes at once
  const bool validate_only = read_bool(r);
  CDC_TRY(r.finish());
  for (const Wanted& want : wanted) {
    Outcome o{.name = want.name, .error = err::kNone, .message = std::nullopt};
    const int32_t partitions =
        want.partitions == -1 ? options_.default_partitions : want.partitions;
    if (!valid_topic_name(want.name)) {
      o = {want.name, err::kInvalidTopic, "topic names are 1..249 of [a-zA-Z0-9._-]"};
    } else if (topics_.count(want.name) > 0) {
      o = {want.name, err::kTopicAlreadyExists, "topic " + want.name + " already exists"};
    } else if (partitions <= 0) {
      o = {want.name, err::kInvalidPartitions, "num_partitions must be positive or -1"};
    } else if (want.replication != -1 && want.replication != 1) {
      o = {want.name, err::kInvalidReplicationFactor,
           "a single-node broker has replication factor 1"};
    } else if (want.n_assignments > 0 || want.refused_config) {
      o = {want.name, err::kInvalidConfig,
           "replica assignments and topic configs other than cleanup.policy are not implemented by "
           "this test broker"};
    } else if (!validate_only) {
      CDC_TRY(create_topic(want.name, partitions));
      log_line("created topic " + want.name + " with " + std::to_string(partitions) +
               " partitions");
    }
    outcomes.push_back(std::move(o));
  }
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  w.i32(static_cast<int32_t>(outcomes.size()));
  for (const Outcome& o : outcomes) {
    w.string(o.name);
    w.i16(o.error);
    w.nullable_string(o.message);
  }
  return std::move(w).take();
}

}  // namespace cdc::testing::kafka
