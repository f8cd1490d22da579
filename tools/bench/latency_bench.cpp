// End-to-end latency of a running `sluice run`: MariaDB commit -> record visible at the sink.
// One process holds both ends so that both timestamps come from one steady clock:
//   - the writer inserts rows into bench_lat.t at a steady rate (rows grouped into small
//     transactions) and notes when each COMMIT returned;
//   - the observer watches the sink and notes when each row id first became visible there:
//       file   a new line in the sink's file (inotify wakes it; no busy polling),
//       redis  an entry in the table's stream (XREAD BLOCK),
//       kafka  a record a consumer can read (read_committed under exactly-once, so a record
//              is visible once its transaction commits, as it is for a real consumer).
// Latency = seen - committed, per row; p50/p99/max over the rows of the measuring window
// (the first second is warm-up and not counted). A row seen before its COMMIT returned counts
// as 0. On demand only (tools/bench/latency_bench.sh runs it); never in CI.
//
//   latency_bench --host H --port P --user U --password W --rate 5000 --seconds 60
//                 --rows-per-txn 10 (--file PATH | --redis HOST:PORT:KEY |
//                 --kafka BOOTSTRAP:TOPIC [--read-committed])
#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>
#include <mysql.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNotYet = -1;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "latency_bench: %s\n", what.c_str());
  std::exit(1);
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Args {
  std::string host = "127.0.0.1", user, password;
  unsigned port = 3306;
  int rate = 5000;
  int seconds = 60;
  int rows_per_txn = 10;
  std::string file, redis, kafka;
  bool read_committed = false;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view k = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + std::string(k));
      return argv[++i];
    };
    if (k == "--host")
      a.host = next();
    else if (k == "--port")
      a.port = static_cast<unsigned>(std::stoul(next()));
    else if (k == "--user")
      a.user = next();
    else if (k == "--password")
      a.password = next();
    else if (k == "--rate")
      a.rate = std::stoi(next());
    else if (k == "--seconds")
      a.seconds = std::stoi(next());
    else if (k == "--rows-per-txn")
      a.rows_per_txn = std::stoi(next());
    else if (k == "--file")
      a.file = next();
    else if (k == "--redis")
      a.redis = next();
    else if (k == "--kafka")
      a.kafka = next();
    else if (k == "--read-committed")
      a.read_committed = true;
    else
      die("unknown argument " + std::string(k));
  }
  if (a.rate <= 0 || a.seconds <= 1 || a.rows_per_txn <= 0 || a.seconds > 3600)
    die("bad --rate/--seconds/--rows-per-txn");
  if ((a.file.empty() ? 0 : 1) + (a.redis.empty() ? 0 : 1) + (a.kafka.empty() ? 0 : 1) != 1) {
    die("give exactly one of --file, --redis, --kafka");
  }
  return a;
}

// Per row id (1-based, dense): when its COMMIT returned and when the sink first showed it.
struct Timeline {
  explicit Timeline(size_t rows) : committed(rows + 1), seen(rows + 1) {
    for (auto& c : committed) c.store(kNotYet, std::memory_order_relaxed);
    for (auto& s : seen) s.store(kNotYet, std::memory_order_relaxed);
  }
  void mark_seen(uint64_t id) {
    if (id == 0 || id >= seen.size()) return;
    int64_t expected = kNotYet;
    seen[id].compare_exchange_strong(expected, now_us(), std::memory_order_relaxed);
  }
  std::vector<std::atomic<int64_t>> committed, seen;
};

// Every "id": N in `text` (the row's key or value JSON), marked seen.
void mark_ids(std::string_view text, Timeline& t) {
  for (size_t at = text.find("\"id\":"); at != std::string_view::npos;
       at = text.find("\"id\":", at + 5)) {
    uint64_t id = 0;
    const char* b = text.data() + at + 5;
    const char* e = text.data() + text.size();
    if (auto [p, ec] = std::from_chars(b, e, id); ec == std::errc()) t.mark_seen(id);
  }
}

