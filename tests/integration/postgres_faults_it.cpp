// The PostgreSQL source's faults and lifecycle, end to end: `sluice run` streams to the file sink
// while PostgreSQL is restarted (a clean stop and a crash), another client holds the slot, a
// table is truncated, altered, dropped and re-created, a partitioned table is captured through
// its root, and the connection runs over TLS. Each case asserts the file's exact contents:
// nothing lost, nothing repeated. Restarts and TLS use a PostgreSQL of the test's own
// (PrivatePostgres); the rest use the services' one.
#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/file_lines.h"
#include "tests/support/pg_slot.h"
#include "tests/support/postgres_client.h"
#include "tests/support/private_postgres.h"
#include "tests/support/services_env.h"
#include "tests/support/test_ca.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

// A pipeline file for `source` (a `source:` section) writing `format` lines to DIR/out.jsonl.
std::string pipeline_file(const std::string& dir, const std::string& name,
                          const std::string& source, const std::string& format = "upsert") {
  const std::string path = dir + "/" + name + ".yaml";
  std::ofstream(path) << source << "sink:\n  type: file\n  path: " << dir
                      << "/out.jsonl\n  value.format: " << format << "\npipeline:\n  name: " << name
                      << "\n  state.dir: " << dir
                      << "/state\n  checkpoint.interval: 50ms\n  metrics.port: 0\n"
                         "  restart.initial-backoff: 100ms\n  restart.max-backoff: 400ms\n";
  return path;
}

std::unique_ptr<ChildProcess> start_sluice(const std::string& dir, const std::string& config) {
  return std::make_unique<ChildProcess>(std::vector<std::string>{sluice_binary(), "run", config},
                                        dir + "/stdout.log", dir + "/stderr.log");
}

// The slot exists and a walsender streams it (through `su`, a fresh session each call when the
// server restarts).
bool slot_active(PgSession& su, const std::string& slot) {
  return su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot +
                   "' AND active") == "1";
}

void stop_sluice(ChildProcess& sluice) {
  sluice.signal(SIGTERM);
  REQUIRE(sluice.wait(30s) == 0);
}

// Waits until the file has `n` lines, then a little longer: a repeat would show now.
std::vector<std::string> wait_lines(const std::string& path, size_t n,
                                    std::chrono::seconds limit = 60s) {
  eventually([&] { return file_lines(path).size() >= n; }, limit, 50ms);
  std::this_thread::sleep_for(400ms);
  return file_lines(path);
}

std::vector<long> ids_to(long last) {
  std::vector<long> v;
  for (long i = 1; i <= last; ++i) v.push_back(i);
  return v;
}

// A debezium-json line as "op schema.table before after" with the row images minified.
std::string summary(const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(line);
  const auto image = [&](const char* field) {
    simdjson::dom::element e;
    if (doc[field].get(e) != simdjson::SUCCESS) return std::string("-");
    return simdjson::minify(e);
  };
  return std::string(doc["op"].get_string().value()) + " " +
         std::string(doc["source"]["schema"].get_string().value()) + "." +
         std::string(doc["source"]["table"].get_string().value()) + " " + image("before") + " " +
         image("after");
}

std::vector<std::string> summaries(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(summary(l));
  return out;
}

// Drops the services' slot and publication of a test.
void drop_slot(const std::string& slot) {
  PgSession su(PgSession::As::superuser);
  eventually([&] { return !slot_active(su, slot); }, 10s, 100ms);
  su.run(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      slot + "'");
  su.run("DROP PUBLICATION IF EXISTS sluice_" + slot);
}

// Another client streaming the slot without ever confirming anything, as a forgotten
// pg_recvlogical or a second sluice would.
class SlotHolder {
 public:
  explicit SlotHolder(const std::string& slot) {
    const std::string conninfo =
        "host=" + service_value("SLUICE_PG_HOST") + " port=" + service_value("SLUICE_PG_PORT") +
        " user=" + service_value("SLUICE_PG_USER") +
        " password=" + service_value("SLUICE_PG_PASSWORD") +
        " dbname=" + service_value("SLUICE_PG_DATABASE") + " replication=database";
    conn_ = PQconnectdb(conninfo.c_str());
    REQUIRE_MESSAGE(PQstatus(conn_) == CONNECTION_OK, PQerrorMessage(conn_));
    PGresult* r =
        PQexec(conn_, ("START_REPLICATION SLOT " + slot +
                       " LOGICAL 0/0 (proto_version '1', publication_names 'sluice_" + slot + "')")
                          .c_str());
    const bool copying = PQresultStatus(r) == PGRES_COPY_BOTH;
    PQclear(r);
    REQUIRE_MESSAGE(copying, PQerrorMessage(conn_));
  }
  ~SlotHolder() { PQfinish(conn_); }
  int pid() const { return PQbackendPID(conn_); }

