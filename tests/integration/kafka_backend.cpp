#include "tests/integration/kafka_backend.h"

#include "tests/support/control_line.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

namespace cdc::testing {

namespace {
const std::string kBrokerBinary = SLUICE_BINARY_DIR "/tests/fakes/kafka/kafka_test_broker";
}  // namespace

void create_topic_via_admin(const std::string& bootstrap, const std::string& topic, int partitions);

TestBrokerBackend::TestBrokerBackend(std::string data_dir, int port, int advertised_port) {
  dir_ = make_temp_dir("sluice-kafka-broker");
  log_ = dir_ + "/broker.log";
  const std::string port_file = dir_ + "/ports";
  std::vector<std::string> argv{kBrokerBinary, "--port",  std::to_string(port),
                                "--port-file", port_file, "--exit-with-parent"};
  if (!data_dir.empty()) {
    argv.insert(argv.end(), {"--data-dir", data_dir});
  }
  if (advertised_port != 0) {
    argv.insert(argv.end(), {"--advertised-port", std::to_string(advertised_port)});
  }
  child_ = std::make_unique<ChildProcess>(argv, log_, log_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!std::filesystem::exists(port_file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::ifstream in(port_file);
  REQUIRE_MESSAGE((in >> port_ >> control_port_),
                  "the broker wrote no port file: " << read_file(log_));
}

TestBrokerBackend::~TestBrokerBackend() {
  if (child_ && child_->running()) {
    child_->signal(SIGTERM);
    (void)child_->wait(std::chrono::seconds(2));  // ignored: ~ChildProcess SIGKILLs a survivor
  }
  child_.reset();
  if (std::getenv("SLUICE_KEEP_TEST_DIRS") != nullptr) {
    MESSAGE("kept the broker's log: " << log_);  // for debugging a failure
    return;
  }
  std::filesystem::remove_all(dir_);
}

void TestBrokerBackend::kill() {
  child_->signal(SIGKILL);
  REQUIRE(child_->wait(std::chrono::seconds(2)).has_value());
}

std::string TestBrokerBackend::control(const std::string& command) {
  return send_control_line(control_port_, command);
}

void ExternalBrokerBackend::create_topic(const std::string& topic, int partitions) {
  create_topic_via_admin(bootstrap_, topic, partitions);
}

std::unique_ptr<KafkaBackend> exactly_once_broker() {
  if (const char* bootstrap = std::getenv("SLUICE_KAFKA_BOOTSTRAP");
      bootstrap != nullptr && *bootstrap != 0) {
    return std::make_unique<ExternalBrokerBackend>(bootstrap);
  }
  return std::make_unique<TestBrokerBackend>();
}

const std::string& topic_suffix() {
  static const std::string suffix = [] {
    const char* bootstrap = std::getenv("SLUICE_KAFKA_BOOTSTRAP");
    if (bootstrap == nullptr || *bootstrap == 0) return std::string();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return "-" + std::to_string(::getpid()) + "-" + std::to_string(ms);
  }();
  return suffix;
}

void TestBrokerBackend::create_topic(const std::string& topic, int partitions) {
  create_topic_via_admin(bootstrap(), topic, partitions);
}

void create_topic_via_admin(const std::string& bootstrap, const std::string& topic,
                            int partitions) {
  RdKafkaPtr admin = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  char errstr[256];
  const sinks::kafka::RdKafkaNewTopicPtr nt(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, errstr, sizeof(errstr)));
  REQUIRE_MESSAGE(nt != nullptr, errstr);
  const sinks::kafka::RdKafkaQueuePtr q(rd_kafka_queue_new(admin.get()));
  rd_kafka_NewTopic_t* topics_to_create[] = {nt.get()};  // copied by CreateTopics
  rd_kafka_CreateTopics(admin.get(), topics_to_create, 1, nullptr, q.get());
  const sinks::kafka::RdKafkaEventPtr ev(rd_kafka_queue_poll(q.get(), 10000));
  REQUIRE(ev != nullptr);
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
  REQUIRE(res != nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(res, &n);
  REQUIRE(n == 1);
  CHECK_MESSAGE(rd_kafka_topic_result_error(topics[0]) == RD_KAFKA_RESP_ERR_NO_ERROR,
                rd_kafka_err2str(rd_kafka_topic_result_error(topics[0])));
}

MockClusterBackend::MockClusterBackend() {
  owner_ = make_client(RD_KAFKA_PRODUCER, {});
  cluster_.reset(rd_kafka_mock_cluster_new(owner_.get(), 1));
  REQUIRE(cluster_ != nullptr);
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_.get());
}

void MockClusterBackend::create_topic(const std::string& topic, int partitions) {
  // Through the Admin API the mock's CreateTopics times out (ENVIRONMENT.md gotcha 5).
  REQUIRE(rd_kafka_mock_topic_create(cluster_.get(), topic.c_str(), partitions, 1) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
}

namespace {
// Stores each message's delivery result where its opaque points (produce_one's local).
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->_private != nullptr) {
    *static_cast<rd_kafka_resp_err_t*>(m->_private) = m->err;
  }
}
}  // namespace

RdKafkaPtr make_client(rd_kafka_type_t type, const std::map<std::string, std::string>& conf) {
  sinks::kafka::RdKafkaConfPtr c(rd_kafka_conf_new());
  if (type == RD_KAFKA_PRODUCER) {
    rd_kafka_conf_set_dr_msg_cb(c.get(), on_delivery);
  }
  char errstr[512];
  for (const auto& [k, v] : conf) {
    REQUIRE_MESSAGE(rd_kafka_conf_set(c.get(), k.c_str(), v.c_str(), errstr, sizeof(errstr)) ==
                        RD_KAFKA_CONF_OK,
                    k << ": " << errstr);
  }
  RdKafkaPtr rk(rd_kafka_new(type, c.get(), errstr, sizeof(errstr)));
  REQUIRE_MESSAGE(rk != nullptr, errstr);
  (void)c.release();  // owned by rk now
  return rk;
}

RdKafkaPtr make_txn_producer(const KafkaBackend& b, const std::string& transactional_id,
                             const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> conf{{"bootstrap.servers", b.bootstrap()},
                                          {"transactional.id", transactional_id},
                                          {"linger.ms", "0"}};
  for (const auto& [k, v] : extra) {
    conf[k] = v;
  }
  return make_client(RD_KAFKA_PRODUCER, conf);
}

rd_kafka_resp_err_t produce_one(rd_kafka_t* producer, const std::string& topic, int partition,
                                const std::string& value) {
  rd_kafka_resp_err_t delivered = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&delivered), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return err;
  }
  if (err = rd_kafka_flush(producer, 10000); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return err;  // `delivered` is still referenced by the queued message: fail the test hard
  }
  return delivered;
}

