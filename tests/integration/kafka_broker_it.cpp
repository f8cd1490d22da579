// Exactly-once into Kafka, proven with librdkafka against the test broker (tests/fakes/kafka)
// and, for comparison, against librdkafka's mock cluster. Every check runs on both backends;
// where the mock does not implement the behaviour, its variant asserts the known-wrong result
// (README, "Kafka test broker": the list of what the mock fails).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/kafka_backend.h"

using cdc::testing::Consumed;
using cdc::testing::KafkaBackend;
using cdc::testing::MockClusterBackend;
using cdc::testing::RdKafkaPtr;
using cdc::testing::TestBrokerBackend;
using cdc::testing::consume_all;
using cdc::testing::make_txn_producer;
using cdc::testing::produce_one;
using cdc::testing::watermarks;
using Values = std::vector<std::string>;

namespace {

constexpr int kTimeoutMs = 10000;

// Returns the error's message, or "" for success; frees the error.
std::string txn_call(rd_kafka_error_t* e, bool* fatal = nullptr) {
  if (e == nullptr) {
    return "";
  }
  std::string m = rd_kafka_error_string(e);
  if (fatal) {
    *fatal = rd_kafka_error_is_fatal(e);
  }
  rd_kafka_error_destroy(e);
  return m.empty() ? "error" : m;
}

void begin_with(rd_kafka_t* p, const std::string& topic, const Values& values) {
  REQUIRE(txn_call(rd_kafka_begin_transaction(p)) == "");
  for (const std::string& v : values) {
    REQUIRE(produce_one(p, topic, 0, v) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
}

std::unique_ptr<KafkaBackend> make_backend(bool test_broker) {
  if (test_broker) {
    return std::make_unique<TestBrokerBackend>();
  }
  return std::make_unique<MockClusterBackend>();
}

}  // namespace

// Each TEST_CASE runs once per backend.
#define FOR_EACH_BACKEND(b)                                      \
  std::unique_ptr<KafkaBackend> b;                               \
  SUBCASE("test broker") { b = make_backend(true); }             \
  SUBCASE("mock cluster") { b = make_backend(false); }           \
  INFO("backend: " << std::string(b->name()))

TEST_CASE("a committed transaction is visible to read_committed and read_uncommitted") {
  FOR_EACH_BACKEND(b);
  b->create_topic("committed", 1);
  RdKafkaPtr p = make_txn_producer(*b, "txn-committed");
  REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "committed", {"c1", "c2"});
  REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");

  const Consumed rc = consume_all(*b, "committed", 0, true);
  CHECK(rc.reached_eof);
  CHECK(rc.values == Values{"c1", "c2"});
  CHECK(rc.offsets == std::vector<int64_t>{0, 1});
  CHECK(consume_all(*b, "committed", 0, false).values == Values{"c1", "c2"});
  // The COMMIT marker takes offset 2 (KIP-98 control records occupy offsets); the mock
  // writes no marker.
  CHECK(watermarks(*b, "committed", 0, false).second == (b->faithful() ? 3 : 2));
}

TEST_CASE("an aborted transaction is invisible to read_committed, visible to read_uncommitted") {
  FOR_EACH_BACKEND(b);
  b->create_topic("aborted", 1);
  RdKafkaPtr p = make_txn_producer(*b, "txn-aborted");
  REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "aborted", {"a1", "a2"});
  REQUIRE(txn_call(rd_kafka_abort_transaction(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "aborted", {"c1"});
  REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");

  const Consumed rc = consume_all(*b, "aborted", 0, true);
  CHECK(rc.reached_eof);
  if (b->faithful()) {
    CHECK(rc.values == Values{"c1"});
    CHECK(rc.offsets == std::vector<int64_t>{3});  // a1 a2 ABORT c1 COMMIT
  } else {
    CHECK(rc.values == Values{"a1", "a2", "c1"});  // mock: aborted records delivered
  }
  CHECK(consume_all(*b, "aborted", 0, false).values == Values{"a1", "a2", "c1"});
}

TEST_CASE("an open transaction is invisible to read_committed until it ends") {
  FOR_EACH_BACKEND(b);
  b->create_topic("open", 1);
  RdKafkaPtr p = make_txn_producer(*b, "txn-open");
  REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "open", {"c1"});
  REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "open", {"o1"});

  const Consumed rc = consume_all(*b, "open", 0, true);
  CHECK(rc.reached_eof);
  CHECK(consume_all(*b, "open", 0, false).values == Values{"c1", "o1"});
  if (b->faithful()) {
    CHECK(rc.values == Values{"c1"});
    // ListOffsets latest: the last stable offset (2, where o1 is) for read_committed.
    CHECK(watermarks(*b, "open", 0, true).second == 2);
    CHECK(watermarks(*b, "open", 0, false).second == 3);
  } else {
    CHECK(rc.values == Values{"c1", "o1"});  // mock: no last stable offset
    CHECK(watermarks(*b, "open", 0, true).second == 2);
  }
  REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");
  CHECK(consume_all(*b, "open", 0, true).values == Values{"c1", "o1"});
}

