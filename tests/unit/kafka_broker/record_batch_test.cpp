#include "tests/fakes/kafka/record_batch.h"

#include <doctest/doctest.h>

#include "tests/unit/kafka_broker/batch_fixture.h"

using cdc::Errc;
using namespace cdc::testing::kafka;

TEST_CASE("parse_record_batch: the batch librdkafka 2.0.2 produced") {
  const std::string b = load_kcat_batch();
  REQUIRE(b.size() == 91);
  const auto h = parse_record_batch(span_of(b));
  REQUIRE(h);
  CHECK(h->base_offset == 0);
  CHECK(h->batch_length == 79);
  CHECK(h->magic == 2);
  CHECK(h->record_count == 2);
  CHECK(h->last_offset_delta == 1);
  CHECK(h->producer_id == 1000);
  CHECK(h->producer_epoch == 0);
  CHECK(h->base_sequence == 0);
  CHECK(h->last_sequence() == 1);
  CHECK_FALSE(h->transactional());
  CHECK_FALSE(h->control());
  CHECK(h->compression() == 0);
}

TEST_CASE("set_base_offset keeps the CRC valid: it does not cover baseOffset") {
  std::string b = load_kcat_batch();
  set_base_offset(b, 0x0102030405060708);
  const auto h = parse_record_batch(span_of(b));
  REQUIRE(h);
  CHECK(h->base_offset == 0x0102030405060708);
}

TEST_CASE("parse_record_batch: a flipped byte anywhere under the CRC is an error") {
  const std::string good = load_kcat_batch();
  for (size_t i = kAttributesOffset; i < good.size(); ++i) {
    std::string b = good;
    b[i] = static_cast<char>(b[i] ^ 0x01);
    const auto h = parse_record_batch(span_of(b));
    REQUIRE_FALSE(h);
    CHECK(h.error().message.find("CRC-32C mismatch") != std::string::npos);
  }
}

TEST_CASE("parse_record_batch: no prefix of a batch parses") {
  const std::string b = load_kcat_batch();
  for (size_t n = 0; n < b.size(); ++n) {
    const auto h = parse_record_batch(span_of(b).first(n));
    REQUIRE_FALSE(h);
    CHECK((h.error().code == Errc::truncated || h.error().code == Errc::malformed));
  }
  std::string magic1 = b;
  magic1[kMagicOffset] = 1;
  CHECK(parse_record_batch(span_of(magic1)).error().code == Errc::unsupported);
}

TEST_CASE("split_record_batches: whole batches, and where a partial one starts") {
  const std::string two = load_kcat_batch() + load_kcat_batch();
  const auto parts = split_record_batches(span_of(two));
  REQUIRE(parts);
  REQUIRE(parts->size() == 2);
  CHECK(parts->at(0).size() == 91);
  CHECK(parts->at(1).size() == 91);
  const auto partial = split_record_batches(span_of(two).first(150));
  REQUIRE_FALSE(partial);
  CHECK(partial.error().code == Errc::truncated);
  CHECK(partial.error().message == "partial RecordBatch at byte 91 of 150");
  CHECK(split_record_batches(span_of(two).first(0))->empty());
}

TEST_CASE("control batches: COMMIT and ABORT markers round trip") {
  for (bool commit : {true, false}) {
    const std::string b =
        build_control_batch(17, 1000, 3, {.commit = commit, .coordinator_epoch = 9}, 1234);
    const auto h = parse_record_batch(span_of(b));
    REQUIRE(h);
    CHECK(h->base_offset == 17);
    CHECK(h->control());
    CHECK(h->transactional());
    CHECK(h->producer_id == 1000);
    CHECK(h->producer_epoch == 3);
    CHECK(h->base_sequence == -1);
    CHECK(h->record_count == 1);
    CHECK(h->base_timestamp == 1234);
    const auto m = parse_control_marker(span_of(b));
    REQUIRE(m);
    CHECK(m->commit == commit);
    CHECK(m->coordinator_epoch == 9);
  }
  const std::string b = build_control_batch(0, 1, 0, {.commit = true}, 0);
  for (size_t n = 0; n < b.size(); ++n) {
    CHECK_FALSE(parse_control_marker(span_of(b).first(n)));
  }
}
