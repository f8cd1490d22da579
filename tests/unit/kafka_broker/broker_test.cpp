#include "tests/fakes/kafka/broker.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <sstream>

#include "cdc/core/byte_reader.h"
#include "tests/fakes/kafka/api.h"
#include "tests/unit/kafka_broker/batch_fixture.h"

using namespace cdc::testing::kafka;

namespace {

// What the brokers of these tests log (a test reads it back; no noise on stderr).
std::ostringstream g_log;

std::unique_ptr<Broker> memory_broker() {
  g_log.str("");
  auto b = Broker::open(BrokerOptions{.port = 9092, .log = &g_log}, Clock::now());
  REQUIRE(b);
  return std::move(*b);
}

std::string request(ApiKey key, int16_t version, const std::function<void(Writer&)>& body) {
  Writer w;
  w.i16(static_cast<int16_t>(key));
  w.i16(version);
  w.i32(42);  // correlation id
  w.string("unit");
  body(w);
  return std::move(w).take();
}

Reply handle(Broker& b, const std::string& req) {
  return b.handle(span_of(req), Clock::now(), true);
}

// Response: correlation id, then `rest` parses the body; the whole response must be read.
void parse_response(const Reply& reply, const std::function<void(cdc::ByteReader&)>& rest) {
  REQUIRE(reply.kind == Reply::Kind::respond);
  cdc::ByteReader r(reply.bytes);
  CHECK(read_i32(r) == 42);
  rest(r);
  CHECK(r.finish());
}

// transactional_id "tx", producer id 1000, epoch 0.
void txn_identity(Writer& w) {
  w.string("tx");
  w.i64(1000);
  w.i16(0);
}

// ListOffsets v2 of partition t-0 at `timestamp` (-1 latest, -2 earliest), read_uncommitted.
void list_offsets_body(Writer& w, int64_t timestamp) {
  w.i32(-1);  // replica_id
  w.i8(0);
  w.i32(1);
  w.string("t");
  w.i32(1);
  w.i32(0);
  w.i64(timestamp);
}

void metadata_for(Writer& w, const char* topic) {
  w.i32(1);
  w.string(topic);
  w.boolean(true);  // allow_auto_topic_creation
}

}  // namespace

TEST_CASE(
    "ApiVersions: the advertised ranges; an unknown version gets UNSUPPORTED_VERSION (KIP-511)") {
  auto b = memory_broker();
  parse_response(handle(*b, request(ApiKey::api_versions, 2, [](Writer&) {})), [](auto& r) {
    CHECK(read_i16(r) == err::kNone);
    CHECK(read_i32(r) == 13);
    r.skip(13 * 6);
    CHECK(read_i32(r) == 0);  // throttle_time_ms (v1+)
  });
  parse_response(handle(*b, request(ApiKey::api_versions, 3, [](Writer& w) { w.uvarint(0); })),
                 [](auto& r) {
                   CHECK(read_i16(r) == err::kUnsupportedVersion);
                   REQUIRE(read_i32(r) == 13);
                   CHECK(read_i16(r) == 0);  // Produce
                   CHECK(read_i16(r) == 3);
                   CHECK(read_i16(r) == 3);
                   r.skip(12 * 6);
                 });
}

TEST_CASE("an unsupported API or version closes the connection") {
  auto b = memory_broker();
  CHECK(handle(*b, request(ApiKey::produce, 9, [](Writer&) {})).kind == Reply::Kind::close);
  CHECK(handle(*b, request(static_cast<ApiKey>(11), 0, [](Writer&) {})).kind == Reply::Kind::close);
  CHECK(g_log.str() ==
        "kafka_test_broker: unsupported request Produce (key 0) v9 from client 'unit': closing the "
        "connection (this test broker does not implement it)\n"
        "kafka_test_broker: unsupported request JoinGroup (key 11) v0 from client 'unit': closing "
        "the connection (this test broker does not implement it)\n");
}

