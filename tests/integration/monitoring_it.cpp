// deploy/monitoring: the alert rules pass `promtool check rules` and their unit tests (one per
// alert), and every PromQL expression of the Grafana dashboard, evaluated by the real
// Prometheus of tools/services.sh against a running sluice (MariaDB into Kafka with a snapshot,
// into Redis, into Doris; PostgreSQL into the null sink for the slot lag), returns data.

#include <doctest/doctest.h>

#include <signal.h>
#include <simdjson.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "config/pipeline_id.h"
#include "tests/integration/doris_process.h"
#include "tests/integration/kafka_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/postgres_client.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

const std::string kMonitoring = source_dir() + "/deploy/monitoring";

// Names after `key:` on lines of a YAML file ("- alert: X", "alertname: X").
std::set<std::string> names_after(const std::string& text, const std::string& key) {
  std::set<std::string> out;
  const std::regex re("\\b" + key + ":\\s*([A-Za-z0-9_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Every `expr` of the dashboard's panels (rows' nested panels included).
void collect_exprs(simdjson::dom::array panels, std::vector<std::string>& out) {
  for (simdjson::dom::element panel : panels) {
    simdjson::dom::array nested;
    if (!panel["panels"].get_array().get(nested)) collect_exprs(nested, out);
    simdjson::dom::array targets;
    if (panel["targets"].get_array().get(targets)) continue;
    for (simdjson::dom::element t : targets) {
      std::string_view expr;
      if (!t["expr"].get_string().get(expr)) out.emplace_back(expr);
    }
  }
}

// The dashboard's variables as Grafana fills them for "All" pipelines.
std::string instantiate(std::string expr) {
  expr = std::regex_replace(expr, std::regex("\\$pipeline"), ".+");
  return std::regex_replace(expr, std::regex("\\$__rate_interval"), "15s");
}

// Prometheus may read the file while it is written: replace it atomically.
void write_targets(const std::string& path, const std::string& json) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << json;
  REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

// The number of series an instant query returns (-1 when the query fails), and the answer.
std::pair<int, std::string> query(const std::string& prometheus, const std::string& expr) {
  auto [status, body] = http_request(prometheus + "/api/v1/query?query=" + url_encode(expr));
  if (status != 200) return {-1, body};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array result;
  if (parser.parse(body).get(doc) || doc["data"]["result"].get_array().get(result)) {
    return {-1, body};
  }
  return {static_cast<int>(result.size()), body};
}

}  // namespace

TEST_CASE("alert rules: promtool check and a unit test for every alert, a runbook for each") {
  const auto check = run_command(
      {"/usr/bin/env", "promtool", "check", "rules", kMonitoring + "/sluice-alerts.yaml"}, 60s);
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("SUCCESS: 7 rules found") != std::string::npos);
  const auto test = run_command(
      {"/usr/bin/env", "promtool", "test", "rules", kMonitoring + "/sluice-alerts.test.yaml"},
      120s);
  INFO(test.out << test.err);
  CHECK(test.exit_code == 0);

  const std::set<std::string> alerts =
      names_after(read_file(kMonitoring + "/sluice-alerts.yaml"), "alert");
  const std::set<std::string> tested =
      names_after(read_file(kMonitoring + "/sluice-alerts.test.yaml"), "alertname");
  CHECK(alerts.size() == 7);
  CHECK(alerts == tested);
  const std::string readme = read_file(kMonitoring + "/README.md");
  for (const std::string& a : alerts)
    CHECK_MESSAGE(readme.find("### " + a) != std::string::npos, a);
}