 private:
  PGconn* conn_ = nullptr;
};

// A case on the services' PostgreSQL: its slot dropped before and after, table
// faults_it.<table> created afresh with `columns` (SQL), and a directory of its own.
struct ServicesCase {
  std::string slot;
  std::string table;
  PgSession sql;
  PgSession su{PgSession::As::superuser};
  std::string dir;

  ServicesCase(std::string slot_name, std::string table_name, const std::string& columns)
      : slot(std::move(slot_name)), table(std::move(table_name)) {
    drop_slot(slot);
    sql.run("CREATE SCHEMA IF NOT EXISTS faults_it");
    sql.run("DROP TABLE IF EXISTS faults_it." + table);
    sql.run("CREATE TABLE faults_it." + table + " " + columns);
    dir = make_temp_dir("sluice-pg-" + table + "-it");
  }
  ~ServicesCase() {
    try {
      drop_slot(slot);
      std::filesystem::remove_all(dir);
    } catch (...) {  // ignored because a destructor must not throw; the case failed already
    }
  }
  std::string out() const { return dir + "/out.jsonl"; }
  // The `source:` section capturing the table, with `extra` lines.
  std::string source(const std::string& extra = "") const {
    return postgres_source_yaml(service_value("SLUICE_PG_DATABASE") + "\\.faults_it\\." + table,
                                slot, "  status.interval: 100ms\n" + extra);
  }
  bool active() { return slot_active(su, slot); }
};

}  // namespace

TEST_CASE("postgres faults: PostgreSQL stopped and crashed mid-stream, every row once") {
  const std::string dir = make_temp_dir("sluice-pg-restart-it");
  INFO("dir " << dir);
  std::filesystem::create_directory(dir + "/pg");
  PrivatePostgres pg(dir + "/pg");
  const auto su = [&] {
    return std::make_unique<PgSession>(PgSession::Conninfo{pg.superuser_conninfo()});
  };
  PgSession(PgSession::Conninfo{pg.sluice_conninfo()})
      .run("CREATE TABLE public.t (id bigint PRIMARY KEY, v text NOT NULL)");
  const std::string config = pipeline_file(
      dir, "pg-restart",
      pg.source_yaml(
          "sluice_test\\.public\\.t", "restart_it",
          "  status.interval: 100ms\n  heartbeat.interval: 0s\n  connect.timeout: 5s\n"));
  auto sluice = start_sluice(dir, config);
  REQUIRE(eventually([&] { return slot_active(*su(), "restart_it"); }, 60s, 100ms));

  long next = 1;
  // 100 transactions of 10 rows, as fast as one client commits them.
  const auto burst = [&] {
    PgSession w(PgSession::Conninfo{pg.sluice_conninfo()});
    for (int t = 0; t < 100; ++t, next += 10) {
      w.run("INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(" + std::to_string(next) +
            ", " + std::to_string(next + 9) + ") g");
    }
  };
  for (const bool crash : {false, true, false}) {
    CAPTURE(crash);
    burst();
    pg.stop(crash);  // while sluice streams the burst, or just after
    std::this_thread::sleep_for(1s);
    REQUIRE(sluice->running());  // a lost server is retried, not fatal
    pg.start();
    auto s = su();
    REQUIRE(eventually([&] { return slot_active(*s, "restart_it"); }, 60s, 100ms));
    // Read the slot first: a checkpoint is committed before the slot hears of it.
    const uint64_t confirmed = confirmed_flush_lsn(*s, "restart_it");
    CHECK(confirmed <= newest_checkpoint_lsn(dir + "/state"));
  }
  burst();
  const std::string out = dir + "/out.jsonl";
  const auto lines = wait_lines(out, static_cast<size_t>(next - 1));
  stop_sluice(*sluice);
  CHECK(upsert_ids(out) == ids_to(next - 1));
  CHECK(lines.front() == R"({"key":{"id":1},"value":{"id":1,"v":"v1"}})");
  CHECK(read_file(dir + "/stderr.log").find("restarting") != std::string::npos);
  pg.stop(false);
  std::filesystem::remove_all(dir);
}

