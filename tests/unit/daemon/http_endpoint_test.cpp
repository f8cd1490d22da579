#include "cdc/daemon/http_endpoint.h"

#include <doctest/doctest.h>

#include "tests/support/http_client.h"

#include <atomic>

#include <prometheus/counter.h>

using namespace cdc;

namespace {
std::pair<long, std::string> get(int port, const std::string& path, const char* method = "GET") {
  return testing::http_request("http://127.0.0.1:" + std::to_string(port) + path, method);
}
}  // namespace

TEST_CASE("http endpoint serves metrics, health and readiness") {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter()
      .Name("sluice_test_total")
      .Help("h")
      .Register(*registry)
      .Add({{"pipeline", "p"}})
      .Increment(3);
  std::atomic<bool> ready{false};
  auto ep = daemon::HttpEndpoint::start("127.0.0.1", 0, registry, [&] { return ready.load(); });
  REQUIRE(ep);
  const int port = (*ep)->port();
  CHECK(port > 0);
  auto metrics = get(port, "/metrics");
  CHECK(metrics.first == 200);
  CHECK(metrics.second.find("sluice_test_total{pipeline=\"p\"} 3") != std::string::npos);
  CHECK(get(port, "/healthz") == std::make_pair(200L, std::string("ok\n")));
  CHECK(get(port, "/readyz").first == 503);
  ready = true;
  CHECK(get(port, "/readyz") == std::make_pair(200L, std::string("ready\n")));
  CHECK(get(port, "/metrics?x=1").first == 200);
  CHECK(get(port, "/other").first == 404);
  CHECK(get(port, "/metrics", "POST").first == 405);
}

TEST_CASE("http endpoint refuses a bad address and a port in use") {
  auto registry = std::make_shared<prometheus::Registry>();
  auto bad = daemon::HttpEndpoint::start("not-an-ip", 0, registry, {});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "metrics bind address 'not-an-ip' is not an IPv4 address");
  auto first = daemon::HttpEndpoint::start("127.0.0.1", 0, registry, {});
  REQUIRE(first);
  auto clash = daemon::HttpEndpoint::start("127.0.0.1", (*first)->port(), registry, {});
  REQUIRE_FALSE(clash);
  CHECK(clash.error().code == Errc::unavailable);
}