TEST_CASE("Metadata auto-creates; Produce appends the librdkafka batch; Fetch returns it") {
  auto b = memory_broker();
  parse_response(
      handle(*b, request(ApiKey::metadata, 4, [](Writer& w) { metadata_for(w, "t"); })),
      [](auto& r) {
        CHECK(read_i32(r) == 0);  // throttle
        CHECK(read_i32(r) == 1);  // brokers
        CHECK(read_i32(r) == 1);
        CHECK(read_string(r, "host") == "127.0.0.1");
        CHECK(read_i32(r) == 9092);
        CHECK_FALSE(read_nullable_string(r));
        CHECK(read_nullable_string(r) == std::optional<std::string>("sluice-kafka-test-broker"));
        CHECK(read_i32(r) == 1);  // controller
        CHECK(read_i32(r) == 1);  // topics
        CHECK(read_i16(r) == err::kNone);
        CHECK(read_string(r, "name") == "t");
        CHECK_FALSE(read_bool(r));
        CHECK(read_i32(r) == 1);  // partitions
        r.skip(2 + 4 + 4 + 8 + 8);
      });
  const std::string batch = load_kcat_batch();
  const auto produce = [&](Writer& w) {
    w.nullable_string(std::nullopt);
    w.i16(-1);  // acks
    w.i32(1000);
    w.i32(1);
    w.string("t");
    w.i32(1);
    w.i32(0);
    w.bytes(batch);
  };
  const auto check_produce = [&](int64_t base_offset) {
    parse_response(handle(*b, request(ApiKey::produce, 3, produce)), [&](auto& r) {
      CHECK(read_i32(r) == 1);
      CHECK(read_string(r, "topic") == "t");
      CHECK(read_i32(r) == 1);
      CHECK(read_i32(r) == 0);
      CHECK(read_i16(r) == err::kNone);
      CHECK(read_i64(r) == base_offset);
      CHECK(read_i64(r) == -1);
      CHECK(read_i32(r) == 0);
    });
  };
  check_produce(0);
  check_produce(0);  // the same producer id and sequence: a duplicate, not appended

  const auto fetch = [](Writer& w) {
    w.i32(-1);
    w.i32(500);
    w.i32(1);
    w.i32(1 << 20);
    w.i8(1);  // read_committed
    w.i32(1);
    w.string("t");
    w.i32(1);
    w.i32(0);
    w.i64(0);
    w.i32(1 << 20);
  };
  parse_response(handle(*b, request(ApiKey::fetch, 4, fetch)), [&](auto& r) {
    CHECK(read_i32(r) == 0);
    CHECK(read_i32(r) == 1);
    CHECK(read_string(r, "topic") == "t");
    CHECK(read_i32(r) == 1);
    CHECK(read_i32(r) == 0);
    CHECK(read_i16(r) == err::kNone);
    CHECK(read_i64(r) == 2);  // high watermark
    CHECK(read_i64(r) == 2);  // last stable offset
    CHECK(read_i32(r) == 0);  // no aborted transactions
    const auto records = read_nullable_bytes(r);
    REQUIRE(records);
    CHECK(cdc::as_chars(*records) == batch);
  });
}

TEST_CASE("every prefix of every request is refused without a crash") {
  const std::vector<std::string> requests{
      request(ApiKey::metadata, 4, [](Writer& w) { metadata_for(w, "t"); }),
      request(ApiKey::produce, 3,
              [](Writer& w) {
                w.nullable_string(std::string("tx"));
                w.i16(1);
                w.i32(1000);
                w.i32(1);
                w.string("t");
                w.i32(1);
                w.i32(0);
                w.bytes(load_kcat_batch());
              }),
      request(ApiKey::list_offsets, 2, [](Writer& w) { list_offsets_body(w, -2); }),
      request(ApiKey::find_coordinator, 1,
              [](Writer& w) {
                w.string("tx");
                w.i8(1);
              }),
      request(ApiKey::create_topics, 2,
              [](Writer& w) {
                w.i32(1);
                w.string("u");
                w.i32(2);
                w.i16(1);
                w.i32(0);
                w.i32(0);
                w.i32(1000);
                w.boolean(true);
              }),
      request(ApiKey::init_producer_id, 1,
              [](Writer& w) {
                w.nullable_string(std::string("tx"));
                w.i32(60000);
              }),
      request(ApiKey::add_partitions_to_txn, 1,
              [](Writer& w) {
                txn_identity(w);
                w.i32(1);
                w.string("t");
                w.i32(1);
                w.i32(0);
              }),
      request(ApiKey::add_offsets_to_txn, 1,
              [](Writer& w) {
                txn_identity(w);
                w.string("g");
              }),
      request(ApiKey::end_txn, 1,
              [](Writer& w) {
                txn_identity(w);
                w.boolean(true);
              }),
      request(ApiKey::txn_offset_commit, 1,
              [](Writer& w) {
                w.string("tx");
                w.string("g");
                w.i64(1000);
                w.i16(0);
                w.i32(1);
                w.string("t");
                w.i32(1);
                w.i32(0);
                w.i64(5);
                w.nullable_string(std::nullopt);
              }),
  };
  auto b = memory_broker();
  for (const std::string& req : requests) {
    for (size_t n = 0; n < req.size(); ++n) {
      CHECK(b->handle(span_of(req).first(n), Clock::now(), true).kind == Reply::Kind::close);
    }
    CHECK(handle(*b, req).kind == Reply::Kind::respond);
  }
}

