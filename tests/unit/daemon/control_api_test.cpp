#include "cdc/daemon/control_api.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "cdc/daemon/http_endpoint.h"
#include "tests/support/http_client.h"

using namespace cdc;
using namespace cdc::daemon;

namespace {

struct Fixture {
  Fixture() {
    std::string templ = "/tmp/sluice-control-test-XXXXXX";
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    dir = templ;
    auto opened = state::StateStore::open(dir);
    REQUIRE(opened);
    store = std::move(*opened);
    api = std::make_unique<ControlApi>(
        std::vector<ControlTarget>{
            {"orders to kafka", "orders", &control, store.get(), "", [this] { ++stops; }},
            {"guarded", "guarded", &guarded, store.get(), "s3cret", [this] { ++stops; }}},
        std::chrono::milliseconds(200));
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& auth = "") {
    HttpRequest r;
    r.method = method;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.authorization = auth;
    return api->handle(r);
  }
  std::string dir;
  std::unique_ptr<state::StateStore> store;
  pipeline::PipelineControl control;
  pipeline::PipelineControl guarded;
  std::unique_ptr<ControlApi> api;
  int stops = 0;
};

}  // namespace

TEST_CASE("control API: the status list, one pipeline by its percent-encoded name, the page") {
  Fixture f;
  f.control.update([](pipeline::PipelineStatus& s) {
    s.state = pipeline::PipelineState::running;
    s.written = DatagenPosition{42};
    s.committed = DatagenPosition{40};
    s.last_checkpoint_id = 7;
    s.last_checkpoint_ms = 1714566896000;
    s.lag_seconds = 0.5;
    s.events_written = 42;
    s.queue_events = 25;
    s.queue_max_events = 100;
    s.queue_bytes = 10;
    s.queue_max_bytes = 1000;
    s.last_error = "sink write: \"boom\"";
    s.last_error_ms = 1714566895000;
    s.restarts = 1;
    s.source_server = "db2:3306";
  });
  const auto one = f.call("GET", "/api/v1/pipelines/orders%20to%20kafka");
  CHECK(one.code == 200);
  CHECK(one.content_type == "application/json");
  CHECK(status_json("orders to kafka", f.control.status(), 1714566897500) ==
        "{\"name\":\"orders to kafka\",\"state\":\"running\",\"position\":\"datagen:row=42\","
        "\"committed_position\":\"datagen:row=40\",\"last_checkpoint\":{\"id\":7,"
        "\"time\":\"2024-05-01T12:34:56.000Z\",\"age_seconds\":1.5},\"lag_seconds\":0.5,"
        "\"events_per_second\":0,\"events_written\":42,\"queue\":{\"events\":25,\"bytes\":10,"
        "\"max_events\":100,\"max_bytes\":1000,\"fill\":0.25},\"snapshot\":{\"reading\":false,"
        "\"table\":null,\"rows\":0,\"chunks\":0,\"tables_done\":0,\"tables_total\":0,"
        "\"tables\":[]},"
        "\"restarts\":1,\"source_server\":\"db2:3306\",\"last_error\":{\"message\":\"sink write: "
        "\\\"boom\\\"\","
        "\"time\":\"2024-05-01T12:34:55.000Z\"}}");
  const auto list = f.call("GET", "/api/v1/pipelines");
  CHECK(list.code == 200);
  CHECK(list.body.starts_with("{\"pipelines\":[{\"name\":\"orders to kafka\""));
  CHECK(list.body.find("{\"name\":\"guarded\",\"state\":\"starting\"") != std::string::npos);
  CHECK(list.body.find("\"last_checkpoint\":null") != std::string::npos);
  CHECK(list.body.find("\"lag_seconds\":null") != std::string::npos);
  CHECK(list.body.find("\"source_server\":null") != std::string::npos);
  const auto page = f.call("GET", "/");
  CHECK(page.code == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find("fetch(\"api/v1/pipelines\"") != std::string::npos);
  CHECK(page.body.size() < 8192);  // a few KB, nothing to load
}

