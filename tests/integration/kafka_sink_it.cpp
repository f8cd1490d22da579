// KafkaSink against the Kafka test broker (tests/fakes/kafka): a checkpoint's records and its
// offset record become visible to read_committed consumers together; what was written after the
// last checkpoint never does; a reopened sink resumes from the offsets topic; a second instance
// fences the first; partitions follow the Java client's murmur2; at-least-once delivers
// without transactions. No services needed (the broker is a child process).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <prometheus/registry.h>
#include <string>
#include <vector>

#include "sinks/kafka/kafka_sink.h"
#include "sinks/kafka/murmur2.h"
#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_proxy.h"

using namespace cdc;
using namespace cdc::sinks::kafka;
using cdc::testing::consume_records;
using cdc::testing::ConsumedRecord;
using cdc::testing::TestBrokerBackend;

namespace {

std::shared_ptr<TableSchema> users_schema() {
  auto s = std::make_shared<TableSchema>();
  s->id = {"shop", "users"};
  Column id;
  id.name = "id";
  id.source_type = "int(11)";
  id.kind = ValueKind::int64;
  Column name;
  name.name = "name";
  name.source_type = "varchar(20)";
  s->columns = {id, name};
  s->primary_key = {0};
  return s;
}

// Inserts of ids [from, to) into shop.users, as one batch ending at DatagenPosition{to}.
Batch inserts(int64_t from, int64_t to) {
  static const auto schema = users_schema();
  Batch b;
  for (int64_t id = from; id < to; ++id) {
    std::span<Value> row = b.arena.make_array<Value>(2);
    row[0] = Value::int64(id);
    row[1] = Value::string("user");
    ChangeEvent e;
    e.op = Op::insert;
    e.schema = schema.get();
    e.after = RowImage(std::span<const Value>(row));
    e.source.connector = "mysql";
    e.source.at =
        BinlogEventPosition{"mysql-bin.000003", BinlogOffset{static_cast<uint64_t>(1000 + id)}};
    b.events.push_back(std::move(e));
  }
  b.end = DatagenPosition{static_cast<uint64_t>(to)};
  return b;
}

KafkaOptions options_for(const cdc::testing::KafkaBackend& broker, const std::string& pipeline) {
  KafkaOptions o;
  o.pipeline = pipeline;
  o.transactional_id = pipeline;
  o.properties = {{"bootstrap.servers", broker.bootstrap()}, {"linger.ms", "5"}};
  o.topic_prefix = pipeline;
  o.offsets_topic = pipeline + ".offsets";
  o.topic_partitions = 3;
  o.format = json::Format::upsert;
  o.operation_timeout = std::chrono::seconds(10);
  return o;
}

std::unique_ptr<KafkaSink> open_sink(const KafkaOptions& o,
                                     std::span<const CheckpointRecord> history,
                                     std::optional<CheckpointRecord>* resumed = nullptr,
                                     std::shared_ptr<KafkaMetrics> metrics = nullptr) {
  auto sink = KafkaSink::create(o, std::move(metrics));
  REQUIRE_MESSAGE(sink, (sink ? "" : sink.error().message));
  auto opened = (*sink)->open(history);
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
  if (resumed != nullptr) *resumed = *opened;
  return std::move(*sink);
}

// Polls `done` every 5 ms for up to 10 s; its last answer.
template <class Done>
bool eventually(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

std::vector<std::string> keys_of(const std::vector<ConsumedRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.key.value_or("<null>"));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> id_keys(int64_t from, int64_t to) {
  std::vector<std::string> out;
  for (int64_t id = from; id < to; ++id) out.push_back("{\"id\":" + std::to_string(id) + "}");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE(
    "exactly-once: a checkpoint commits with its offset record; the rest stays invisible; reopen "
    "resumes") {
  TestBrokerBackend broker;
  const KafkaOptions o = options_for(broker, "eo");
  std::optional<CheckpointRecord> resumed;
  auto sink = open_sink(o, {}, &resumed);
  CHECK_FALSE(resumed.has_value());
  REQUIRE(sink->write(inserts(1, 21)));
  auto state = sink->prepare(1, DatagenPosition{21});
  REQUIRE_MESSAGE(state, (state ? "" : state.error().message));
  REQUIRE(sink->write(inserts(21, 31)));  // never checkpointed

  const auto committed = consume_records(broker, "eo.shop.users", 3, true);
  CHECK(keys_of(committed) == id_keys(1, 21));
  for (const auto& r : committed) {
    INFO("key " << *r.key);
    CHECK(r.partition == murmur2_partition(*r.key, 3));  // the Java client's partition
    CHECK(r.value == "{\"id\":" + r.key->substr(6, r.key->size() - 7) + ",\"name\":\"user\"}");
    CHECK(r.headers.at("sluice.op") == "c");
    CHECK(r.headers.at("sluice.position") ==
          "mysql-bin.000003:" + std::to_string(1000 + std::stoi(r.key->substr(6))));
  }
  sink->close();  // aborts the open transaction (a crash leaves it to the next init_transactions)

  auto again = open_sink(o, {}, &resumed);
  REQUIRE(resumed.has_value());
  CHECK(resumed->id == 1);
  CHECK(resumed->position == Position(DatagenPosition{21}));
  CHECK(keys_of(consume_records(broker, "eo.shop.users", 3, true)) == id_keys(1, 21));
  CHECK(consume_records(broker, "eo.shop.users", 3, false).size() == 30);  // the aborted 10 too
  // The offsets topic: one committed record per checkpoint, key = pipeline name.
  const auto offsets = consume_records(broker, "eo.offsets", 1, true);
  REQUIRE(offsets.size() == 1);
  CHECK(offsets[0].key == "eo");
  CHECK(decode_offset(*offsets[0].value, "t")->checkpoint_id == 1);
}

TEST_CASE(
    "exactly-once: acknowledged records are counted as the broker confirms them, before the "
    "commit") {
  TestBrokerBackend broker;
  const KafkaOptions o = options_for(broker, "ack");
  prometheus::Registry registry;
  auto metrics = std::make_shared<KafkaMetrics>(registry, "ack");
  auto sink = open_sink(o, {}, nullptr, metrics);
  REQUIRE(sink->write(inserts(1, 41)));
  // No prepare yet: the delivery thread serves the reports and publishes the count.
  CHECK(eventually([&] { return metrics->records_acknowledged.Value() >= 40; }));
  CHECK(metrics->records_acknowledged.Value() == 40);
  CHECK(metrics->transactions_committed.Value() == 0);
  REQUIRE(sink->prepare(1, DatagenPosition{41}));
  REQUIRE(sink->write(inserts(41, 51)));
  REQUIRE(sink->prepare(2, DatagenPosition{51}));
  CHECK(metrics->records_acknowledged.Value() == 50);  // the two offset records are not counted
  CHECK(metrics->transactions_committed.Value() == 2);
}

TEST_CASE(
    "exactly-once: a crash mid-checkpoint leaves nothing; the next instance resumes from Kafka") {
  TestBrokerBackend broker;
  const KafkaOptions o = options_for(broker, "crash");
  {
    auto sink = open_sink(o, {});
    REQUIRE(sink->write(inserts(1, 6)));
    REQUIRE(sink->prepare(1, DatagenPosition{6}));
    REQUIRE(sink->write(inserts(6, 9)));
    // No close(): the process "dies" with its transaction open. Releasing the sink without
    // close() is not possible through the interface, so the second instance opens while
    // this one still holds it, as after a SIGKILL.
    std::optional<CheckpointRecord> resumed;
    // The state store is one checkpoint behind Kafka (crash between Kafka's commit and the
    // state store's record): Kafka wins.
    auto next = open_sink(o, {}, &resumed);
    REQUIRE(resumed.has_value());
    CHECK(resumed->id == 1);
    CHECK(keys_of(consume_records(broker, "crash.shop.users", 3, true)) == id_keys(1, 6));
    // The first instance was fenced by the second's init_transactions.
    auto st = sink->prepare(2, DatagenPosition{9});
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::fenced);
    CHECK(st.error().message.find("another sluice instance now owns this pipeline") !=
          std::string::npos);
    REQUIRE(next->write(inserts(6, 9)));
    REQUIRE(next->prepare(2, DatagenPosition{9}));
  }
  CHECK(keys_of(consume_records(broker, "crash.shop.users", 3, true)) == id_keys(1, 9));
}

TEST_CASE("exactly-once: a state store ahead of an empty offsets topic is refused") {
  TestBrokerBackend broker;
  const KafkaOptions o = options_for(broker, "lost");
  const CheckpointRecord history[] = {CheckpointRecord{4, DatagenPosition{10}, "", 0}};
  auto sink = KafkaSink::create(o, nullptr);
  REQUIRE(sink);
  auto opened = (*sink)->open(history);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == Errc::malformed);
  CHECK(opened.error().message ==
        "kafka offsets topic 'lost.offsets' holds no committed record for pipeline 'lost' but the "
        "state store "
        "has checkpoint 4: the data this pipeline wrote is gone (another cluster, deleted "
        "topics?). Remove "
        "pipeline.state.dir to start over");
}

TEST_CASE("at-least-once: records are delivered at once; the state store gives the position") {
  TestBrokerBackend broker;
  KafkaOptions o = options_for(broker, "alo");
  o.exactly_once = false;
  auto sink = open_sink(o, {});
  REQUIRE(sink->write(inserts(1, 11)));
  REQUIRE(sink->prepare(1, DatagenPosition{11}));
  CHECK(keys_of(consume_records(broker, "alo.shop.users", 3, true)) == id_keys(1, 11));
  const CheckpointRecord history[] = {CheckpointRecord{1, DatagenPosition{11}, "", 0}};
  std::optional<CheckpointRecord> resumed;
  auto again = open_sink(o, history, &resumed);
  REQUIRE(resumed.has_value());
  CHECK(resumed->position == Position(DatagenPosition{11}));
}

TEST_CASE("at-least-once: an idle source sends what the producer lingers on at once") {
  TestBrokerBackend broker;
  KafkaOptions o = options_for(broker, "idle");
  o.exactly_once = false;
  o.properties["linger.ms"] = "20000";  // without on_idle the records would wait 20 s
  auto sink = open_sink(o, {});
  REQUIRE(sink->write(inserts(1, 11)));
  REQUIRE(sink->on_idle(DatagenPosition{11}));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(keys_of(consume_records(broker, "idle.shop.users", 3, true, std::chrono::seconds(3))) ==
        id_keys(1, 11));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
}

TEST_CASE("at-least-once: a new topic's first records are sent at once, 30 ms from the broker") {
  // The idle flush lasts milliseconds; a record whose topic's partitions were still unknown
  // then (the metadata answer on its way) would wait out linger.ms.
  const int broker_port = cdc::testing::free_port();
  cdc::testing::FaultProxy proxy(broker_port);
  TestBrokerBackend broker("", broker_port, proxy.port());
  KafkaOptions o = options_for(broker, "idlefar");
  o.exactly_once = false;
  o.properties["bootstrap.servers"] = "127.0.0.1:" + std::to_string(proxy.port());
  o.properties["linger.ms"] = "20000";
  auto sink = open_sink(o, {});
  proxy.set_latency(std::chrono::milliseconds(30));
  REQUIRE(sink->write(inserts(1, 11)));
  REQUIRE(sink->on_idle(DatagenPosition{11}));
  CHECK(keys_of(consume_records(broker, "idlefar.shop.users", 3, true, std::chrono::seconds(5))) ==
        id_keys(1, 11));
}

TEST_CASE("a broker that refuses to create a topic stops the sink with its reason") {
  TestBrokerBackend broker;
  KafkaOptions o = options_for(broker, "refused");
  o.topic_replication = 3;  // a single-node broker cannot
  auto sink = KafkaSink::create(o, nullptr);
  REQUIRE(sink);
  auto opened = (*sink)->open({});
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == Errc::invalid_config);
  CHECK(opened.error().message.find(
            "kafka refused to create topic 'refused.offsets' (1 partitions, replication 3)") !=
        std::string::npos);
}