TEST_CASE("a second producer with the same transactional.id fences the first") {
  FOR_EACH_BACKEND(b);
  b->create_topic("fenced", 1);
  RdKafkaPtr first = make_txn_producer(*b, "txn-fenced");
  REQUIRE(txn_call(rd_kafka_init_transactions(first.get(), kTimeoutMs)) == "");
  begin_with(first.get(), "fenced", {"f1"});

  RdKafkaPtr second = make_txn_producer(*b, "txn-fenced");
  REQUIRE(txn_call(rd_kafka_init_transactions(second.get(), kTimeoutMs)) == "");
  bool fatal = false;
  const std::string commit_error = txn_call(rd_kafka_commit_transaction(first.get(), kTimeoutMs), &fatal);
  if (b->faithful()) {
    INFO("commit error: " << commit_error);
    CHECK(commit_error != "");
    CHECK(fatal);
    char reason[256] = "";
    CHECK(rd_kafka_fatal_error(first.get(), reason, sizeof(reason)) == RD_KAFKA_RESP_ERR__FENCED);
  } else {
    CHECK(commit_error == "");  // mock: the fenced producer commits
  }
  begin_with(second.get(), "fenced", {"f2"});
  REQUIRE(txn_call(rd_kafka_commit_transaction(second.get(), kTimeoutMs)) == "");
  CHECK(consume_all(*b, "fenced", 0, true).values == (b->faithful() ? Values{"f2"} : Values{"f1", "f2"}));
}

TEST_CASE("an open transaction is aborted when its transactional.id re-initializes") {
  FOR_EACH_BACKEND(b);
  b->create_topic("reinit", 1);
  {
    RdKafkaPtr crashed = make_txn_producer(*b, "txn-reinit");
    REQUIRE(txn_call(rd_kafka_init_transactions(crashed.get(), kTimeoutMs)) == "");
    begin_with(crashed.get(), "reinit", {"r1"});
  }  // destroyed with the transaction open, as a crashed process leaves it
  RdKafkaPtr restarted = make_txn_producer(*b, "txn-reinit");
  REQUIRE(txn_call(rd_kafka_init_transactions(restarted.get(), kTimeoutMs)) == "");
  begin_with(restarted.get(), "reinit", {"r2"});
  REQUIRE(txn_call(rd_kafka_commit_transaction(restarted.get(), kTimeoutMs)) == "");

  CHECK(consume_all(*b, "reinit", 0, true).values == (b->faithful() ? Values{"r2"} : Values{"r1", "r2"}));
  CHECK(consume_all(*b, "reinit", 0, false).values == Values{"r1", "r2"});
}

TEST_CASE("an open transaction is aborted when it times out, and its producer is fenced") {
  FOR_EACH_BACKEND(b);
  b->create_topic("timeout", 1);
  RdKafkaPtr p = make_txn_producer(*b, "txn-timeout", {{"transaction.timeout.ms", "3000"}});
  REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "timeout", {"t1"});
  CHECK(watermarks(*b, "timeout", 0, true).second == (b->faithful() ? 0 : 1));

  // The coordinator aborts 3 s after the transaction began; poll the LSO for up to 8 s.
  int64_t lso = -1;
  for (int i = 0; i < 80 && lso != 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lso = watermarks(*b, "timeout", 0, true).second;
  }
  if (b->faithful()) {
    CHECK(lso == 2);  // t1 and its ABORT marker
    CHECK(consume_all(*b, "timeout", 0, true).values == Values{});
    bool fatal = false;
    CHECK(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs), &fatal) != "");
    CHECK(fatal);
  } else {
    CHECK(lso == 1);  // mock: never aborted, and read_committed sees t1
    CHECK(consume_all(*b, "timeout", 0, true).values == Values{"t1"});
  }
  CHECK(consume_all(*b, "timeout", 0, false).values == Values{"t1"});
}

TEST_CASE("offsets and watermarks survive a broker crash in on-disk mode") {
  const std::string data = cdc::testing::make_temp_dir("sluice-kafka-data");
  int port = 0;
  {
    TestBrokerBackend b(data);
    port = b.port();
    b.create_topic("durable", 1);
    RdKafkaPtr p = make_txn_producer(b, "txn-durable");
    REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
    begin_with(p.get(), "durable", {"d1", "d2"});
    REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");
    begin_with(p.get(), "durable", {"x1"});
    REQUIRE(txn_call(rd_kafka_abort_transaction(p.get(), kTimeoutMs)) == "");
    begin_with(p.get(), "durable", {"o1"});  // left open across the crash
    CHECK(watermarks(b, "durable", 0, false).second == 6);
    b.kill();
  }
  TestBrokerBackend b(data, port);
  CHECK(watermarks(b, "durable", 0, false) == std::pair<int64_t, int64_t>{0, 6});
  CHECK(watermarks(b, "durable", 0, true).second == 5);  // o1 is still open
  const Consumed rc = consume_all(b, "durable", 0, true);
  CHECK(rc.values == Values{"d1", "d2"});
  CHECK(rc.offsets == std::vector<int64_t>{0, 1});
  CHECK(consume_all(b, "durable", 0, false).values == Values{"d1", "d2", "x1", "o1"});

  // The coordinator state survived too: a new instance aborts o1 and fences the old epoch.
  RdKafkaPtr p = make_txn_producer(b, "txn-durable");
  REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
  begin_with(p.get(), "durable", {"d3"});
  REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");
  const Consumed after = consume_all(b, "durable", 0, true);
  CHECK(after.values == Values{"d1", "d2", "d3"});
  CHECK(after.offsets == std::vector<int64_t>{0, 1, 7});  // o1=5, its ABORT=6
  std::filesystem::remove_all(data);
}