TEST_CASE("postgres faults: a slot held by another client is retried, then taken over") {
  ServicesCase c("held_it", "held", "(id bigint PRIMARY KEY, v text NOT NULL)");
  INFO("dir " << c.dir);
  const auto insert = [&](long from, long to) {
    c.sql.run("INSERT INTO faults_it.held SELECT g, 'v' || g FROM generate_series(" +
              std::to_string(from) + ", " + std::to_string(to) + ") g");
  };
  const std::string config = pipeline_file(c.dir, "pg-held", c.source());
  auto sluice = start_sluice(c.dir, config);
  REQUIRE(eventually([&] { return c.active(); }, 30s, 100ms));
  insert(1, 10);
  wait_lines(c.out(), 10);
  stop_sluice(*sluice);

  {
    SlotHolder holder(c.slot);
    insert(11, 20);
    sluice = start_sluice(c.dir, config);
    const std::string active = "is active for PID " + std::to_string(holder.pid());
    // Two refusals at least: the runner retries with backoff instead of giving up.
    REQUIRE(eventually(
        [&] {
          const std::string err = read_file(c.dir + "/stderr.log");
          const size_t first = err.find(active);
          return first != std::string::npos &&
                 err.find(active, first + active.size()) != std::string::npos;
        },
        30s, 100ms));
    CHECK(sluice->running());
    CHECK(file_lines(c.out()).size() == 10);
  }  // the other client goes away
  wait_lines(c.out(), 20);
  stop_sluice(*sluice);

  // slot.takeover: the holder's backend is terminated and sluice streams at once.
  SlotHolder holder(c.slot);
  const int holder_pid = holder.pid();
  insert(21, 30);
  sluice =
      start_sluice(c.dir, pipeline_file(c.dir, "pg-held", c.source("  slot.takeover: true\n")));
  wait_lines(c.out(), 30);
  CHECK(c.su.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                    std::to_string(holder_pid)) == "0");
  CHECK(
      read_file(c.dir + "/stderr.log").find("terminating backend " + std::to_string(holder_pid)) !=
      std::string::npos);
  stop_sluice(*sluice);
  CHECK(upsert_ids(c.out()) == ids_to(30));
}

TEST_CASE("postgres faults: TRUNCATE and ALTER TABLE ADD/DROP COLUMN mid-stream, in order") {
  ServicesCase c("ddl_it", "ddl", "(id bigint PRIMARY KEY, a text)");
  INFO("dir " << c.dir);
  auto sluice = start_sluice(c.dir, pipeline_file(c.dir, "pg-ddl", c.source(), "debezium-json"));
  REQUIRE(eventually([&] { return c.active(); }, 30s, 100ms));
  c.sql.run("INSERT INTO faults_it.ddl VALUES (1, 'x')");
  c.sql.run("ALTER TABLE faults_it.ddl ADD COLUMN b bigint");
  c.sql.run("INSERT INTO faults_it.ddl VALUES (2, 'y', 20)");
  c.sql.run("UPDATE faults_it.ddl SET b = 10 WHERE id = 1");
  c.sql.run("ALTER TABLE faults_it.ddl DROP COLUMN a");
  c.sql.run("INSERT INTO faults_it.ddl VALUES (3, 30)");
  c.sql.run("BEGIN; DELETE FROM faults_it.ddl WHERE id = 2; TRUNCATE faults_it.ddl; COMMIT");
  c.sql.run("INSERT INTO faults_it.ddl VALUES (4, 40)");
  const std::vector<std::string> want = {
      R"(c faults_it.ddl null {"id":1,"a":"x"})",
      R"(c faults_it.ddl null {"id":2,"a":"y","b":20})",
      R"(u faults_it.ddl {"id":1,"a":null,"b":null} {"id":1,"a":"x","b":10})",
      R"(c faults_it.ddl null {"id":3,"b":30})",
      R"(d faults_it.ddl {"id":2,"b":null} null)",
      R"(t faults_it.ddl null null)",
      R"(c faults_it.ddl null {"id":4,"b":40})",
  };
  const auto lines = wait_lines(c.out(), want.size());
  stop_sluice(*sluice);
  CHECK(summaries(lines) == want);
}

