#include "tests/fakes/kafka/partition_log.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "tests/fakes/kafka/api.h"
#include "tests/unit/kafka_broker/batch_fixture.h"

using namespace cdc::testing::kafka;

namespace {
PartitionLog::AppendResult append(PartitionLog& log, const std::string& batch) {
  auto h = parse_record_batch(span_of(batch));
  REQUIRE(h);
  auto r = log.append(batch, *h);
  REQUIRE(r);
  return *r;
}
std::unique_ptr<PartitionLog> memory_log() {
  std::ostringstream diagnostics;
  auto log = PartitionLog::open("t-0", "", diagnostics);
  REQUIRE(log);
  return std::move(*log);
}
}  // namespace

TEST_CASE("idempotence: duplicates are acknowledged at their first offset, gaps refused") {
  auto log = memory_log();
  CHECK(append(*log, restamped_batch(7, 0, 0, false)).base_offset == 0);
  const auto dup = append(*log, restamped_batch(7, 0, 0, false));
  CHECK(dup.error == err::kNone);
  CHECK(dup.base_offset == 0);
  CHECK(log->high_watermark() == 2);
  CHECK(append(*log, restamped_batch(7, 0, 3, false)).error == err::kOutOfOrderSequenceNumber);
  CHECK(append(*log, restamped_batch(7, 0, 2, false)).base_offset == 2);
  CHECK(append(*log, restamped_batch(8, 0, 5, false)).error == err::kOutOfOrderSequenceNumber);
  // A bumped epoch starts again at sequence 0; the old epoch is fenced from then on.
  CHECK(append(*log, restamped_batch(7, 1, 4, false)).error == err::kOutOfOrderSequenceNumber);
  CHECK(append(*log, restamped_batch(7, 1, 0, false)).base_offset == 4);
  CHECK(append(*log, restamped_batch(7, 0, 4, false)).error == err::kInvalidProducerEpoch);
  CHECK(log->high_watermark() == 6);
}

TEST_CASE("transactions: LSO, markers and the aborted-transaction index") {
  auto log = memory_log();
  CHECK(append(*log, restamped_batch(7, 0, 0, true)).base_offset == 0);  // txn A: 0..1
  CHECK(append(*log, restamped_batch(8, 0, 0, true)).base_offset == 2);  // txn B: 2..3
  CHECK(log->last_stable_offset() == 0);
  CHECK(log->has_open_txn(7));
  REQUIRE(log->write_marker(7, 0, {.commit = false}, 0));  // ABORT A at 4
  CHECK(log->last_stable_offset() == 2);
  // A non-transactional batch from a producer with an open transaction is refused.
  CHECK(append(*log, restamped_batch(8, 0, 2, false)).error == err::kInvalidTxnState);
  REQUIRE(log->write_marker(8, 0, {.commit = true}, 0));  // COMMIT B at 5
  CHECK(log->last_stable_offset() == 6);
  CHECK(log->high_watermark() == 6);

  const FetchedData all = log->read(0, 1 << 20, log->last_stable_offset(), true);
  REQUIRE(all.aborted.size() == 1);
  CHECK(all.aborted[0].producer_id == 7);
  CHECK(all.aborted[0].first_offset == 0);
  CHECK(all.aborted[0].last_offset == 4);
  CHECK(all.records.size() == 91 * 2 + 2 * build_control_batch(0, 0, 0, {}, 0).size());
  CHECK(log->read(5, 1 << 20, 6, true).aborted.empty());  // past A's marker
  // At least one batch even over max_bytes (KIP-74), then no more.
  CHECK(log->read(0, 1, 6, false).records.size() == 91);
  CHECK(log->read(0, 1 << 20, 2, false).records.size() == 91);  // the limit (LSO) stops reads
}

TEST_CASE("on disk: a reopened log has the same offsets, producers and open transactions") {
  const auto dir = std::filesystem::temp_directory_path() / "sluice-partition-log-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "0.log").string();
  {
    std::ostringstream diagnostics;
    auto log = PartitionLog::open("t-0", file, diagnostics);
    REQUIRE(log);
    CHECK(append(**log, restamped_batch(7, 0, 0, true)).base_offset == 0);
    REQUIRE((*log)->write_marker(7, 0, {.commit = false}, 0));
    CHECK(append(**log, restamped_batch(7, 0, 2, true)).base_offset == 3);
  }
  // A crash mid-write leaves a partial batch: recovery cuts it off.
  const std::string partial = restamped_batch(9, 0, 0, false).substr(0, 30);
  std::ofstream(file, std::ios::app | std::ios::binary) << partial;
  std::ostringstream diagnostics;
  auto log = PartitionLog::open("t-0", file, diagnostics);
  REQUIRE(log);
  CHECK(diagnostics.str() == "kafka_test_broker: " + file +
                                 ": cutting off a partial batch at byte 260 of 290 (broker "
                                 "stopped mid-write)\n");
  CHECK((*log)->high_watermark() == 5);
  CHECK((*log)->last_stable_offset() == 3);
  CHECK(std::filesystem::file_size(file) == 91 * 2 + build_control_batch(0, 0, 0, {}, 0).size());
  CHECK(append(**log, restamped_batch(7, 0, 2, true)).base_offset == 3);  // a duplicate still
  CHECK(append(**log, restamped_batch(7, 0, 4, true)).base_offset == 5);
  REQUIRE((*log)->read(0, 1 << 20, 3, true).aborted.size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("on disk: a corrupt batch is an error naming the file and byte") {
  const auto dir = std::filesystem::temp_directory_path() / "sluice-partition-log-corrupt";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "0.log").string();
  std::string b = load_kcat_batch() + load_kcat_batch();
  b[91 + 70] ^= 0x40;
  std::ofstream(file, std::ios::binary) << b;
  std::ostringstream diagnostics;
  const auto log = PartitionLog::open("t-0", file, diagnostics);
  REQUIRE_FALSE(log);
  CHECK(log.error().message.find(file + " at byte 91: RecordBatch CRC-32C mismatch") == 0);
  std::filesystem::remove_all(dir);
}
