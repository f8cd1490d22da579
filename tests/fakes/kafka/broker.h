// Broker: the request handlers of the single-node Kafka test broker. It owns the topics
// (PartitionLogs) and the TxnCoordinator and turns one request (without its size prefix)
// into one response (without its size prefix). No I/O but the optional data dir; the
// socket loop lives in server.cpp. Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "tests/fakes/kafka/partition_log.h"
#include "tests/fakes/kafka/request_header.h"
#include "tests/fakes/kafka/txn_coordinator.h"

namespace cdc::testing::kafka {

struct BrokerOptions {
  std::string host = "127.0.0.1";  // advertised in Metadata and FindCoordinator
  int32_t port = 0;                // the bound port, advertised likewise
  int32_t node_id = 1;
  // Directory for the logs and the transaction state. Default: empty, in memory only.
  std::string data_dir;
  // Partitions of an auto-created topic or of CreateTopics with -1. Default: 1.
  int32_t default_partitions = 1;
  // Metadata creates unknown topics (auto.create.topics.enable). Default: true.
  bool auto_create_topics = true;
  // transaction.max.timeout.ms. Default: 900000 (Kafka's default).
  int32_t max_txn_timeout_ms = 900000;
  // Where the broker says what it did and refused, one line each. Not owned; must outlive
  // the Broker. Default: stderr.
  std::ostream* log = &std::cerr;
};

struct Reply {
  enum class Kind { respond, none, park, close };
  Kind kind = Kind::respond;
  std::string bytes;             // response header + body, for respond
  Clock::time_point park_until;  // for park: a Fetch waiting for data (max_wait_ms)
};

// Where the broker SIGKILLs itself, armed by the control port's `crash` (a test tool's fault
// injection): a kill at a point an outside kill -9 hits only by chance. Each fires once, on the
// next commit.
enum class CrashPoint {
  none,
  before_end_txn,  // the transaction's records are on the log, its EndTxn just arrived
  after_prepare,   // PrepareCommit saved, no marker written
  mid_markers,     // after the first COMMIT marker
  after_markers,   // every marker written, CompleteCommit not saved
};
std::optional<CrashPoint> parse_crash_point(std::string_view name);

class Broker {
 public:
  static Result<std::unique_ptr<Broker>> open(BrokerOptions options, Clock::time_point now);

  // `fetch_final`: a parked Fetch whose max_wait_ms is over answers with what there is.
  Reply handle(std::span<const std::byte> request, Clock::time_point now, bool fetch_final);
  // Aborts expired transactions; returns when it next needs to run.
  std::optional<Clock::time_point> tick(Clock::time_point now);
  // Bumped by every append, so that parked Fetches know when to look again.
  uint64_t append_count() const { return append_count_; }
  void arm_crash(CrashPoint point) { crash_point_ = point; }

 private:
  explicit Broker(BrokerOptions options) : options_(std::move(options)) {}
  using Topic = std::vector<std::unique_ptr<PartitionLog>>;

  Result<Topic*> create_topic(const std::string& name, int32_t partitions);
  PartitionLog* partition(const std::string& topic, int32_t index);
  Status apply(const TxnCompletion& c);
  void log_line(const std::string& msg) const;
  void crash_if_armed(CrashPoint point, bool commit);

  Result<std::string> api_versions(const RequestHeader& h, ByteReader& r);
  Result<std::string> metadata(const RequestHeader& h, ByteReader& r);
  Result<std::optional<std::string>> produce(const RequestHeader& h, ByteReader& r);
  Result<std::optional<std::string>> fetch(const RequestHeader& h, ByteReader& r, bool final,
                                           int32_t& max_wait_ms);
  Result<std::string> list_offsets(const RequestHeader& h, ByteReader& r);
  Result<std::string> find_coordinator(const RequestHeader& h, ByteReader& r);
  Result<std::string> create_topics(const RequestHeader& h, ByteReader& r);
  Result<std::string> init_producer_id(const RequestHeader& h, ByteReader& r,
                                       Clock::time_point now);
  Result<std::string> add_partitions_to_txn(const RequestHeader& h, ByteReader& r,
                                            Clock::time_point now);
  Result<std::string> add_offsets_to_txn(const RequestHeader& h, ByteReader& r,
                                         Clock::time_point now);
  Result<std::string> end_txn(const RequestHeader& h, ByteReader& r);
  Result<std::string> txn_offset_commit(const RequestHeader& h, ByteReader& r);
  Result<std::string> offset_fetch(const RequestHeader& h, ByteReader& r);

  BrokerOptions options_;
  std::map<std::string, Topic> topics_;
  std::optional<TxnCoordinator> coordinator_;
  uint64_t append_count_ = 0;
  CrashPoint crash_point_ = CrashPoint::none;
};

// Kafka topic names: 1..249 of [a-zA-Z0-9._-] (Kafka's Topic.validate).
bool valid_topic_name(std::string_view name);

}  // namespace cdc::testing::kafka