TEST_CASE("postgres faults: a table dropped and re-created mid-stream") {
  ServicesCase c("recreate_it", "again", "(id bigint PRIMARY KEY, v text NOT NULL)");
  INFO("dir " << c.dir);
  const std::string config = pipeline_file(c.dir, "pg-recreate", c.source());
  auto sluice = start_sluice(c.dir, config);
  REQUIRE(eventually([&] { return c.active(); }, 30s, 100ms));
  const auto published = [&] {
    return c.su.scalar(
               "SELECT count(*) FROM pg_publication_tables WHERE pubname = "
               "'sluice_recreate_it' AND tablename = 'again'") == "1";
  };
  c.sql.run("INSERT INTO faults_it.again VALUES (1, 'old')");
  wait_lines(c.out(), 1);
  // Re-created empty: the new table (a new OID, in no publication) is added before any row of
  // it is written, so its rows arrive like the old one's.
  c.sql.run("DROP TABLE faults_it.again");
  CHECK_FALSE(published());
  // Without a key it is not added: PostgreSQL would then refuse the application's UPDATEs.
  c.sql.run("CREATE TABLE faults_it.again (id bigint NOT NULL, v text NOT NULL, n int)");
  REQUIRE(eventually(
      [&] {
        return read_file(c.dir + "/stderr.log")
                   .find(
                       "table faults_it.again matches tables but has no primary key or "
                       "REPLICA IDENTITY FULL yet") != std::string::npos;
      },
      20s, 100ms));
  CHECK_FALSE(published());
  c.sql.run("UPDATE faults_it.again SET n = 1");
  c.sql.run("ALTER TABLE faults_it.again ADD PRIMARY KEY (id)");
  REQUIRE(eventually(published, 20s, 100ms));
  c.sql.run("INSERT INTO faults_it.again VALUES (1, 'new', 7), (2, 'two', 8)");
  const auto lines = wait_lines(c.out(), 3);
  CHECK(lines == std::vector<std::string>{
                     R"({"key":{"id":1},"value":{"id":1,"v":"old"}})",
                     R"({"key":{"id":1},"value":{"id":1,"v":"new","n":7}})",
                     R"({"key":{"id":2},"value":{"id":2,"v":"two","n":8}})",
                 });
  CHECK(read_file(c.dir + "/stderr.log").find("was not in publication sluice_recreate_it") !=
        std::string::npos);

  // Re-created and filled at once: those rows are in no stream; sluice stops and says so
  // instead of going on without them.
  c.sql.run(
      "BEGIN; DROP TABLE faults_it.again; CREATE TABLE faults_it.again (id bigint PRIMARY KEY, v "
      "text NOT NULL); INSERT INTO faults_it.again VALUES (3, 'lost'); COMMIT");
  REQUIRE(sluice->wait(30s) == 1);
  CHECK(read_file(c.dir + "/stderr.log")
            .find("faults_it.again match tables but are not in publication sluice_recreate_it and "
                  "already hold rows") != std::string::npos);
  CHECK(file_lines(c.out()).size() == 3);
  // A restart refuses the same way: nothing is skipped in silence.
  sluice = start_sluice(c.dir, config);
  REQUIRE(sluice->wait(60s) == 1);
  CHECK_FALSE(published());
}

TEST_CASE("postgres faults: a partitioned table through publish_via_partition_root") {
  ServicesCase c("parts_it", "measures",
                 "(id bigint, k int, v text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k)");
  INFO("dir " << c.dir);
  c.sql.run(
      "CREATE TABLE faults_it.measures_lo PARTITION OF faults_it.measures FOR VALUES FROM (0) "
      "TO (100)");
  c.sql.run(
      "CREATE TABLE faults_it.measures_hi PARTITION OF faults_it.measures FOR VALUES FROM "
      "(100) TO (200)");

  // Without the option the partitions' rows would be dropped as not captured: refused at start.
  auto refused = start_sluice(c.dir, pipeline_file(c.dir, "pg-parts", c.source()));
  REQUIRE(refused->wait(60s) == 1);
  CHECK(read_file(c.dir + "/stderr.log")
            .find("table faults_it.measures is partitioned and publication sluice_parts_it does "
                  "not publish via the partition root: its rows would arrive under the "
                  "partitions' names, which tables does not capture; set "
                  "publication.publish-via-partition-root: true") != std::string::npos);
  CHECK(c.su.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'parts_it'") ==
        "0");

  auto sluice = start_sluice(
      c.dir,
      pipeline_file(c.dir, "pg-parts", c.source("  publication.publish-via-partition-root: true\n"),
                    "debezium-json"));
  REQUIRE(eventually([&] { return c.active(); }, 30s, 100ms));
  c.sql.run("INSERT INTO faults_it.measures VALUES (1, 5, 'lo'), (2, 150, 'hi')");
  c.sql.run("UPDATE faults_it.measures SET v = 'lo2' WHERE id = 1");
  c.sql.run("UPDATE faults_it.measures SET k = 160 WHERE id = 1");  // to the other partition
  c.sql.run("DELETE FROM faults_it.measures WHERE id = 2");
  const std::vector<std::string> want = {
      R"(c faults_it.measures null {"id":1,"k":5,"v":"lo"})",
      R"(c faults_it.measures null {"id":2,"k":150,"v":"hi"})",
      R"(u faults_it.measures {"id":1,"k":5,"v":null} {"id":1,"k":5,"v":"lo2"})",
      R"(d faults_it.measures {"id":1,"k":5,"v":null} null)",
      R"(c faults_it.measures null {"id":1,"k":160,"v":"lo2"})",
      R"(d faults_it.measures {"id":2,"k":150,"v":null} null)",
  };
  const auto lines = wait_lines(c.out(), want.size());
  stop_sluice(*sluice);
  CHECK(summaries(lines) == want);
}