MYSQL* connect_db(const Args& a) {
  MYSQL* db = mysql_init(nullptr);
  unsigned ssl = 0;  // SSL_MODE_DISABLED is not in Connector/C's headers: ask for no TLS
  mysql_optionsv(db, MYSQL_OPT_SSL_ENFORCE, &ssl);
  if (mysql_real_connect(db, a.host.c_str(), a.user.c_str(), a.password.c_str(), nullptr, a.port,
                         nullptr, 0) == nullptr) {
    die(std::string("connect: ") + mysql_error(db));
  }
  return db;
}

void exec(MYSQL* db, const std::string& sql) {
  if (mysql_real_query(db, sql.data(), sql.size()) != 0)
    die(sql.substr(0, 80) + ": " + mysql_error(db));
}

// Inserts rows 1..n at `rate` rows/s in transactions of `per_txn` rows; notes each COMMIT.
void write_rows(const Args& a, Timeline& t, size_t n) {
  MYSQL* db = connect_db(a);
  exec(db, "SET autocommit=0");
  const auto start = Clock::now();
  const double txn_period_us = 1e6 * a.rows_per_txn / a.rate;
  std::string sql;
  size_t next = 1;
  for (uint64_t txn = 0; next <= n; ++txn) {
    std::this_thread::sleep_until(
        start + std::chrono::microseconds(static_cast<int64_t>(txn * txn_period_us)));
    sql = "INSERT INTO bench_lat.t (id, pad) VALUES ";
    const size_t first = next;
    for (int r = 0; r < a.rows_per_txn && next <= n; ++r, ++next) {
      if (next != first) sql += ',';
      sql += '(';  // piecewise: "(" + std::string trips g++ 12's -Wrestrict (PR 105329)
      sql += std::to_string(next);
      sql += ",'latency-bench-row-padding-0123456789')";
    }
    exec(db, sql);
    exec(db, "COMMIT");
    const int64_t at = now_us();
    for (size_t id = first; id < next; ++id) t.committed[id].store(at, std::memory_order_relaxed);
  }
  mysql_close(db);
}

bool all_seen(const Timeline& t) {
  return t.seen.back().load(std::memory_order_relaxed) != kNotYet;  // rows arrive in order
}

// The file sink appends one record per line: read what was appended whenever inotify says so.
void observe_file(const std::string& path, Timeline& t, const std::atomic<bool>& stop) {
  const int fd = inotify_init1(IN_CLOEXEC);
  if (fd < 0 || inotify_add_watch(fd, path.c_str(), IN_MODIFY) < 0) die("inotify on " + path);
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::string line, partial;
  char events[4096];
  while (!stop.load() && !all_seen(t)) {
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    timeval tv{0, 200'000};  // wake up now and then to see `stop`
    if (select(fd + 1, &set, nullptr, nullptr, &tv) <= 0) continue;
    (void)!read(fd, events, sizeof events);
    in.clear();
    while (std::getline(in, line)) {
      if (in.eof()) {  // a line still being written: keep it for the next wake-up
        partial += line;
        break;
      }
      partial += line;
      mark_ids(partial, t);
      partial.clear();
    }
  }
  close(fd);
}

// The Redis sink in stream mode: XREAD BLOCK on the table's stream.
void observe_redis(const std::string& spec, Timeline& t, const std::atomic<bool>& stop) {
  const size_t c1 = spec.find(':'), c2 = spec.find(':', c1 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos) die("--redis HOST:PORT:KEY");
  const std::string host = spec.substr(0, c1), key = spec.substr(c2 + 1);
  redisContext* r = redisConnect(host.c_str(), std::stoi(spec.substr(c1 + 1, c2 - c1 - 1)));
  if (r == nullptr || r->err) die("redis connect");
  std::string last = "$";
  while (!stop.load() && !all_seen(t)) {
    auto* reply = static_cast<redisReply*>(
        redisCommand(r, "XREAD COUNT 1000 BLOCK 200 STREAMS %s %s", key.c_str(), last.c_str()));
    if (reply == nullptr) die("redis XREAD failed");
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1) {
      const redisReply* entries = reply->element[0]->element[1];
      for (size_t i = 0; i < entries->elements; ++i) {
        const redisReply* e = entries->element[i];
        last.assign(e->element[0]->str, e->element[0]->len);
        const redisReply* fields = e->element[1];
        for (size_t f = 0; f + 1 < fields->elements; f += 2) {
          if (std::string_view(fields->element[f]->str, fields->element[f]->len) == "key") {
            mark_ids(std::string_view(fields->element[f + 1]->str, fields->element[f + 1]->len), t);
          }
        }
      }
    }
    freeReplyObject(reply);
  }
  redisFree(r);
}

