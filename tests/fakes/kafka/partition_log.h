// PartitionLog: one topic-partition of the test broker: the batches in offset order, the
// per-producer idempotence and transaction state (KIP-98), the aborted-transaction index,
// and optionally a file that every appended batch is written to. Owned by the Broker;
// single-threaded.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "tests/fakes/kafka/record_batch.h"

namespace cdc::testing::kafka {

struct AbortedTxn {
  int64_t producer_id = 0;
  int64_t first_offset = 0;  // first offset the transaction wrote to this partition
  int64_t last_offset = 0;   // offset of its ABORT marker
};

struct FetchedData {
  std::string records;  // whole batches, concatenated as stored
  std::vector<AbortedTxn> aborted;
};

class PartitionLog {
 public:
  // `file_path` empty: in memory only. Otherwise the file is read back (a trailing partial
  // batch, from a broker killed mid-write, is cut off with a line on `log`) and appended to.
  static Result<std::unique_ptr<PartitionLog>> open(std::string name, std::string file_path,
                                                    std::ostream& log);

  struct AppendResult {
    int16_t error = 0;
    int64_t base_offset = -1;
  };
  // Appends one producer batch (already verified by parse_record_batch), applying the
  // idempotence checks of KIP-98 "Idempotent producer" when it carries a producer id.
  Result<AppendResult> append(std::string batch, const RecordBatchHeader& h);
  // Writes a COMMIT/ABORT marker for `producer_id` and closes its transaction here.
  Result<int64_t> write_marker(int64_t producer_id, int16_t producer_epoch, ControlMarker marker,
                               int64_t timestamp_ms);

  int64_t log_start_offset() const { return 0; }
  int64_t high_watermark() const { return next_offset_; }
  // The first offset of the earliest open transaction, else the high watermark (KIP-98
  // "Last stable offset"): read_committed consumers never read at or past it.
  int64_t last_stable_offset() const;
  bool has_open_txn(int64_t producer_id) const;
  // Whole batches from the one holding `offset` up to (not including) `limit`, at least one
  // batch and then no more than `max_bytes` (KIP-74). The aborted transactions overlapping
  // the returned range are listed for read_committed (KIP-98 "Fetch").
  FetchedData read(int64_t offset, int32_t max_bytes, int64_t limit, bool with_aborted) const;

 private:
  struct RecentBatch {
    int32_t first_seq;
    int32_t last_seq;
    int64_t base_offset;
  };
  struct ProducerState {
    int16_t epoch = -1;
    int32_t last_seq = -1;
    std::deque<RecentBatch> recent;  // the last kMaxRecent batches, for duplicate detection
    std::optional<int64_t> txn_first_offset;
  };
  struct Stored {
    int64_t base_offset;
    int64_t last_offset;
    std::string bytes;
  };
  // Kafka keeps the metadata of the last 5 batches per producer: a retried batch older than
  // that is OUT_OF_ORDER (max.in.flight <= 5 for idempotence).
  static constexpr size_t kMaxRecent = 5;

  PartitionLog(std::string name, std::string file_path);
  // Updates producer state and indexes for a batch at its final offset (append and recovery).
  void apply(const RecordBatchHeader& h, int64_t base_offset,
             const std::optional<ControlMarker>& marker);
  Status store(std::string bytes, int64_t base_offset, int64_t last_offset);

  std::string name_;
  std::string file_path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, &std::fclose};
  std::vector<Stored> batches_;
  int64_t next_offset_ = 0;
  std::map<int64_t, ProducerState> producers_;
  std::vector<AbortedTxn> aborted_;  // in marker order, so sorted by last_offset
};

}  // namespace cdc::testing::kafka