TEST_CASE("postgres faults: TLS with sslmode require and verify-full against a test CA") {
  const std::string dir = make_temp_dir("sluice-pg-tls-it");
  INFO("dir " << dir);
  make_test_ca(dir, "pg", "IP:127.0.0.1");
  make_test_ca(dir, "other", "IP:127.0.0.1");
  std::filesystem::create_directory(dir + "/pg");
  PrivatePostgres pg(dir + "/pg",
                     PrivatePostgres::Tls{dir + "/pg-server.pem", dir + "/pg-server-key.pem"});
  PgSession(PgSession::Conninfo{pg.sluice_conninfo()})
      .run("CREATE TABLE public.t (id bigint PRIMARY KEY, v text NOT NULL)");
  PgSession su(PgSession::Conninfo{pg.superuser_conninfo()});
  const std::string tables = "sluice_test\\.public\\.t";
  const std::string out = dir + "/out.jsonl";
  long next = 1;
  const auto insert = [&](int n) {
    PgSession(PgSession::Conninfo{pg.sluice_conninfo()})
        .run("INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(" +
             std::to_string(next) + ", " + std::to_string(next + n - 1) + ") g");
    next += n;
  };
  for (const std::string& tls :
       {std::string("  sslmode: require\n"),
        "  sslmode: verify-full\n  sslrootcert: " + dir + "/pg-ca.pem\n"}) {
    CAPTURE(tls);
    auto sluice =
        start_sluice(dir, pipeline_file(dir, "pg-tls", pg.source_yaml(tables, "tls_it", tls)));
    REQUIRE(eventually([&] { return slot_active(su, "tls_it"); }, 60s, 100ms));
    // The server takes TCP over TLS only (hostssl); its walsender says so too.
    CHECK(su.scalar("SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_replication r USING "
                    "(pid)") == "t");
    insert(50);
    wait_lines(out, static_cast<size_t>(next - 1));
    // One row of 200 kB, alone, over TLS: a message many times libpq's 16 kB buffer, read in
    // many records; it arrives whole and at once, not with the walsender's next keepalive (30 s).
    // (PgConnection::wait_readable also takes what OpenSSL holds decrypted before it polls, as
    // MysqlConnection does; this row arrived at once without that too.)
    const auto t0 = std::chrono::steady_clock::now();
    PgSession(PgSession::Conninfo{pg.sluice_conninfo()})
        .run("INSERT INTO public.t SELECT " + std::to_string(next++) +
             ", string_agg(md5(g::text), '') FROM generate_series(1, 6250) g");
    CHECK(eventually([&] { return file_lines(out).size() >= static_cast<size_t>(next - 1); }, 10s,
                     20ms));
    CHECK(file_lines(out).back().find("\"id\":" + std::to_string(next - 1) + "}") !=
          std::string::npos);
    CHECK(file_lines(out).back().size() > 200000);
    MESSAGE("the 200 kB row after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - t0)
                                           .count()
                                    << " ms");
    stop_sluice(*sluice);
  }
  CHECK(upsert_ids(out) == ids_to(next - 1));

  // A server certificate that the configured CA did not sign, or no TLS at all: refused, not
  // retried forever.
  for (const std::string& bad :
       {"  sslmode: verify-full\n  sslrootcert: " + dir + "/other-ca.pem\n",
        std::string("  sslmode: disable\n")}) {
    CAPTURE(bad);
    const size_t err_before = read_file(dir + "/stderr.log").size();
    auto sluice =
        start_sluice(dir, pipeline_file(dir, "pg-tls", pg.source_yaml(tables, "tls_it", bad)));
    REQUIRE(sluice->wait(60s) == 1);
    const std::string err = read_file(dir + "/stderr.log").substr(err_before);
    CHECK((err.find("certificate verify failed") != std::string::npos ||
           err.find("no encryption") != std::string::npos));
  }
  su.run("SELECT pg_drop_replication_slot('tls_it')");
  pg.stop(false);
  std::filesystem::remove_all(dir);
}
