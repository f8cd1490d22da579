#include "tests/fakes/kafka/record_batch.h"

#include <limits>

#include "cdc/core/byte_reader.h"
#include "tests/fakes/kafka/kafka_codec.h"

namespace cdc::testing::kafka {

int32_t RecordBatchHeader::last_sequence() const {
  const int64_t last = static_cast<int64_t>(base_sequence) + last_offset_delta;
  return static_cast<int32_t>(last > std::numeric_limits<int32_t>::max()
                                  ? last - std::numeric_limits<int32_t>::max() - 1
                                  : last);
}

Result<RecordBatchHeader> parse_record_batch(std::span<const std::byte> batch) {
  ByteReader r(batch);
  RecordBatchHeader h;
  h.base_offset = read_i64(r);
  h.batch_length = read_i32(r);
  h.partition_leader_epoch = read_i32(r);
  h.magic = read_i8(r);
  h.crc = r.u32be();
  h.attributes = read_i16(r);
  h.last_offset_delta = read_i32(r);
  h.base_timestamp = read_i64(r);
  h.max_timestamp = read_i64(r);
  h.producer_id = read_i64(r);
  h.producer_epoch = read_i16(r);
  h.base_sequence = read_i32(r);
  h.record_count = read_i32(r);
  if (auto st = r.finish(/*allow_trailing=*/true); !st) {
    return std::move(st).error().with_context("RecordBatch header");
  }
  if (h.magic != 2) {
    return make_error(Errc::unsupported, "RecordBatch magic " + std::to_string(h.magic) +
                                             ": only magic 2 (RecordBatch v2) is stored");
  }
  if (h.batch_length < 0 ||
      static_cast<size_t>(h.batch_length) + kBatchLogOverhead != batch.size()) {
    return make_error(Errc::malformed, "RecordBatch batchLength " + std::to_string(h.batch_length) +
                                           " does not match its " + std::to_string(batch.size()) +
                                           " bytes");
  }
  const uint32_t crc = crc32c(batch.subspan(kAttributesOffset));
  if (crc != h.crc) {
    return make_error(Errc::malformed, "RecordBatch CRC-32C mismatch: stored " +
                                           std::to_string(h.crc) + ", computed " +
                                           std::to_string(crc));
  }
  // Records are at least 7 bytes each (length, attributes, 3 varints, 2 null lengths, headers),
  // and offsets are dense in a batch from an uncompressed producer.
  if (h.record_count <= 0 || h.last_offset_delta < 0 || h.last_offset_delta + 1 < h.record_count) {
    return make_error(Errc::malformed, "RecordBatch has " + std::to_string(h.record_count) +
                                           " records and lastOffsetDelta " +
                                           std::to_string(h.last_offset_delta));
  }
  if (h.compression() == 0 &&
      static_cast<size_t>(h.record_count) > (batch.size() - kBatchHeaderSize) / 7) {
    return make_error(Errc::malformed, "RecordBatch record count " +
                                           std::to_string(h.record_count) + " cannot fit in " +
                                           std::to_string(batch.size() - kBatchHeaderSize) +
                                           " bytes");
  }
  return h;
}

Result<std::vector<std::span<const std::byte>>> split_record_batches(
    std::span<const std::byte> bytes) {
  std::vector<std::span<const std::byte>> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    ByteReader r(bytes.subspan(pos));
    r.skip(kBatchLengthOffset);
    const int32_t len = read_i32(r);
    if (!r.ok() || len < 0 || static_cast<size_t>(len) > r.remaining()) {
      return make_error(Errc::truncated, "partial RecordBatch at byte " + std::to_string(pos) +
                                             " of " + std::to_string(bytes.size()));
    }
    const size_t total = kBatchLogOverhead + static_cast<size_t>(len);
    out.push_back(bytes.subspan(pos, total));
    pos += total;
  }
  return out;
}

void set_base_offset(std::string& batch, int64_t base_offset) {
  Writer w;
  w.i64(base_offset);
  batch.replace(0, 8, w.data());
}

