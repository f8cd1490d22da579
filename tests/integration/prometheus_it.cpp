// The real Prometheus (started by tools/services.sh) scrapes a running sluice and finds its
// sluice_* series labelled with the pipeline; /healthz and /readyz answer as documented.

#include <doctest/doctest.h>

#include <signal.h>
#include <simdjson.h>

#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
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