TEST_CASE("dashboard: every expression returns data from the real Prometheus scraping sluice") {
  simdjson::dom::parser parser;
  simdjson::dom::element dashboard;
  REQUIRE_FALSE(parser.load(kMonitoring + "/sluice-dashboard.json").get(dashboard));
  simdjson::dom::array panels;
  REQUIRE_FALSE(dashboard["panels"].get_array().get(panels));
  std::vector<std::string> exprs;
  collect_exprs(panels, exprs);
  REQUIRE(exprs.size() == 46);

  MariaDbSession sql;
  sql.run("DROP DATABASE IF EXISTS mon_it");
  sql.run("CREATE DATABASE mon_it");
  sql.run("CREATE TABLE mon_it.orders (id INT PRIMARY KEY, v VARCHAR(20))");
  // Rows before the start: the Kafka pipeline's snapshot reads them.
  for (int i = 1; i <= 50; ++i) {
    sql.run("INSERT INTO mon_it.orders VALUES (" + std::to_string(i) + ", 'snap')");
  }

  // A PostgreSQL pipeline for the slot-lag panel: its own table, publication and slot.
  PgSession pg;
  PgSession pg_su(PgSession::As::superuser);
  const auto drop_slot = [&] {
    pg_su.run(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
        "'mon_it'");
    pg_su.run("DROP PUBLICATION IF EXISTS sluice_mon_it");
  };
  drop_slot();
  pg.run("CREATE SCHEMA IF NOT EXISTS mon_it");
  pg.run("DROP TABLE IF EXISTS mon_it.orders");
  pg.run("CREATE TABLE mon_it.orders (id bigint PRIMARY KEY, v text)");

  const auto broker = exactly_once_broker();
  DorisProcess doris;
  const std::string dir = make_temp_dir("sluice-monitoring-it");
  const int port = free_port();
  const std::string redis_name = "Monitoring to Redis";
  std::string snapshot_source = mysql_source_yaml("mon_it\\.orders", 5701);
  snapshot_source.replace(snapshot_source.find("latest-offset"), 13, "initial");
  const auto pipeline = [&](const std::string& name, const std::string& state) {
    return "    pipeline:\n      name: " + name + "\n      state.dir: " + dir + "/" + state +
           "\n      checkpoint.interval: 200ms\n      metrics.port: " + std::to_string(port) + "\n";
  };
  const auto indent = [](const std::string& section) {
    return "    " + std::regex_replace(section, std::regex("\n(?=.)"), "\n    ");
  };
  {
    std::ofstream out(dir + "/pipelines.yaml");
    out << "pipelines:\n  - " << indent(snapshot_source).substr(4)
        << "    sink:\n      type: kafka\n      properties.bootstrap.servers: "
        << broker->bootstrap() << "\n"
        << pipeline("mon-kafka", "kafka") << "  - "
        << indent(mysql_source_yaml("mon_it\\.orders", 5702)).substr(4)
        << "    sink:\n      type: redis\n      host: " << service_value("SLUICE_REDIS_HOST")
        << "\n      port: " << service_value("SLUICE_REDIS_PORT") << "\n      key: 'mon_it:{id}'\n"
        << pipeline("'" + redis_name + "'", "redis") << "  - "
        << indent(mysql_source_yaml("mon_it\\.orders", 5703)).substr(4)
        << "    sink:\n      type: doris\n      fenodes: 127.0.0.1:" << doris.fe_port()
        << "\n      username: root\n      password: '" << doris.password() << "'\n"
        << pipeline("mon-doris", "doris") << "  - "
        << indent(postgres_source_yaml(service_value("SLUICE_PG_DATABASE") + "\\.mon_it\\.orders",
                                       "mon_it", "  heartbeat.interval: 1s\n"))
               .substr(4)
        << "    sink:\n      type: null\n"
        << pipeline("mon-postgres", "postgres");
  }
  INFO("pipelines.yaml:\n" << read_file(dir + "/pipelines.yaml"));
  ChildProcess sluice({sluice_binary(), "run", dir + "/pipelines.yaml"}, dir + "/stdout.log",
                      dir + "/stderr.log");
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  long ready = 0;
  for (int i = 0; i < 300 && ready != 200 && !sluice.wait(0ms); ++i) {
    std::this_thread::sleep_for(100ms);
    ready = http_request(base + "/readyz").first;
  }
  INFO("sluice stderr:\n" << read_file(dir + "/stderr.log"));
  REQUIRE(ready == 200);

  // A steady trickle of changes while Prometheus scrapes: bounded in count and time.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    MariaDbSession w;
    for (int i = 1000; i < 1600 && !stop; ++i) {
      w.run("INSERT INTO mon_it.orders VALUES (" + std::to_string(i) + ", 'live')");
      w.run("UPDATE mon_it.orders SET v = 'upd' WHERE id = " + std::to_string(i));
      if (i % 3 == 0) w.run("DELETE FROM mon_it.orders WHERE id = " + std::to_string(i));
      std::this_thread::sleep_for(100ms);
    }
  });
  const std::string prometheus = service_value("SLUICE_PROMETHEUS_URL");
  const std::string targets = service_value("SLUICE_PROMETHEUS_TARGETS_FILE");
  write_targets(targets, "[{\"targets\":[\"127.0.0.1:" + std::to_string(port) +
                             "\"],\"labels\":{\"job_hint\":\"monitoring-it\"}}]\n");

  // Each expression is polled until it returns a series (rates need two scrapes), bounded.
  std::vector<std::string> missing;
  int evaluated = 0;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  for (const std::string& raw : exprs) {
    const std::string expr = instantiate(raw);
    std::pair<int, std::string> r{-1, ""};
    while (true) {
      r = query(prometheus, expr);
      if (r.first > 0 || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(500ms);
    }
    ++evaluated;
    if (r.first <= 0) missing.push_back(expr + "  ->  " + r.second.substr(0, 300));
  }
  std::string list;
  for (const auto& m : missing) list += "  " + m + "\n";
  INFO("expressions without data:\n" << list);
  CHECK(missing.empty());
  CHECK(evaluated == 46);

  // The free-text name reaches the metrics as its derived id, the text itself in the info series.
  const auto info = query(prometheus, "sluice_pipeline_info{name=\"" + redis_name + "\"}");
  CHECK(info.first == 1);
  CHECK(info.second.find("\"pipeline\":\"" + cdc::config::pipeline_id(redis_name) + "\"") !=
        std::string::npos);
  CHECK(query(prometheus, "sluice_pipeline_info{sink=\"doris\",pipeline=\"mon-doris\"}").first ==
        1);

  stop = true;
  writer.join();
  write_targets(targets, "[]\n");
  sluice.signal(SIGTERM);
  CHECK(sluice.wait(30s) == 0);
  drop_slot();
  std::system(("rm -rf '" + dir + "'").c_str());
}
