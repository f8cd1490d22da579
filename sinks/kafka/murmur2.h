// The Java Kafka client's default partitioner for keyed records: murmur2 (Utils.murmur2, seed
// 0x9747b28c) of the key bytes, made positive with `& 0x7fffffff`, modulo the partition count.
// sluice partitions with it so that a Java producer and sluice put one key on one partition.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace cdc::sinks::kafka {

// Utils.murmur2(byte[]) of the Java client, as a signed 32-bit value.
int32_t murmur2(std::string_view bytes);

// BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % partitions; partitions > 0.
int32_t murmur2_partition(std::string_view key, int32_t partitions);

}  // namespace cdc::sinks::kafka