// The Kafka sink: a consumer of the table's topic (partition 0, from its start).
void observe_kafka(const std::string& spec, bool read_committed, Timeline& t,
                   const std::atomic<bool>& stop) {
  const size_t cut = spec.rfind(':');
  if (cut == std::string::npos) die("--kafka BOOTSTRAP:TOPIC");
  const std::string bootstrap = spec.substr(0, cut), topic = spec.substr(cut + 1);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::pair<const char*, const char*> settings[] = {
      {"bootstrap.servers", bootstrap.c_str()},
      {"group.id", "latency-bench"},
      {"enable.auto.commit", "false"},
      // Each case has its own topic, created by sluice with the first record: read it from the
      // start, and look for it often (the default metadata refresh is 5 minutes).
      {"auto.offset.reset", "earliest"},
      {"topic.metadata.refresh.interval.ms", "100"},
      {"isolation.level", read_committed ? "read_committed" : "read_uncommitted"},
      {"fetch.wait.max.ms", "5"},  // the consumer's own wait, not sluice's: keep it small
      {"fetch.error.backoff.ms", "5"},
  };
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) die(err);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) die(err);
  rd_kafka_poll_set_consumer(rk);
  // Assigned, not subscribed: no group coordination in the way (the script creates topics
  // with one partition).
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) die("assign " + topic);
  rd_kafka_topic_partition_list_destroy(parts);
  while (!stop.load() && !all_seen(t)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->key != nullptr) {
      mark_ids(std::string_view(static_cast<const char*>(m->key), m->key_len), t);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

double percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i =
      std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[i]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  const size_t rows = static_cast<size_t>(a.rate) * static_cast<size_t>(a.seconds);
  {
    MYSQL* db = connect_db(a);
    exec(db, "CREATE DATABASE IF NOT EXISTS bench_lat");
    exec(db, "DROP TABLE IF EXISTS bench_lat.t");
    exec(db, "CREATE TABLE bench_lat.t (id BIGINT PRIMARY KEY, pad VARCHAR(64) NOT NULL)");
    mysql_close(db);
  }
  Timeline t(rows);
  std::atomic<bool> stop{false};
  std::thread observer([&] {
    if (!a.file.empty())
      observe_file(a.file, t, stop);
    else if (!a.redis.empty())
      observe_redis(a.redis, t, stop);
    else
      observe_kafka(a.kafka, a.read_committed, t, stop);
  });
  // The observer must be watching before the first row: a moment to subscribe / open.
  std::this_thread::sleep_for(std::chrono::seconds(a.kafka.empty() ? 1 : 3));
  const auto started = Clock::now();
  write_rows(a, t, rows);
  const double wrote_s = std::chrono::duration<double>(Clock::now() - started).count();
  // Whatever is not visible 30 s after the last commit counts as lost (and fails the run).
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!all_seen(t) && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop.store(true);
  observer.join();

  std::vector<int64_t> lat;
  size_t missing = 0;
  const size_t warmup = static_cast<size_t>(a.rate);  // the first second
  for (size_t id = 1; id <= rows; ++id) {
    const int64_t c = t.committed[id].load(), s = t.seen[id].load();
    if (s == kNotYet) {
      ++missing;
      continue;
    }
    if (id > warmup) lat.push_back(std::max<int64_t>(0, s - c));
  }
  std::sort(lat.begin(), lat.end());
  std::printf(
      "rows %zu in %.1f s (%.0f rows/s, %d per txn), measured %zu, missing %zu: "
      "p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms\n",
      rows, wrote_s, static_cast<double>(rows) / wrote_s, a.rows_per_txn, lat.size(), missing,
      percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 0.999),
      lat.empty() ? 0.0 : static_cast<double>(lat.back()) / 1000.0);
  return missing == 0 ? 0 : 1;
}