namespace {
RdKafkaPtr make_consumer(const KafkaBackend& b, bool read_committed) {
  return make_client(RD_KAFKA_CONSUMER,
                     {{"bootstrap.servers", b.bootstrap()},
                      {"group.id", "sluice-kafka-it"},
                      {"enable.auto.commit", "false"},
                      {"enable.partition.eof", "true"},
                      {"fetch.wait.max.ms", "50"},
                      {"isolation.level", read_committed ? "read_committed" : "read_uncommitted"}});
}
}  // namespace

Consumed consume_all(const KafkaBackend& b, const std::string& topic, int partition,
                     bool read_committed, std::chrono::milliseconds timeout) {
  RdKafkaPtr c = make_consumer(b, read_committed);
  rd_kafka_poll_set_consumer(c.get());
  const sinks::kafka::RdKafkaPartitionsPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), partition)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  REQUIRE(rd_kafka_assign(c.get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  Consumed out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!out.reached_eof && std::chrono::steady_clock::now() < deadline) {
    const sinks::kafka::RdKafkaMessagePtr m(rd_kafka_consumer_poll(c.get(), 100));
    if (m == nullptr) {
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      out.reached_eof = true;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.values.emplace_back(static_cast<const char*>(m->payload), m->len);
      out.offsets.push_back(m->offset);
    } else {
      FAIL_CHECK("consumer error: " << rd_kafka_message_errstr(m.get()));
    }
  }
  rd_kafka_consumer_close(c.get());
  return out;
}

