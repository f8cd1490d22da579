// RecordBatch v2 (magic 2), the only log format this broker stores (KIP-98 "Message format";
// protocol guide "Record Batch"). Batches are stored exactly as the producer sent them; only
// baseOffset is rewritten, which the CRC-32C does not cover (it spans attributes..end), so
// the producer's CRC stays valid. Control batches (COMMIT/ABORT markers) are built here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::testing::kafka {

// Byte offsets of the fixed fields (protocol guide, "Record Batch").
constexpr size_t kBatchLengthOffset = 8;
constexpr size_t kMagicOffset = 16;
constexpr size_t kCrcOffset = 17;
constexpr size_t kAttributesOffset = 21;  // the CRC covers from here to the end
constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kBatchLogOverhead =
    12;  // baseOffset + batchLength precede what batchLength counts

struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int compression() const { return attributes & 0x07; }
  bool transactional() const { return (attributes & 0x10) != 0; }
  bool control() const { return (attributes & 0x20) != 0; }
  // The last sequence number of the batch; sequences wrap from INT32_MAX to 0 (KIP-98).
  int32_t last_sequence() const;
};

// Parses and verifies one complete batch: magic 2, batchLength equal to the bytes given,
// a valid CRC-32C and a consistent record count. Records are not decoded.
Result<RecordBatchHeader> parse_record_batch(std::span<const std::byte> batch);

// Splits a concatenation of batches (a log file, a Produce records field) at batchLength.
// A trailing partial batch is an Errc::truncated error carrying where it starts.
Result<std::vector<std::span<const std::byte>>> split_record_batches(
    std::span<const std::byte> bytes);

// Rewrites baseOffset in place (the broker assigns offsets; the CRC is unaffected).
void set_base_offset(std::string& batch, int64_t base_offset);

// A COMMIT or ABORT control batch of one control record (KIP-98 "Control messages"):
// key = {version 0, type 0 abort / 1 commit}, value = {version 0, coordinator_epoch}.
struct ControlMarker {
  bool commit = false;
  int32_t coordinator_epoch = 0;
};
std::string build_control_batch(int64_t base_offset, int64_t producer_id, int16_t producer_epoch,
                                ControlMarker marker, int64_t timestamp_ms);
// Decodes the marker of a control batch (verified by parse_record_batch first).
Result<ControlMarker> parse_control_marker(std::span<const std::byte> batch);

}  // namespace cdc::testing::kafka