TEST_CASE("a Produce request cut short appends nothing, not even its whole first partition") {
  auto b = memory_broker();
  REQUIRE(handle(*b, request(ApiKey::metadata, 4, [](Writer& w) { metadata_for(w, "t"); })).kind ==
          Reply::Kind::respond);
  const std::string batch = load_kcat_batch();
  const std::string req = request(ApiKey::produce, 3, [&](Writer& w) {
    w.nullable_string(std::nullopt);
    w.i16(1);
    w.i32(1000);
    w.i32(1);
    w.string("t");
    w.i32(2);  // partition 0 complete, partition 1 cut off below
    w.i32(0);
    w.bytes(batch);
    w.i32(1);
    w.bytes(batch);
  });
  CHECK(b->handle(span_of(req).first(req.size() - 10), Clock::now(), true).kind ==
        Reply::Kind::close);
  const auto latest = [](Writer& w) { list_offsets_body(w, -1); };
  parse_response(handle(*b, request(ApiKey::list_offsets, 2, latest)), [](auto& r) {
    r.skip(4 + 4 + 2 + 1 + 4 + 4 + 2 + 8);  // throttle, topics, "t", partitions, index, error, ts
    CHECK(read_i64(r) == 0);
  });
}

TEST_CASE(
    "a broker killed between the markers of a commit writes the missing ones at its restart: "
    "never half committed") {
  const auto dir = std::filesystem::temp_directory_path() / "sluice-broker-prepared-commit";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "topics" / "t");
  const auto partition_file = [&](int i) {
    return (dir / "topics" / "t" / (std::to_string(i) + ".log")).string();
  };
  const auto t0 = Clock::now();
  {
    // Producer 1000 wrote to partitions 0 and 1 in one transaction; the broker died after the
    // COMMIT marker of partition 0, before that of partition 1.
    auto c = TxnCoordinator::open((dir / "transactions.txt").string(), 60000, t0);
    REQUIRE(c);
    (void)c->init_producer_id(std::string("tx"), 10000, t0);
    CHECK(c->add_partitions("tx", 1000, 0, {{"t", 0}, {"t", 1}}, t0) == err::kNone);
    std::optional<TxnCompletion> done;
    CHECK(c->end_txn("tx", 1000, 0, true, done) == err::kNone);
    REQUIRE(c->save());
    for (int i = 0; i < 2; ++i) {
      std::ostringstream diagnostics;
      auto log = PartitionLog::open("t-" + std::to_string(i), partition_file(i), diagnostics);
      REQUIRE(log);
      const std::string batch = restamped_batch(1000, 0, 0, true);
      auto h = parse_record_batch(span_of(batch));
      REQUIRE(h);
      REQUIRE((*log)->append(batch, *h));
      if (i == 0) REQUIRE((*log)->write_marker(1000, 0, {.commit = true}, 0));
    }
  }
  g_log.str("");
  {
    auto b = Broker::open(BrokerOptions{.data_dir = dir.string(), .log = &g_log}, t0);
    REQUIRE(b);
  }
  CHECK(g_log.str().find("completing a transaction of 'tx' prepared before the restart") !=
        std::string::npos);
  for (int i = 0; i < 2; ++i) {
    std::ostringstream diagnostics;
    auto log = PartitionLog::open("t-" + std::to_string(i), partition_file(i), diagnostics);
    REQUIRE(log);
    INFO("partition " << i);
    CHECK((*log)->last_stable_offset() == (*log)->high_watermark());  // committed, readable
    CHECK((*log)->read(0, 1 << 20, (*log)->high_watermark(), true).aborted.empty());
  }
  std::filesystem::remove_all(dir);
}