TEST_CASE("control API: per-table snapshot progress, percent from the server's estimate") {
  Fixture f;
  using State = TableSnapshotProgress::State;
  f.control.update([](pipeline::PipelineStatus& s) {
    s.snapshot.reading = true;
    s.snapshot.tables_total = 4;
    s.snapshot.tables_done = 1;
    s.snapshot_tables = {{{"db", "a"}, State::done, 7, 5},
                         {{"db", "b"}, State::reading, 1234, 5000},
                         {{"db", "c"}, State::reading, 6000, 5000},
                         {{"db", "d"}, State::waiting, 0, std::nullopt}};
  });
  const std::string json = status_json("p", f.control.status(), 0);
  // Done is 100 whatever the estimate said; more rows than estimated stay below 100 until done;
  // no estimate, no percent.
  CHECK(json.find("\"tables\":[{\"table\":\"db.a\",\"state\":\"done\",\"rows_read\":7,"
                  "\"rows_estimated\":5,\"percent\":100},{\"table\":\"db.b\",\"state\":"
                  "\"reading\",\"rows_read\":1234,\"rows_estimated\":5000,\"percent\":24.6},"
                  "{\"table\":\"db.c\",\"state\":\"reading\",\"rows_read\":6000,"
                  "\"rows_estimated\":5000,\"percent\":99.9},{\"table\":\"db.d\",\"state\":"
                  "\"waiting\",\"rows_read\":0,\"rows_estimated\":null,\"percent\":null}]}") !=
        std::string::npos);
}

TEST_CASE("control API: errors are JSON with a message and the right code") {
  Fixture f;
  auto expect = [&](const HttpResponse& r, int code, const std::string& error) {
    CHECK(r.code == code);
    CHECK(r.body == "{\"error\":\"" + error + "\"}\n");
  };
  expect(f.call("GET", "/nope"), 404,
         "no such resource: /nope (try /, /api/v1/pipelines, /metrics, /healthz, /readyz)");
  expect(f.call("POST", "/api/v1/pipelines/missing/pause"), 404,
         "no pipeline named 'missing' here");
  expect(f.call("GET", "/api/v1/pipelines/bad%zz"), 400,
         "the pipeline name in the path is not valid percent-encoding");
  expect(f.call("GET", "/api/v1/pipelines/orders%20to%20kafka/pause"), 405, "pause needs POST");
  expect(f.call("POST", "/api/v1/pipelines"), 405, "/api/v1/pipelines only answers GET");
  expect(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/fly"), 404,
         "no action 'fly': savepoint, savepoints, pause, resume, stop, snapshot");
  expect(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/savepoint?name=a%20b"), 400,
         "savepoint name 'a b': a savepoint name is made of A-Z a-z 0-9 _ . - only");
  // Not streaming: no checkpoint to copy, nothing stored.
  expect(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/savepoint"), 503,
         "the pipeline is starting, not streaming: no checkpoint can be taken now");
  CHECK(f.store->savepoints("orders")->empty());
  // stop?savepoint=true takes none, so it does not stop either.
  f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/stop?savepoint=true");
  CHECK(f.stops == 0);
  expect(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/snapshot"), 400,
         "snapshot needs ?tables=db.table[,db.table...]");
  expect(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/snapshot?tables=shop"), 400,
         "tables: expected db.table, found 'shop'");
  expect(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/snapshot?tables=shop.orders"), 409,
         "the pipeline is not streaming: try again once it is");
  expect(f.call("DELETE", "/api/v1/pipelines/orders%20to%20kafka/savepoints/x"), 404,
         "deleting savepoint 'x' of pipeline orders: no such savepoint");
}

