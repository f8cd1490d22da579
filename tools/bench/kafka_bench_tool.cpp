// Helpers of tools/bench/mariadb_kafka_bench.sh (on demand, never in CI):
//   kafka_bench_tool mock <bootstrap-file> <topic>:<partitions>...
//       runs a librdkafka mock cluster with those topics (its CreateTopics never answers) and
//       writes its bootstrap address to the file; runs until killed.
//   kafka_bench_tool produce <bootstrap> <topic> <count> <key-bytes> <value-bytes>
//   [<header>:<bytes>...]
//       the plain producer peer: idempotent librdkafka producer, the same linger as sluice's
//       default, keyed records, each with those headers (sluice's `headers: true` adds two);
//       prints "<seconds> <records> <bytes> <cpu-seconds>" from the first send to the last
//       delivery report (CPU: the whole process, user + system, librdkafka's threads too).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "kafka_bench_tool: %s\n", what.c_str());
  return 2;
}

rd_kafka_t* make_producer(const std::string& bootstrap, std::string& error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [k, v] : {std::pair<std::string, std::string>{"bootstrap.servers", bootstrap},
                             {"enable.idempotence", "true"},
                             {"linger.ms", "5"}}) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      error = errstr;
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) error = errstr;
  return rk;
}

int mock(int argc, char** argv) {
  std::string error;
  rd_kafka_t* owner = make_producer("", error);
  if (owner == nullptr) return fail(error);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner, 1);
  if (cluster == nullptr) return fail("no mock cluster");
  for (int i = 3; i < argc; ++i) {
    const std::string spec = argv[i];
    const auto colon = spec.rfind(':');
    if (colon == std::string::npos) return fail("expected <topic>:<partitions>, found " + spec);
    if (rd_kafka_mock_topic_create(cluster, spec.substr(0, colon).c_str(),
                                   std::atoi(spec.c_str() + colon + 1),
                                   1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return fail("cannot create " + spec);
    }
  }
  std::ofstream(argv[2]) << rd_kafka_mock_cluster_bootstraps(cluster) << "\n";
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

int produce(int argc, char** argv) {
  const std::string bootstrap = argv[2], topic = argv[3];
  const long count = std::atol(argv[4]);
  const size_t key_bytes = std::strtoul(argv[5], nullptr, 10),
               value_bytes = std::strtoul(argv[6], nullptr, 10);
  std::string error;
  rd_kafka_t* rk = make_producer(bootstrap, error);
  if (rk == nullptr) return fail(error);
  std::string key(key_bytes, 'k'), value(value_bytes, 'v');
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  for (int i = 7; i < argc; ++i) {
    const std::string spec = argv[i];
    const auto colon = spec.rfind(':');
    if (colon == std::string::npos) return fail("expected <header>:<bytes>, found " + spec);
    headers.emplace_back(spec.substr(0, colon),
                         std::string(std::strtoul(spec.c_str() + colon + 1, nullptr, 10), 'h'));
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    key.replace(key.size() - std::min(key.size(), n.size()), std::min(key.size(), n.size()), n);
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& [name, v] : headers) {
        rd_kafka_header_add(hdrs, name.c_str(), -1, v.data(), static_cast<ssize_t>(v.size()));
      }
    }
    while (true) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // the headers belong to the message now
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return fail(rd_kafka_err2str(err));
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) return fail("flush timed out");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("%.6f %ld %zu %.3f\n", secs, count,
              static_cast<size_t>(count) * (key_bytes + value_bytes), cpu);
  rd_kafka_destroy(rk);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "mock") return mock(argc, argv);
  if (argc >= 7 && std::string(argv[1]) == "produce") return produce(argc, argv);
  return fail(
      "usage: kafka_bench_tool mock <bootstrap-file> <topic>:<partitions>... | "
      "produce <bootstrap> <topic> <count> <key-bytes> <value-bytes> [<header>:<bytes>...]");
}