// librdkafka's mock cluster for what the test broker cannot inject: request errors. The mock
// keeps no transactions (README), so these checks read everything (read_uncommitted) and ask
// that nothing is lost; exactly-once itself is shown against the test broker above.
namespace {

constexpr int16_t kProduceApi = 0;  // Kafka ApiKey of Produce

KafkaOptions mock_options(cdc::testing::MockClusterBackend& mock, const std::string& pipeline) {
  mock.create_topic(pipeline + ".shop.users", 3);
  mock.create_topic(pipeline + ".offsets", 1);
  KafkaOptions o = options_for(mock, pipeline);
  o.create_topics = false;  // the mock's CreateTopics never answers (ENVIRONMENT.md gotcha 5)
  return o;
}

std::set<std::string> distinct(const std::vector<std::string>& keys) {
  return {keys.begin(), keys.end()};
}

}  // namespace

TEST_CASE(
    "mock cluster: retriable request errors are retried by the idempotent producer, nothing "
    "repeated") {
  cdc::testing::MockClusterBackend mock;
  const KafkaOptions o = mock_options(mock, "mr");
  auto sink = open_sink(o, {});
  rd_kafka_mock_push_request_errors(
      mock.cluster(), kProduceApi, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
  REQUIRE(sink->write(inserts(1, 41)));
  auto st = sink->prepare(1, DatagenPosition{41});
  REQUIRE_MESSAGE(st, (st ? "" : st.error().message));
  CHECK(keys_of(consume_records(mock, "mr.shop.users", 3, false)) == id_keys(1, 41));  // once each
}

TEST_CASE(
    "mock cluster: an abortable error aborts the transaction; the reopened sink replays the "
    "checkpoint") {
  cdc::testing::MockClusterBackend mock;
  const KafkaOptions o = mock_options(mock, "ma");
  prometheus::Registry registry;
  auto metrics = std::make_shared<KafkaMetrics>(registry, "ma");
  auto sink = open_sink(o, {}, nullptr, metrics);
  REQUIRE(sink->write(inserts(1, 11)));
  REQUIRE(sink->prepare(1, DatagenPosition{11}));

  // A permanent error on a data record: the transaction must be aborted.
  rd_kafka_mock_push_request_errors(mock.cluster(), kProduceApi, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  // The failed delivery surfaces at the next call after its report: write() when the report
  // comes before write() returns (a loaded machine), else prepare(). The runner treats both alike.
  std::optional<Error> failed;
  if (auto wrote = sink->write(inserts(11, 21)); !wrote) {
    failed = wrote.error();
  } else if (auto prepared = sink->prepare(2, DatagenPosition{21}); !prepared) {
    failed = prepared.error();
  }
  REQUIRE(failed.has_value());
  INFO(failed->message);
  CHECK(failed->code == Errc::unavailable);  // retryable: the runner replays
  CHECK(failed->message.find("replaying from the last checkpoint") != std::string::npos);
  CHECK(metrics->transactions_aborted.Value() == 1);
  CHECK(metrics->transactions_committed.Value() == 1);
  sink->close();

  std::optional<CheckpointRecord> resumed;
  auto again = open_sink(o, {}, &resumed);
  REQUIRE(resumed.has_value());
  CHECK(resumed->id == 1);
  CHECK(resumed->position == Position(DatagenPosition{11}));
  REQUIRE(again->write(inserts(11, 21)));
  REQUIRE(again->prepare(2, DatagenPosition{21}));
  CHECK(distinct(keys_of(consume_records(mock, "ma.shop.users", 3, false))) ==
        distinct(id_keys(1, 21)));
}

TEST_CASE(
    "mock cluster: the delivery thread serves reports between calls; a failure surfaces at the "
    "next write") {
  cdc::testing::MockClusterBackend mock;
  KafkaOptions o = mock_options(mock, "md");
  o.exactly_once = false;
  prometheus::Registry registry;
  auto metrics = std::make_shared<KafkaMetrics>(registry, "md");
  auto sink = open_sink(o, {}, nullptr, metrics);
  rd_kafka_mock_push_request_errors(mock.cluster(), kProduceApi, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  REQUIRE(sink->write(inserts(1, 11)));
  // Nobody calls the sink now: only its delivery thread can serve the failed records' reports.
  REQUIRE(eventually([&] { return metrics->delivery_errors.Value() >= 1; }));
  auto next = sink->write(inserts(11, 12));
  REQUIRE_FALSE(next);
  INFO(next.error().message);
  CHECK(next.error().code == Errc::unavailable);
  CHECK(next.error().message.find(
            "kafka could not deliver a record to topic md.shop.users partition ") == 0);
  CHECK(next.error().message.find(
            "Broker: Message size too large; replaying from the last checkpoint") !=
        std::string::npos);
  sink->close();
}

TEST_CASE(
    "issue_13_backpressure: a full producer queue waits for deliveries, and all records arrive") {
  TestBrokerBackend broker;
  KafkaOptions o = options_for(broker, "bp");
  o.properties["queue.buffering.max.messages"] = "16";  // far fewer than one batch's records
  o.properties["linger.ms"] = "0";  // what is timed is the wait for deliveries, not batching
  auto sink = open_sink(o, {});
  const auto start = std::chrono::steady_clock::now();
  for (int64_t from = 1; from < 2001; from += 500) {
    auto written = sink->write(inserts(from, from + 500));
    REQUIRE_MESSAGE(written, (written ? "" : written.error().message));
  }
  auto state = sink->prepare(1, DatagenPosition{2001});
  REQUIRE_MESSAGE(state, (state ? "" : state.error().message));
  MESSAGE(
      "2000 records through a 16-message queue in "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms");
  CHECK(keys_of(consume_records(broker, "bp.shop.users", 3, true)) == id_keys(1, 2001));
}

TEST_CASE(
    "issue_13_backpressure: a queue that stays full fails the write with Errc::timeout after the "
    "operation timeout") {
  TestBrokerBackend broker;
  KafkaOptions o = options_for(broker, "bpt");
  o.exactly_once = false;
  o.operation_timeout = std::chrono::seconds(1);
  o.properties["queue.buffering.max.messages"] = "16";
  auto sink = open_sink(o, {});
  REQUIRE(sink->write(inserts(1, 2)));  // creates the topic while the broker is there
  REQUIRE(sink->prepare(1, DatagenPosition{2}));
  broker.kill();  // nothing is acknowledged any more: the queue never drains
  const auto start = std::chrono::steady_clock::now();
  auto written = sink->write(inserts(2, 102));
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(written);
  INFO(written.error().message);
  CHECK(written.error().code == Errc::timeout);
  CHECK(written.error().message.find("kafka produce to topic 'bpt.shop.users': ") == 0);
  CHECK(waited >= std::chrono::milliseconds(900));
  CHECK(waited < std::chrono::seconds(5));
}
