// The real Prometheus (started by tools/services.sh) scrapes a running sluice and finds its
// sluice_* series labelled with the pipeline; /healthz and /readyz answer as documented; and
// it scrapes a snapshot's progress while the snapshot is held in the middle (a table locked).

#include <doctest/doctest.h>

#include <signal.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

// Prometheus may read the file while it is written: replace it atomically.
void write_targets(const std::string& path, const std::string& json) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << json;
  REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

// The value Prometheus holds for `query` (one series), or nullopt.
std::optional<double> prometheus_value(simdjson::dom::parser& parser, const std::string& query) {
  auto [status, text] = http_request(service_value("SLUICE_PROMETHEUS_URL") +
                                     "/api/v1/query?query=" + url_encode(query));
  if (status != 200) return std::nullopt;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc)) return std::nullopt;
  simdjson::dom::array result;
  if (doc["data"]["result"].get_array().get(result) || result.size() != 1) return std::nullopt;
  std::string_view value;
  if (result.at(0)["value"].at(1).get_string().get(value)) return std::nullopt;
  return std::stod(std::string(value));
}

// Waits (bounded) until Prometheus has scraped every series of `want` at its value.
void wait_scraped(const std::map<std::string, double>& want, const std::string& when) {
  simdjson::dom::parser parser;
  std::map<std::string, std::optional<double>> seen;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const auto& [query, value] : want) {
      seen[query] = prometheus_value(parser, query);
      all = all && seen[query] == value;
    }
    if (all) return;
    std::this_thread::sleep_for(500ms);
  }
  for (const auto& [query, value] : want) {
    INFO(when << ": " << query << " = " << (seen[query] ? std::to_string(*seen[query]) : "none"));
    CHECK(seen[query] == value);
  }
}

}  // namespace

