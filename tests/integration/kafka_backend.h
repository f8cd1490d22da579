// Kafka backends for the exactly-once tests: the test broker (tests/fakes/kafka, a child
// process) or librdkafka's mock cluster (in-process). The same checks run against both; where
// the mock does not implement a behaviour its variant asserts the known-wrong result, and
// the README lists those. Not thread-safe.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sinks/kafka/rdkafka_ptr.h"
#include "tests/support/child_process.h"

namespace cdc::testing {

using sinks::kafka::RdKafkaPtr;

class KafkaBackend {
 public:
  enum class Kind { test_broker, mock_cluster, real_broker };
  virtual ~KafkaBackend() = default;
  virtual Kind kind() const = 0;
  virtual std::string bootstrap() const = 0;
  virtual void create_topic(const std::string& topic, int partitions) = 0;
  bool faithful() const { return kind() != Kind::mock_cluster; }
};

// A Kafka cluster the tests do not own (deploy/kafka: a real broker in Docker), named by
// $SLUICE_KAFKA_BOOTSTRAP. Its topics outlive a test: use topic_suffix() in names.
class ExternalBrokerBackend : public KafkaBackend {
 public:
  explicit ExternalBrokerBackend(std::string bootstrap) : bootstrap_(std::move(bootstrap)) {}
  Kind kind() const override { return Kind::real_broker; }
  std::string bootstrap() const override { return bootstrap_; }
  void create_topic(const std::string& topic, int partitions) override;

 private:
  std::string bootstrap_;
};

// Starts tests/fakes/kafka's broker; `data_dir` empty: in memory. `advertised_port` (0: the
// bound one) is the port the broker tells clients to use, e.g. a fault proxy's.
class TestBrokerBackend : public KafkaBackend {
 public:
  explicit TestBrokerBackend(std::string data_dir = "", int port = 0, int advertised_port = 0);
  ~TestBrokerBackend() override;
  Kind kind() const override { return Kind::test_broker; }
  std::string bootstrap() const override { return "127.0.0.1:" + std::to_string(port_); }
  void create_topic(const std::string& topic, int partitions) override;
  // One control-port command ("drop", "delay 100", "lose 1", "restart"); returns the answer.
  std::string control(const std::string& command);
  void kill();  // SIGKILL, as a crash
  // Waits for the broker to exit by itself (an armed `crash`); its exit code, 128+signal.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) { return child_->wait(timeout); }
  int port() const { return port_; }
  const std::string& log_path() const { return log_; }

 private:
  std::string dir_;
  std::string log_;
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
  int control_port_ = 0;
};

class MockClusterBackend : public KafkaBackend {
 public:
  MockClusterBackend();
  Kind kind() const override { return Kind::mock_cluster; }
  std::string bootstrap() const override { return bootstrap_; }
  void create_topic(const std::string& topic, int partitions) override;
  rd_kafka_mock_cluster_t* cluster() { return cluster_.get(); }

 private:
  RdKafkaPtr owner_;
  // Declared after owner_, so destroyed before the handle it runs in.
  sinks::kafka::RdKafkaOwned<rd_kafka_mock_cluster_t, rd_kafka_mock_cluster_destroy> cluster_;
  std::string bootstrap_;
};

// The broker of the exactly-once end-to-end tests: a real Kafka when $SLUICE_KAFKA_BOOTSTRAP is
// set (deploy/kafka/run-tests.sh), else a fresh test broker.
std::unique_ptr<KafkaBackend> exactly_once_broker();
// "" with a fresh test broker; "-<pid>-<ms>" against an external one, to keep runs apart.
const std::string& topic_suffix();

// A librdkafka handle; aborts the test (REQUIRE) on a configuration error.
RdKafkaPtr make_client(rd_kafka_type_t type, const std::map<std::string, std::string>& conf);
RdKafkaPtr make_txn_producer(const KafkaBackend& b, const std::string& transactional_id,
                             const std::map<std::string, std::string>& extra = {});
// Produces one value to (topic, partition) and waits for its delivery report.
rd_kafka_resp_err_t produce_one(rd_kafka_t* producer, const std::string& topic, int partition,
                                const std::string& value);

struct Consumed {
  std::vector<std::string> values;
  std::vector<int64_t> offsets;
  bool reached_eof = false;
};
// Reads (topic, partition) from the beginning with assign() until partition EOF (the high
// watermark, or the last stable offset for read_committed), at most `timeout`.
Consumed consume_all(const KafkaBackend& b, const std::string& topic, int partition,
                     bool read_committed,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
struct ConsumedRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: tombstone
  std::map<std::string, std::string> headers;
};
// Reads every partition of `topic` (0..partitions-1) from the beginning until each reaches
// EOF, at most `timeout`; records in (partition, offset) order.
std::vector<ConsumedRecord> consume_records(
    const KafkaBackend& b, const std::string& topic, int partitions, bool read_committed,
    std::chrono::milliseconds timeout = std::chrono::seconds(20));
// The same from a topic a producer is still writing: a consumer that keeps finding new records
// within its fetch wait never sees an end, so this returns what `budget` allowed, unchecked.
std::vector<ConsumedRecord> consume_available(const KafkaBackend& b, const std::string& topic,
                                              int partitions, bool read_committed,
                                              std::chrono::milliseconds budget);
// Low and high watermark by ListOffsets; the high one is the LSO for read_committed.
std::pair<int64_t, int64_t> watermarks(const KafkaBackend& b, const std::string& topic,
                                       int partition, bool read_committed);

}  // namespace cdc::testing
