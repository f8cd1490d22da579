// Test batches for the Kafka test broker's unit tests: the captured librdkafka batch
// (tests/fixtures/kafka/librdkafka-2.0.2) restamped with another producer id, epoch,
// sequence and transactional flag, its CRC recomputed.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include "tests/fakes/kafka/kafka_codec.h"
#include "tests/fakes/kafka/record_batch.h"

namespace cdc::testing::kafka {

inline std::string load_kcat_batch() {
  std::ifstream in(SLUICE_SOURCE_DIR
                   "/tests/fixtures/kafka/librdkafka-2.0.2/kcat_idempotent_two_records.bin",
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::span<const std::byte> span_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// The fixture's two records from (producer_id, epoch, base_sequence).
inline std::string restamped_batch(int64_t producer_id, int16_t epoch, int32_t base_sequence,
                                   bool transactional) {
  std::string b = load_kcat_batch();
  Writer fields;
  fields.i16(transactional ? 0x10 : 0);  // attributes (uncompressed)
  b.replace(kAttributesOffset, 2, fields.data());
  Writer producer;
  producer.i64(producer_id);
  producer.i16(epoch);
  producer.i32(base_sequence);
  b.replace(43, producer.size(), producer.data());  // producerId, producerEpoch, baseSequence
  Writer crc;
  crc.u32(crc32c(span_of(b).subspan(kAttributesOffset)));
  b.replace(kCrcOffset, 4, crc.data());
  return b;
}

}  // namespace cdc::testing::kafka