TEST_CASE("Prometheus scrapes sluice_* series labelled with the pipeline") {
  const std::string prometheus = service_value("SLUICE_PROMETHEUS_URL");
  const std::string targets = service_value("SLUICE_PROMETHEUS_TARGETS_FILE");
  const std::string dir = make_temp_dir("sluice-prom-it");
  const int port = free_port();
  {
    std::ofstream(dir + "/pipeline.yaml")
        << "source:\n"
           "  type: datagen\n"
           "  table: metrics_demo\n"
           "  rows-per-second: 200\n"
           "  columns: [{name: id, type: bigint, kind: sequence, primary-key: true}]\n"
           "sink:\n"
           "  type: null\n"
           "pipeline:\n"
           "  name: prom-it\n"
           "  state.dir: "
        << dir
        << "/state\n"
           "  checkpoint.interval: 200ms\n"
           "  metrics.port: "
        << port << "\n";
  }
  ChildProcess sluice({sluice_binary(), "run", dir + "/pipeline.yaml"}, dir + "/stdout.log",
                      dir + "/stderr.log");
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  // Ready once streaming; healthy as soon as the endpoint serves.
  long ready = 0;
  for (int i = 0; i < 100 && ready != 200; ++i) {
    std::this_thread::sleep_for(100ms);
    ready = http_request(base + "/readyz").first;
  }
  INFO("sluice stderr: " << read_file(dir + "/stderr.log"));
  REQUIRE(ready == 200);
  CHECK(http_request(base + "/healthz") == std::make_pair(200L, std::string("ok\n")));
  CHECK(http_request(base + "/nope").first == 404);
  const auto direct = http_request(base + "/metrics");
  CHECK(direct.first == 200);
  CHECK(direct.second.find("sluice_checkpoints_total{pipeline=\"prom-it\"}") != std::string::npos);
  CHECK(direct.second.find("sluice_sink_events_written_total{op=\"c\",pipeline=\"prom-it\",table="
                           "\"datagen.metrics_demo\"}") != std::string::npos);

  write_targets(targets, "[{\"targets\":[\"127.0.0.1:" + std::to_string(port) +
                             "\"],\"labels\":{\"env\":\"it\"}}]\n");

  // Prometheus re-reads the targets file and scrapes every second; its first sample becomes
  // queryable a few seconds later (ENVIRONMENT.md): poll, bounded.
  const std::string query = prometheus + "/api/v1/query?query=" +
                            url_encode("sluice_source_events_read_total{pipeline=\"prom-it\"}");
  simdjson::dom::parser parser;
  double events = 0;
  std::string instance, body;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline && events == 0) {
    std::this_thread::sleep_for(500ms);
    auto [status, text] = http_request(query);
    body = text;
    if (status != 200) continue;
    simdjson::dom::element doc;
    if (parser.parse(text).get(doc)) continue;
    simdjson::dom::array result;
    if (doc["data"]["result"].get_array().get(result) || result.size() == 0) continue;
    auto first = result.at(0);
    std::string_view inst, value;
    if (first["metric"]["instance"].get_string().get(inst)) continue;
    if (first["value"].at(1).get_string().get(value)) continue;
    instance = std::string(inst);
    events = std::stod(std::string(value));
  }
  INFO("last Prometheus answer: " << body);
  CHECK(instance == "127.0.0.1:" + std::to_string(port));
  CHECK(events > 0);

  // Every series sluice exports carries the pipeline label in Prometheus too.
  auto [status, text] = http_request(prometheus + "/api/v1/series?" + url_encode("match[]") + "=" +
                                     url_encode("{__name__=~\"sluice_.*\"}"));
  REQUIRE(status == 200);
  for (const char* name : {"sluice_checkpoints_total", "sluice_queue_depth_events",
                           "sluice_sink_events_written_total", "sluice_pipeline_up"}) {
    CHECK_MESSAGE(text.find(std::string("\"__name__\":\"") + name + "\"") != std::string::npos,
                  name);
  }
  CHECK(text.find("\"pipeline\":\"prom-it\"") != std::string::npos);

  write_targets(targets, "[]\n");
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("Prometheus scrapes a snapshot's progress while it reads, and when it is read") {
  // Two tables in name order: sp_a is read, then the chunk query of sp_b waits on the test's
  // LOCK TABLES (a metadata lock), holding the snapshot in the middle for as long as needed.
  // sp_a has 2 batches of rows (max_batch_events 1024) in chunks of 512, so at the stall the
  // reader has returned exactly 2048 rows and seen 3 chunks end (the 4th ends in the next poll).
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_prom");
  for (const char* t : {"sp_a", "sp_b"}) {
    sql.run(std::string("DROP TABLE IF EXISTS sluice_prom.") + t);
    sql.run(std::string("CREATE TABLE sluice_prom.") + t + " (id INT PRIMARY KEY, v INT)");
  }
  sql.run("INSERT INTO sluice_prom.sp_a SELECT seq, seq FROM sluice_prom.seq_1_to_2048");
  sql.run("INSERT INTO sluice_prom.sp_b SELECT seq, seq FROM sluice_prom.seq_1_to_100");
  MariaDbSession locker;
  locker.run("LOCK TABLES sluice_prom.sp_b WRITE");

  const std::string targets = service_value("SLUICE_PROMETHEUS_TARGETS_FILE");
  const std::string dir = make_temp_dir("sluice-prom-snap-it");
  const int port = free_port();
  std::string source = mysql_source_yaml("sluice_prom\\.sp_.*", 54421);
  source.replace(source.find("latest-offset"), 13, "initial");
  std::ofstream(dir + "/pipeline.yaml") << source
                                        << "  scan.incremental.snapshot.chunk.size: 512\n"
                                           "sink:\n"
                                           "  type: null\n"
                                           "pipeline:\n"
                                           "  name: prom-snap\n"
                                           "  state.dir: "
                                        << dir
                                        << "/state\n"
                                           "  metrics.port: "
                                        << port << "\n";
  ChildProcess sluice({sluice_binary(), "run", dir + "/pipeline.yaml"}, dir + "/stdout.log",
                      dir + "/stderr.log");
  INFO("sluice stderr: " << read_file(dir + "/stderr.log"));
  write_targets(targets, "[{\"targets\":[\"127.0.0.1:" + std::to_string(port) + "\"]}]\n");

  const std::string p = "{pipeline=\"prom-snap\"}";
  wait_scraped({{"sluice_snapshot_reading" + p, 1},
                {"sluice_snapshot_rows_total" + p, 2048},
                {"sluice_snapshot_chunks_done_total" + p, 3},
                {"sluice_snapshot_tables_done" + p, 0},
                {"sluice_snapshot_tables_total" + p, 2}},
               "held inside the snapshot");
  REQUIRE(sluice.running());
  locker.run("UNLOCK TABLES");
  // sp_a: 4 full chunks and an empty one; sp_b: one short chunk.
  wait_scraped({{"sluice_snapshot_reading" + p, 0},
                {"sluice_snapshot_rows_total" + p, 2148},
                {"sluice_snapshot_chunks_done_total" + p, 6},
                {"sluice_snapshot_tables_done" + p, 2},
                {"sluice_snapshot_tables_total" + p, 2}},
               "after the snapshot");

  write_targets(targets, "[]\n");
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(20s) == 0);
  std::filesystem::remove_all(dir);
}