std::string build_control_batch(int64_t base_offset, int64_t producer_id, int16_t producer_epoch,
                                ControlMarker marker, int64_t timestamp_ms) {
  Writer key;
  key.i16(0);                      // control record key version
  key.i16(marker.commit ? 1 : 0);  // type: 0 = ABORT, 1 = COMMIT
  Writer value;
  value.i16(0);  // control record value version
  value.i32(marker.coordinator_epoch);

  Writer record_body;
  record_body.i8(0);       // record attributes (unused)
  record_body.varlong(0);  // timestampDelta
  record_body.varint(0);   // offsetDelta
  record_body.varint(static_cast<int32_t>(key.size()));
  record_body.raw(key.data());
  record_body.varint(static_cast<int32_t>(value.size()));
  record_body.raw(value.data());
  record_body.varint(0);  // headers

  Writer b;
  b.i64(base_offset);
  b.i32(0);            // batchLength, patched below
  b.i32(0);            // partitionLeaderEpoch
  b.i8(2);             // magic
  b.u32(0);            // CRC, patched below
  b.i16(0x10 | 0x20);  // transactional + control
  b.i32(0);            // lastOffsetDelta
  b.i64(timestamp_ms);
  b.i64(timestamp_ms);
  b.i64(producer_id);
  b.i16(producer_epoch);
  b.i32(-1);  // baseSequence: markers carry no sequence
  b.i32(1);   // one record
  b.varint(static_cast<int32_t>(record_body.size()));
  b.raw(record_body.data());
  b.patch_u32(kBatchLengthOffset, static_cast<uint32_t>(b.size() - kBatchLogOverhead));
  std::string out = std::move(b).take();
  const auto* p = reinterpret_cast<const std::byte*>(out.data());
  const uint32_t crc = crc32c(std::span(p + kAttributesOffset, out.size() - kAttributesOffset));
  Writer crc_bytes;
  crc_bytes.u32(crc);
  out.replace(kCrcOffset, 4, crc_bytes.data());
  return out;
}

Result<ControlMarker> parse_control_marker(std::span<const std::byte> batch) {
  if (batch.size() < kBatchHeaderSize) {
    return make_error(Errc::truncated,
                      "control batch of " + std::to_string(batch.size()) + " bytes");
  }
  ByteReader batch_reader(batch.subspan(kBatchHeaderSize));
  const int32_t record_len = read_varint(batch_reader);
  ByteReader r = batch_reader.sub(record_len < 0 ? 0 : static_cast<size_t>(record_len));
  (void)read_i8(r);       // record attributes: unused by the protocol
  (void)read_varlong(r);  // timestampDelta
  (void)read_varint(r);   // offsetDelta
  const int32_t key_len = read_varint(r);
  ByteReader key = r.sub(key_len < 0 ? 0 : static_cast<size_t>(key_len));
  const int16_t key_version = read_i16(key);
  const int16_t type = read_i16(key);
  const int32_t value_len = read_varint(r);
  ByteReader value = r.sub(value_len < 0 ? 0 : static_cast<size_t>(value_len));
  (void)read_i16(value);  // value version: only version 0 exists
  const int32_t coordinator_epoch = read_i32(value);
  if (read_varint(r) != 0) {
    r.mark_malformed("control record with headers");
  }
  for (const auto& [reader, what] :
       {std::pair<const ByteReader*, const char*>{&key, "control record key"},
        {&value, "control record value"},
        {&r, "control record"},
        {&batch_reader, "control batch"}}) {
    if (auto st = reader->finish(); !st) {
      return std::move(st).error().with_context(what);
    }
  }
  if (key_version != 0 || (type != 0 && type != 1)) {
    return make_error(Errc::malformed, "control record key version " + std::to_string(key_version) +
                                           " type " + std::to_string(type));
  }
  return ControlMarker{.commit = type == 1, .coordinator_epoch = coordinator_epoch};
}

}  // namespace cdc::testing::kafka
