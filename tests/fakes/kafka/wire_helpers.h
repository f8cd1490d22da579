// Helpers shared by the Broker's request handlers (broker.cpp, broker_txn.cpp): the response
// header and common response shapes. Internal to tests/fakes/kafka.
#pragma once

#include <string>
#include <string_view>

#include "cdc/core/byte_reader.h"
#include "tests/fakes/kafka/kafka_codec.h"
#include "tests/fakes/kafka/request_header.h"

namespace cdc::testing::kafka {

// Response header v0: the correlation id (every version this broker answers is non-flexible,
// and ApiVersions always answers with header v0, KIP-511).
inline Writer response_for(const RequestHeader& h) {
  Writer w;
  w.i32(h.correlation_id);
  return w;
}

// The response of AddOffsetsToTxn and EndTxn: throttle_time_ms, error_code.
inline std::string throttle_and_error(const RequestHeader& h, int16_t error) {
  Writer w = response_for(h);
  w.i32(0);  // throttle_time_ms
  w.i16(error);
  return std::move(w).take();
}

// Most requests carry [topic STRING, [partition ...]] and their responses echo that shape:
// reads it from `r` and writes topic names and counts to `w`; `per_partition(topic, r, w)`
// reads one partition's request fields and writes its response fields. A partition is at
// least `min_partition_size` bytes on the wire.
template <class Fn>
void map_topic_partitions(ByteReader& r, Writer& w, std::string_view api, size_t min_partition_size,
                          Fn per_partition) {
  const int32_t n_topics = read_array_length(r, 6, std::string(api) + " topics");
  w.i32(n_topics);
  for (int32_t t = 0; t < n_topics && r.ok(); ++t) {
    const std::string topic = read_string(r, std::string(api) + " topic name");
    const int32_t n_parts =
        read_array_length(r, min_partition_size, std::string(api) + " partitions");
    w.string(topic);
    w.i32(n_parts);
    for (int32_t p = 0; p < n_parts && r.ok(); ++p) {
      per_partition(topic, r, w);
    }
  }
}

}  // namespace cdc::testing::kafka