namespace {
// Reads every partition of `topic` from the start until each reported its end or `timeout`
// passed; `to_end` makes the latter a test failure that says where reading stopped.
std::vector<ConsumedRecord> read_partitions(const KafkaBackend& b, const std::string& topic,
                                            int partitions, bool read_committed,
                                            std::chrono::milliseconds timeout, bool to_end) {
  RdKafkaPtr c = make_consumer(b, read_committed);
  rd_kafka_poll_set_consumer(c.get());
  const sinks::kafka::RdKafkaPartitionsPtr parts(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  REQUIRE(rd_kafka_assign(c.get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<ConsumedRecord> out;
  std::set<int32_t> at_eof;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (static_cast<int>(at_eof.size()) < partitions &&
         std::chrono::steady_clock::now() < deadline) {
    const sinks::kafka::RdKafkaMessagePtr m(rd_kafka_consumer_poll(c.get(), 100));
    if (m == nullptr) {
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_eof.insert(m->partition);
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedRecord r;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key != nullptr) {
        r.key = std::string(static_cast<const char*>(m->key), m->key_len);
      }
      if (m->payload != nullptr) {
        r.value = std::string(static_cast<const char*>(m->payload), m->len);
      }
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m.get(), &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          r.headers[name] = std::string(static_cast<const char*>(value), size);
        }
      }
      out.push_back(std::move(r));
    } else {
      FAIL_CHECK("consumer error: " << rd_kafka_message_errstr(m.get()));
    }
  }
  if (to_end && static_cast<int>(at_eof.size()) != partitions) {
    // Where each partition's reading stopped, against its end for this isolation level.
    std::ostringstream where;
    for (int p = 0; p < partitions; ++p) {
      int64_t last = -1;
      for (const auto& r : out) {
        if (r.partition == p) last = std::max(last, r.offset);
      }
      const auto [lo, hi] = watermarks(b, topic, p, read_committed);
      where << " partition " << p << ": last offset read " << last << ", end " << hi
            << (at_eof.count(p) ? " (at its end)" : "") << ";";
    }
    FAIL_CHECK("topic " << topic << " not read to its end in " << timeout.count()
                        << " ms:" << where.str());
  }
  rd_kafka_consumer_close(c.get());
  std::sort(out.begin(), out.end(), [](const ConsumedRecord& a, const ConsumedRecord& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  return out;
}
}  // namespace

std::vector<ConsumedRecord> consume_records(const KafkaBackend& b, const std::string& topic,
                                            int partitions, bool read_committed,
                                            std::chrono::milliseconds timeout) {
  return read_partitions(b, topic, partitions, read_committed, timeout, true);
}

std::vector<ConsumedRecord> consume_available(const KafkaBackend& b, const std::string& topic,
                                              int partitions, bool read_committed,
                                              std::chrono::milliseconds budget) {
  return read_partitions(b, topic, partitions, read_committed, budget, false);
}

std::pair<int64_t, int64_t> watermarks(const KafkaBackend& b, const std::string& topic,
                                       int partition, bool read_committed) {
  RdKafkaPtr c = make_consumer(b, read_committed);
  int64_t lo = -1;
  int64_t hi = -1;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(c.get(), topic.c_str(), partition, &lo, &hi, 10000);
  CHECK_MESSAGE(err == RD_KAFKA_RESP_ERR_NO_ERROR, rd_kafka_err2str(err));
  return {lo, hi};
}

}  // namespace cdc::testing
