// Exactly-once into Kafka, proven with librdkafka against the test broker (tests/fakes/kafka)
// and, for comparison, against librdkafka's mock cluster. Every check runs on both backends (a
// doctest template test per backend type); where the mock does not implement the behaviour,
// its variant asserts the known-wrong result (README, "Kafka test broker": the list of what
// the mock fails).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/kafka_backend.h"

using cdc::testing::consume_all;
using cdc::testing::Consumed;
using cdc::testing::KafkaBackend;
using cdc::testing::make_txn_producer;
using cdc::testing::MockClusterBackend;
using cdc::testing::produce_one;
using cdc::testing::RdKafkaPtr;
using cdc::testing::TestBrokerBackend;
using cdc::testing::watermarks;
using Values = std::vector<std::string>;

TYPE_TO_STRING(cdc::testing::TestBrokerBackend);  // names the template variants in reports
TYPE_TO_STRING(cdc::testing::MockClusterBackend);

namespace {

constexpr int kTimeoutMs = 10000;

// Returns the error's message, or "" for success; frees the error.
std::string txn_call(rd_kafka_error_t* raw, bool* fatal = nullptr) {
  const cdc::sinks::kafka::RdKafkaErrorPtr e(raw);
  if (e == nullptr) {
    return "";
  }
  std::string m = rd_kafka_error_string(e.get());
  if (fatal) {
    *fatal = rd_kafka_error_is_fatal(e.get());
  }
  return m.empty() ? "error" : m;
}

void begin_with(rd_kafka_t* p, const std::string& topic, const Values& values) {
  REQUIRE(txn_call(rd_kafka_begin_transaction(p)) == "");
  for (const std::string& v : values) {
    REQUIRE(produce_one(p, topic, 0, v) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
}

// A transactional producer after init_transactions().
RdKafkaPtr ready_producer(const KafkaBackend& b, const std::string& transactional_id,
                          const std::map<std::string, std::string>& extra = {}) {
  RdKafkaPtr p = make_txn_producer(b, transactional_id, extra);
  REQUIRE(txn_call(rd_kafka_init_transactions(p.get(), kTimeoutMs)) == "");
  return p;
}

enum class End { commit, abort };
// One whole transaction of `values` to partition 0.
void transaction(rd_kafka_t* p, const std::string& topic, const Values& values, End end) {
  begin_with(p, topic, values);
  REQUIRE(txn_call(end == End::commit ? rd_kafka_commit_transaction(p, kTimeoutMs)
                                      : rd_kafka_abort_transaction(p, kTimeoutMs)) == "");
}

}  // namespace

TEST_CASE_TEMPLATE("a committed transaction is visible to read_committed and read_uncommitted",
                   Backend, TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("committed", 1);
  RdKafkaPtr p = ready_producer(*b, "txn-committed");
  transaction(p.get(), "committed", {"c1", "c2"}, End::commit);

  const Consumed rc = consume_all(*b, "committed", 0, true);
  CHECK(rc.reached_eof);
  CHECK(rc.values == Values{"c1", "c2"});
  CHECK(rc.offsets == std::vector<int64_t>{0, 1});
  CHECK(consume_all(*b, "committed", 0, false).values == Values{"c1", "c2"});
  // The COMMIT marker takes offset 2 (KIP-98 control records occupy offsets); the mock
  // writes no marker.
  CHECK(watermarks(*b, "committed", 0, false).second == (b->faithful() ? 3 : 2));
}

TEST_CASE_TEMPLATE(
    "an aborted transaction is invisible to read_committed, visible to read_uncommitted", Backend,
    TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("aborted", 1);
  RdKafkaPtr p = ready_producer(*b, "txn-aborted");
  transaction(p.get(), "aborted", {"a1", "a2"}, End::abort);
  transaction(p.get(), "aborted", {"c1"}, End::commit);

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

TEST_CASE_TEMPLATE("an open transaction is invisible to read_committed until it ends", Backend,
                   TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("open", 1);
  RdKafkaPtr p = ready_producer(*b, "txn-open");
  transaction(p.get(), "open", {"c1"}, End::commit);
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

TEST_CASE_TEMPLATE("a second producer with the same transactional.id fences the first", Backend,
                   TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("fenced", 1);
  RdKafkaPtr first = ready_producer(*b, "txn-fenced");
  begin_with(first.get(), "fenced", {"f1"});

  RdKafkaPtr second = ready_producer(*b, "txn-fenced");
  bool fatal = false;
  const std::string commit_error =
      txn_call(rd_kafka_commit_transaction(first.get(), kTimeoutMs), &fatal);
  if (b->faithful()) {
    INFO("commit error: " << commit_error);
    CHECK(commit_error != "");
    CHECK(fatal);
    char reason[256] = "";
    CHECK(rd_kafka_fatal_error(first.get(), reason, sizeof(reason)) == RD_KAFKA_RESP_ERR__FENCED);
  } else {
    CHECK(commit_error == "");  // mock: the fenced producer commits
  }
  transaction(second.get(), "fenced", {"f2"}, End::commit);
  CHECK(consume_all(*b, "fenced", 0, true).values ==
        (b->faithful() ? Values{"f2"} : Values{"f1", "f2"}));
}

TEST_CASE_TEMPLATE("an open transaction is aborted when its transactional.id re-initializes",
                   Backend, TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("reinit", 1);
  {
    RdKafkaPtr crashed = ready_producer(*b, "txn-reinit");
    begin_with(crashed.get(), "reinit", {"r1"});
  }  // destroyed with the transaction open, as a crashed process leaves it
  RdKafkaPtr restarted = ready_producer(*b, "txn-reinit");
  transaction(restarted.get(), "reinit", {"r2"}, End::commit);

  CHECK(consume_all(*b, "reinit", 0, true).values ==
        (b->faithful() ? Values{"r2"} : Values{"r1", "r2"}));
  CHECK(consume_all(*b, "reinit", 0, false).values == Values{"r1", "r2"});
}

TEST_CASE_TEMPLATE("an open transaction is aborted when it times out, and its producer is fenced",
                   Backend, TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("timeout", 1);
  RdKafkaPtr p = ready_producer(*b, "txn-timeout", {{"transaction.timeout.ms", "3000"}});
  begin_with(p.get(), "timeout", {"t1"});
  CHECK(watermarks(*b, "timeout", 0, true).second == (b->faithful() ? 0 : 1));

  // The coordinator aborts 3 s after the transaction began: poll the LSO for up to 8 s (the
  // mock, which never aborts, is given 4 s).
  int64_t lso = -1;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(b->faithful() ? 8 : 4);
  while (lso != 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
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
    CHECK(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");  // and it commits
  }
  CHECK(consume_all(*b, "timeout", 0, false).values == Values{"t1"});
}

namespace {
// Sends {source-0: offset} for consumer group "sink-group" within the open transaction.
void send_offset(rd_kafka_t* p, int64_t offset) {
  const cdc::sinks::kafka::RdKafkaPartitionsPtr offsets(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(offsets.get(), "source", 0)->offset = offset;
  const cdc::sinks::kafka::RdKafkaOwned<rd_kafka_consumer_group_metadata_t,
                                        rd_kafka_consumer_group_metadata_destroy>
      group(rd_kafka_consumer_group_metadata_new("sink-group"));
  CHECK(txn_call(rd_kafka_send_offsets_to_transaction(p, offsets.get(), group.get(), kTimeoutMs)) ==
        "");
}

int64_t committed_offset(const KafkaBackend& b) {
  RdKafkaPtr c = cdc::testing::make_client(
      RD_KAFKA_CONSUMER, {{"bootstrap.servers", b.bootstrap()}, {"group.id", "sink-group"}});
  const cdc::sinks::kafka::RdKafkaPartitionsPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), "source", 0);
  const rd_kafka_resp_err_t err = rd_kafka_committed(c.get(), parts.get(), kTimeoutMs);
  CHECK_MESSAGE(err == RD_KAFKA_RESP_ERR_NO_ERROR, rd_kafka_err2str(err));
  const int64_t offset = parts->elems[0].offset;
  rd_kafka_consumer_close(c.get());
  return offset;
}
}  // namespace

TEST_CASE_TEMPLATE("offsets sent to a transaction are committed with it, and dropped on abort",
                   Backend, TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("source", 1);
  b->create_topic("sink", 1);
  RdKafkaPtr p = ready_producer(*b, "txn-offsets");
  begin_with(p.get(), "sink", {"s1"});
  send_offset(p.get(), 42);
  REQUIRE(txn_call(rd_kafka_commit_transaction(p.get(), kTimeoutMs)) == "");
  // The mock accepts TxnOffsetCommit but never commits the offsets: OffsetFetch has none.
  const int64_t expected = b->faithful() ? 42 : RD_KAFKA_OFFSET_INVALID;
  CHECK(committed_offset(*b) == expected);

  begin_with(p.get(), "sink", {"s2"});
  send_offset(p.get(), 99);
  REQUIRE(txn_call(rd_kafka_abort_transaction(p.get(), kTimeoutMs)) == "");
  CHECK(committed_offset(*b) == expected);
}

TEST_CASE("offsets and watermarks survive a broker crash in on-disk mode") {
  const std::string data = cdc::testing::make_temp_dir("sluice-kafka-data");
  int port = 0;
  {
    TestBrokerBackend b(data);
    port = b.port();
    b.create_topic("durable", 1);
    RdKafkaPtr p = ready_producer(b, "txn-durable");
    transaction(p.get(), "durable", {"d1", "d2"}, End::commit);
    transaction(p.get(), "durable", {"x1"}, End::abort);
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
  RdKafkaPtr p = ready_producer(b, "txn-durable");
  transaction(p.get(), "durable", {"d3"}, End::commit);
  const Consumed after = consume_all(b, "durable", 0, true);
  CHECK(after.values == Values{"d1", "d2", "d3"});
  CHECK(after.offsets == std::vector<int64_t>{0, 1, 7});  // o1=5, its ABORT=6
  std::filesystem::remove_all(data);
}

TEST_CASE_TEMPLATE("an idempotent producer's retry after a lost response is not appended twice",
                   Backend, TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("retry", 1);
  const auto lose_next_produce_response = [&] {
    if (auto* broker = dynamic_cast<TestBrokerBackend*>(b)) {
      REQUIRE(broker->control("lose 1") == "ok");  // append, then drop the connection
    } else {
      // The mock's nearest fault: answer the next Produce after 2 s, past request.timeout.ms.
      auto* mock = dynamic_cast<MockClusterBackend*>(b);
      REQUIRE(rd_kafka_mock_broker_push_request_error_rtts(mock->cluster(), 1, 0 /* Produce */, 1,
                                                           RD_KAFKA_RESP_ERR_NO_ERROR,
                                                           2000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  };
  const std::map<std::string, std::string> conf{
      {"bootstrap.servers", b->bootstrap()}, {"linger.ms", "0"}, {"request.timeout.ms", "1000"}};
  auto idempotent_conf = conf;
  idempotent_conf["enable.idempotence"] = "true";
  RdKafkaPtr p = cdc::testing::make_client(RD_KAFKA_PRODUCER, idempotent_conf);
  REQUIRE(produce_one(p.get(), "retry", 0, "i0") == RD_KAFKA_RESP_ERR_NO_ERROR);
  lose_next_produce_response();
  REQUIRE(produce_one(p.get(), "retry", 0, "i1") == RD_KAFKA_RESP_ERR_NO_ERROR);
  REQUIRE(produce_one(p.get(), "retry", 0, "i2") == RD_KAFKA_RESP_ERR_NO_ERROR);
  const Consumed c = consume_all(*b, "retry", 0, false);
  CHECK(c.values == Values{"i0", "i1", "i2"});
  CHECK(c.offsets == std::vector<int64_t>{0, 1, 2});

  // The same fault without idempotence duplicates, which shows the fault took effect.
  auto plain_conf = conf;
  plain_conf["enable.idempotence"] = "false";
  RdKafkaPtr plain = cdc::testing::make_client(RD_KAFKA_PRODUCER, plain_conf);
  lose_next_produce_response();
  REQUIRE(produce_one(plain.get(), "retry", 0, "p1") == RD_KAFKA_RESP_ERR_NO_ERROR);
  const Values after = consume_all(*b, "retry", 0, false).values;
  if (b->faithful()) {
    CHECK(after == Values{"i0", "i1", "i2", "p1", "p1"});
  } else {
    // The mock cannot lose a response after appending: its delayed response is answered, so
    // the check above proves nothing there.
    CHECK(after == Values{"i0", "i1", "i2", "p1"});
  }
}

TEST_CASE_TEMPLATE("kcat produces to and consumes from the broker, read_committed included",
                   Backend, TestBrokerBackend, MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  b->create_topic("kcat", 1);
  RdKafkaPtr p = ready_producer(*b, "txn-kcat");
  transaction(p.get(), "kcat", {"a1"}, End::abort);
  transaction(p.get(), "kcat", {"c1"}, End::commit);

  const std::string dir = cdc::testing::make_temp_dir("sluice-kcat");
  std::ofstream(dir + "/in.txt") << "k1\nk2 with spaces\nk3\n";
  const auto produced = cdc::testing::run_command(
      {"/usr/bin/kcat", "-P", "-b", b->bootstrap(), "-t", "kcat", "-p", "0", "-l", dir + "/in.txt"},
      std::chrono::seconds(20));
  CHECK_MESSAGE(produced.exit_code == 0, produced.err);
  const auto consume = [&](const std::string& isolation) {
    std::string setting = "isolation.level=";
    setting += isolation;
    return cdc::testing::run_command(
        {"/usr/bin/kcat", "-C", "-b", b->bootstrap(), "-t", "kcat", "-p", "0", "-o", "beginning",
         "-e", "-q", "-X", setting, "-f", "%o:%s\n"},
        std::chrono::seconds(20));
  };
  const auto committed = consume("read_committed");
  const auto uncommitted = consume("read_uncommitted");
  CHECK_MESSAGE(committed.exit_code == 0, committed.err);
  CHECK_MESSAGE(uncommitted.exit_code == 0, uncommitted.err);
  if (b->faithful()) {
    // a1=0 ABORT=1 c1=2 COMMIT=3, then kcat's three records.
    CHECK(committed.out == "2:c1\n4:k1\n5:k2 with spaces\n6:k3\n");
    CHECK(uncommitted.out == "0:a1\n2:c1\n4:k1\n5:k2 with spaces\n6:k3\n");
  } else {
    CHECK(committed.out == "0:a1\n1:c1\n2:k1\n3:k2 with spaces\n4:k3\n");  // mock: a1 shown
    CHECK(uncommitted.out == "0:a1\n1:c1\n2:k1\n3:k2 with spaces\n4:k3\n");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE_TEMPLATE("CreateTopics through the Admin API", Backend, TestBrokerBackend,
                   MockClusterBackend) {
  Backend backend;
  KafkaBackend* const b = &backend;
  RdKafkaPtr admin =
      cdc::testing::make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", b->bootstrap()}});
  const auto create = [&](const char* topic, int partitions) {
    char errstr[256];
    const cdc::sinks::kafka::RdKafkaNewTopicPtr nt(
        rd_kafka_NewTopic_new(topic, partitions, 1, errstr, sizeof(errstr)));
    const cdc::sinks::kafka::RdKafkaAdminOptionsPtr opts(
        rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
    REQUIRE(rd_kafka_AdminOptions_set_request_timeout(opts.get(), 2000, errstr, sizeof(errstr)) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
    const cdc::sinks::kafka::RdKafkaQueuePtr q(rd_kafka_queue_new(admin.get()));
    rd_kafka_NewTopic_t* topics[] = {nt.get()};  // copied by CreateTopics
    rd_kafka_CreateTopics(admin.get(), topics, 1, opts.get(), q.get());
    const cdc::sinks::kafka::RdKafkaEventPtr ev(rd_kafka_queue_poll(q.get(), 10000));
    REQUIRE(ev != nullptr);
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev.get());
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      size_t n = 0;
      const rd_kafka_topic_result_t** r =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
      REQUIRE(n == 1);
      err = rd_kafka_topic_result_error(r[0]);
    }
    return err;
  };
  if (!b->faithful()) {
    CHECK(create("admin-created", 3) == RD_KAFKA_RESP_ERR__TIMED_OUT);  // mock: never answers
    return;
  }
  CHECK(create("admin-created", 3) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(create("admin-created", 3) == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  CHECK(create("bad/name", 1) == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
  const rd_kafka_metadata_t* raw_md = nullptr;
  const cdc::sinks::kafka::RdKafkaTopicPtr t(
      rd_kafka_topic_new(admin.get(), "admin-created", nullptr));
  REQUIRE(rd_kafka_metadata(admin.get(), 0, t.get(), &raw_md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  const cdc::sinks::kafka::RdKafkaOwned<const rd_kafka_metadata_t, rd_kafka_metadata_destroy> md(
      raw_md);
  REQUIRE(md->topic_cnt == 1);
  CHECK(md->topics[0].partition_cnt == 3);
  // Every partition takes produce and fetch independently.
  const Values per_partition{"v0", "v1", "v2"};
  for (int part = 0; part < 3; ++part) {
    REQUIRE(produce_one(admin.get(), "admin-created", part, per_partition[part]) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(consume_all(*b, "admin-created", part, false).values == Values{per_partition[part]});
  }
}

TEST_CASE("control port: drop, delay and restart keep an idempotent producer exactly-once") {
  const std::string data = cdc::testing::make_temp_dir("sluice-kafka-control");
  TestBrokerBackend b(data);
  b.create_topic("control", 1);
  RdKafkaPtr p = cdc::testing::make_client(
      RD_KAFKA_PRODUCER,
      {{"bootstrap.servers", b.bootstrap()}, {"enable.idempotence", "true"}, {"linger.ms", "0"}});
  REQUIRE(produce_one(p.get(), "control", 0, "a") == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(b.control("drop") == "ok");
  REQUIRE(produce_one(p.get(), "control", 0, "b") == RD_KAFKA_RESP_ERR_NO_ERROR);

  CHECK(b.control("delay 300") == "ok");
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(produce_one(p.get(), "control", 0, "c") == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
  CHECK(b.control("delay 0") == "ok");

  // The producer state is rebuilt from the log: the next sequence number is still in order.
  CHECK(b.control("restart") == "ok");
  REQUIRE(produce_one(p.get(), "control", 0, "d") == RD_KAFKA_RESP_ERR_NO_ERROR);
  const Consumed c = consume_all(b, "control", 0, false);
  CHECK(c.values == Values{"a", "b", "c", "d"});
  CHECK(c.offsets == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(b.control("delay soon") ==
        "error: unknown command 'delay soon' (drop, delay <ms>, lose "
        "<n>, crash <point>, restart)");
  CHECK(b.control("crash nowhere") ==
        "error: unknown command 'crash nowhere' (drop, delay <ms>, "
        "lose <n>, crash <point>, restart)");
  std::filesystem::remove_all(data);
}
