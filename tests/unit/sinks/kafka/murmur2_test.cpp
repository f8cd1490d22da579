// murmur2 and the partition choice against the Java client's known values: Kafka's own
// UtilsTest.testMurmur2 and the hashes Akka checks against Utils.murmur2; then key by key
// against librdkafka's murmur2_random partitioner, documented as the Java client's.
#include "sinks/kafka/murmur2.h"

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

using cdc::sinks::kafka::murmur2;
using cdc::sinks::kafka::murmur2_partition;

TEST_CASE("murmur2: the Java client's Utils.murmur2 test vectors") {
  const std::vector<std::pair<std::string, int32_t>> cases = {
      // org.apache.kafka.common.utils.UtilsTest#testMurmur2
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
      // akka-cluster-sharding-typed Murmur2Spec ("expected correct hash values from the kafka
      // murmur2 impl", Utils.java)
      {"1", -1993445489},
      {"12", 126087238},
      {"123", -267702483},
      {"1234", -1614185708},
      {"12345", -1188365604},
  };
  for (const auto& [key, expected] : cases) {
    INFO("key " << key);
    CHECK(murmur2(key) == expected);
  }
}

TEST_CASE("murmur2_partition: toPositive(murmur2) % partitions, as the Java client") {
  // -973932308 & 0x7fffffff = 1173551340; % 6 = 0, % 7 = 3.
  CHECK(murmur2_partition("21", 6) == 0);
  CHECK(murmur2_partition("21", 7) == 3);
  // 479470107 % 4 = 3, % 100 = 7.
  CHECK(murmur2_partition("abc", 4) == 3);
  CHECK(murmur2_partition("abc", 100) == 7);
  CHECK(murmur2_partition("", 1) == 0);
}

TEST_CASE("murmur2_partition: same partition as librdkafka's murmur2_random for 2000 keys") {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string key(static_cast<size_t>(rng() % 40), '\0');
    for (char& c : key) c = static_cast<char>(rng() & 0xff);
    const auto partitions = static_cast<int32_t>(1 + rng() % 64);
    const int32_t theirs = rd_kafka_msg_partitioner_murmur2_random(nullptr, key.data(), key.size(),
                                                                   partitions, nullptr, nullptr);
    INFO("key length " << key.size() << ", " << partitions << " partitions");
    REQUIRE(murmur2_partition(key, partitions) == theirs);
  }
}