TEST_CASE("control API: a token guards the calls that change state, not the reads") {
  Fixture f;
  const std::string base = "/api/v1/pipelines/guarded";
  CHECK(f.call("GET", base).code == 200);
  CHECK(f.call("GET", base + "/savepoints").code == 200);
  for (const char* action : {"/pause", "/resume", "/stop", "/savepoint", "/snapshot"}) {
    const auto none = f.call("POST", base + action);
    CHECK(none.code == 401);
    CHECK(none.headers.size() == 1);
    CHECK(none.body ==
          "{\"error\":\"pipeline 'guarded' needs \\\"Authorization: Bearer <token>\\\" for POST "
          "(pipeline.control.token)\"}\n");
    CHECK(f.call("POST", base + action, "Bearer s3cre").code == 401);
    CHECK(f.call("POST", base + action, "Bearer s3cret2").code == 401);
    CHECK(f.call("POST", base + action, "Basic s3cret").code == 401);
  }
  CHECK(f.call("DELETE", base + "/savepoints/x").code == 401);
  CHECK(f.stops == 0);
  CHECK_FALSE(f.guarded.pause_requested());
  CHECK(f.call("POST", base + "/pause", "Bearer s3cret").code == 200);
  CHECK(f.guarded.pause_requested());
  CHECK(f.call("POST", base + "/resume", "Bearer s3cret").code == 200);
  CHECK_FALSE(f.guarded.pause_requested());
  CHECK(f.call("POST", base + "/stop", "Bearer s3cret").code == 202);
  CHECK(f.stops == 1);
  // The other pipeline of the endpoint has no token.
  CHECK(f.call("POST", "/api/v1/pipelines/orders%20to%20kafka/resume").code == 200);
}

TEST_CASE("control API: a savepoint copies the checkpoint the runner answers with") {
  Fixture f;
  f.control.set_streaming(true);
  std::atomic<bool> done{false};
  std::thread runner([&] {  // plays the pipeline thread
    while (!done) {
      if (f.control.checkpoint_wanted()) {
        f.control.answer_checkpoints(
            CheckpointRecord{12, DatagenPosition{99}, "st", 1714566896000});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const auto base = std::string("/api/v1/pipelines/orders%20to%20kafka");
  const auto named = f.call("POST", base + "/savepoint?name=before-deploy");
  CHECK(named.code == 201);
  CHECK(named.body ==
        "{\"savepoint\":\"before-deploy\",\"checkpoint_id\":12,\"position\":\"datagen:row=99\","
        "\"time\":\"2024-05-01T12:34:56.000Z\",\"wall_time_ms\":1714566896000}\n");
  CHECK(f.call("POST", base + "/savepoint?name=before-deploy").code == 409);
  const auto unnamed = f.call("POST", base + "/savepoint");
  CHECK(unnamed.code == 201);
  CHECK(unnamed.body.starts_with("{\"savepoint\":\"sp-12-1714566896000\""));
  const auto stop = f.call("POST", base + "/stop?savepoint=true&name=last");
  CHECK(stop.code == 202);
  CHECK(stop.body.starts_with("{\"stopping\":true,\"savepoint\":{\"savepoint\":\"last\""));
  CHECK(f.stops == 1);
  done = true;
  runner.join();
  auto list = f.store->savepoints("orders");
  REQUIRE(list);
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].record.sink_state == "st");
  const auto listed = f.call("GET", base + "/savepoints");
  CHECK(listed.body.find("\"savepoint\":\"last\"") != std::string::npos);
  CHECK(f.call("DELETE", base + "/savepoints/last").body == "{\"deleted\":\"last\"}\n");
  CHECK(f.store->savepoints("orders")->size() == 2);
}

TEST_CASE("control API over the HTTP endpoint: POST, headers and JSON answers") {
  Fixture f;
  auto registry = std::make_shared<prometheus::Registry>();
  auto ep = HttpEndpoint::start("127.0.0.1", 0, registry, {},
                                [&](const HttpRequest& r) { return f.api->handle(r); });
  REQUIRE(ep);
  const std::string root = "http://127.0.0.1:" + std::to_string((*ep)->port());
  CHECK(testing::http_request(root + "/api/v1/pipelines/guarded/pause", "POST").first == 401);
  CHECK(testing::http_request(root + "/api/v1/pipelines/guarded/resume", "POST", "s3cret") ==
        std::make_pair(200L, status_json("guarded", f.guarded.status(), 0) + "\n"));
  CHECK(testing::http_request(root + "/metrics").first == 200);  // still the endpoint's own
  CHECK(testing::http_request(root + "/").second.starts_with("<!doctype html>"));
}
