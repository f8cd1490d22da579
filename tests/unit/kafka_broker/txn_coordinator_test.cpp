#include "tests/fakes/kafka/txn_coordinator.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/fakes/kafka/api.h"

using namespace cdc::testing::kafka;
using std::chrono::milliseconds;

namespace {
TxnCoordinator open_coordinator(const std::string& path, Clock::time_point now) {
  auto c = TxnCoordinator::open(path, 60000, now);
  REQUIRE(c);
  return std::move(*c);
}
}  // namespace

TEST_CASE("InitProducerId: a new id, then an epoch bump that fences and aborts (KIP-98)") {
  const auto t0 = Clock::now();
  TxnCoordinator c = open_coordinator("", t0);
  const auto first = c.init_producer_id(std::string("tx"), 10000, t0);
  CHECK(first.error == err::kNone);
  CHECK(first.producer_id == 1000);
  CHECK(first.producer_epoch == 0);
  CHECK_FALSE(first.abort);
  CHECK(c.add_partitions("tx", 1000, 0, {{"t", 0}, {"t", 1}}, t0) == err::kNone);
  CHECK(c.in_transaction("tx", {"t", 1}));

  const auto second = c.init_producer_id(std::string("tx"), 10000, t0);
  CHECK(second.producer_id == 1000);
  CHECK(second.producer_epoch == 1);
  REQUIRE(second.abort);
  CHECK_FALSE(second.abort->commit);
  CHECK(second.abort->producer_epoch == 1);  // markers carry the bumped epoch
  CHECK(second.abort->partitions == std::set<TopicPartition>{{"t", 0}, {"t", 1}});
  CHECK_FALSE(c.in_transaction("tx", {"t", 1}));

  std::optional<TxnCompletion> done;
  CHECK(c.end_txn("tx", 1000, 0, true, done) == err::kInvalidProducerEpoch);  // fenced
  CHECK(c.add_partitions("tx", 1000, 0, {{"t", 0}}, t0) == err::kInvalidProducerEpoch);
  CHECK(c.check("tx", 999, 1) == err::kInvalidProducerIdMapping);
  CHECK(c.check("other", 1000, 1) == err::kInvalidProducerIdMapping);
  CHECK(c.init_producer_id(std::string("tx"), 60001, t0).error == err::kInvalidTransactionTimeout);
  CHECK(c.init_producer_id(std::nullopt, 0, t0).producer_id == 1001);  // idempotent only
}

TEST_CASE("EndTxn: states, retries, and offsets applied on commit only") {
  const auto t0 = Clock::now();
  TxnCoordinator c = open_coordinator("", t0);
  (void)c.init_producer_id(std::string("tx"), 10000, t0);  // producer 1000, epoch 0
  std::optional<TxnCompletion> done;
  CHECK(c.end_txn("tx", 1000, 0, true, done) == err::kInvalidTxnState);  // nothing begun
  CHECK(c.txn_offset_commit("tx", 1000, 0, "g", {"t", 0}, 5) == err::kInvalidTxnState);
  CHECK(c.add_offsets("tx", 1000, 0, "g", t0) == err::kNone);
  CHECK(c.txn_offset_commit("tx", 1000, 0, "g", {"t", 0}, 5) == err::kNone);
  CHECK(c.committed_offsets().empty());
  CHECK(c.end_txn("tx", 1000, 0, true, done) == err::kNone);
  REQUIRE(done);
  CHECK(done->commit);
  CHECK(c.committed_offsets().empty());  // PrepareCommit: the markers are not written yet
  c.finish(*done);
  CHECK(c.committed_offsets().at("g").at({"t", 0}) == 5);
  done.reset();
  CHECK(c.end_txn("tx", 1000, 0, true, done) == err::kNone);  // a retried commit
  CHECK_FALSE(done);
  CHECK(c.end_txn("tx", 1000, 0, false, done) == err::kInvalidTxnState);

  CHECK(c.add_offsets("tx", 1000, 0, "g", t0) == err::kNone);
  CHECK(c.txn_offset_commit("tx", 1000, 0, "g", {"t", 0}, 9) == err::kNone);
  CHECK(c.end_txn("tx", 1000, 0, false, done) == err::kNone);
  c.finish(*done);
  CHECK(c.committed_offsets().at("g").at({"t", 0}) == 5);  // the aborted 9 is dropped
}

TEST_CASE(
    "a restart finds a prepared transaction and finishes it with the same outcome; groups, "
    "pending and committed offsets survive (KIP-98 coordinator failover)") {
  const auto dir = std::filesystem::temp_directory_path() / "sluice-txn-coordinator-prepared";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "transactions.txt").string();
  const auto t0 = Clock::now();
  {
    TxnCoordinator c = open_coordinator(path, t0);
    (void)c.init_producer_id(std::string("tx"), 10000, t0);  // producer 1000, epoch 0
    CHECK(c.add_partitions("tx", 1000, 0, {{"t", 0}, {"t", 1}}, t0) == err::kNone);
    CHECK(c.add_offsets("tx", 1000, 0, "g 1", t0) == err::kNone);
    REQUIRE(c.save());
  }
  {
    // Ongoing across the restart: the group added before it still takes offsets.
    TxnCoordinator c = open_coordinator(path, t0);
    CHECK(c.in_transaction("tx", {"t", 1}));
    CHECK(c.txn_offset_commit("tx", 1000, 0, "g 1", {"t", 0}, 42) == err::kNone);
    std::optional<TxnCompletion> done;
    CHECK(c.end_txn("tx", 1000, 0, true, done) == err::kNone);
    REQUIRE(c.save());  // PrepareCommit on disk; killed before the markers
  }
  {
    TxnCoordinator c = open_coordinator(path, t0);
    const auto prepared = c.prepared();
    REQUIRE(prepared.size() == 1);
    CHECK(prepared[0].commit);
    CHECK(prepared[0].producer_id == 1000);
    CHECK(prepared[0].producer_epoch == 0);
    CHECK(prepared[0].partitions == std::set<TopicPartition>{{"t", 0}, {"t", 1}});
    CHECK(c.committed_offsets().empty());
    c.finish(prepared[0]);
    REQUIRE(c.save());
  }
  TxnCoordinator c = open_coordinator(path, t0);
  CHECK(c.prepared().empty());
  CHECK(c.committed_offsets().at("g 1").at({"t", 0}) == 42);
  std::optional<TxnCompletion> done;
  CHECK(c.end_txn("tx", 1000, 0, true, done) == err::kNone);  // the client's retried EndTxn
  CHECK_FALSE(done);
  std::filesystem::remove_all(dir);
}

TEST_CASE("expiry aborts with a bumped epoch; the state file survives a restart") {
  const auto dir = std::filesystem::temp_directory_path() / "sluice-txn-coordinator-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "transactions.txt").string();
  const auto t0 = Clock::now();
  {
    TxnCoordinator c = open_coordinator(path, t0);
    (void)c.init_producer_id(std::string("a b\n"), 1000, t0);  // ids are hex-encoded on disk
    (void)c.init_producer_id(std::string("late"), 5000, t0);
    CHECK(c.add_partitions("a b\n", 1000, 0, {{"t", 0}}, t0) == err::kNone);
    CHECK(c.add_partitions("late", 1001, 0, {{"t", 1}}, t0) == err::kNone);
    CHECK(c.next_deadline() == t0 + milliseconds(1000));
    CHECK(c.expire(t0 + milliseconds(999)).empty());
    const auto expired = c.expire(t0 + milliseconds(1000));
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].transactional_id == "a b\n");
    CHECK(expired[0].producer_epoch == 1);
    CHECK(c.check("a b\n", 1000, 0) == err::kInvalidProducerEpoch);
    REQUIRE(c.save());
  }
  const auto t1 = t0 + milliseconds(60000);
  TxnCoordinator c = open_coordinator(path, t1);
  CHECK(c.check("a b\n", 1000, 1) == err::kNone);
  CHECK(c.in_transaction("late", {"t", 1}));
  CHECK(c.next_deadline() == t1 + milliseconds(5000));  // an open one gets its timeout again
  CHECK(c.init_producer_id(std::nullopt, 0, t1).producer_id == 1002);

  std::ofstream(path, std::ios::app) << "txn zz 1 0\n";
  const auto bad = TxnCoordinator::open(path, 60000, t1);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == path + ":4: txn zz 1 0");
  std::filesystem::remove_all(dir);
}
