// HttpEndpoint: the daemon's tiny HTTP/1.1 server for Prometheus scrapes and probes:
// GET /metrics (text exposition format of the registry), /healthz (200 while the process
// serves), /readyz (200 once every pipeline streams, else 503); every other request goes to
// the `handler` (the control API and status page, cdc/daemon/control_api.h). One thread, one
// request per connection, bounded request size and read time. Owns its socket and thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <prometheus/registry.h>

#include "cdc/core/result.h"
#include "cdc/daemon/http_request.h"

namespace cdc::daemon {

class HttpEndpoint {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Binds bind_address:port (port 0 picks a free one; see port()). `registry` must outlive
  // the endpoint; `ready` and `handler` (may be empty: 404) are called from its thread.
  static Result<std::unique_ptr<HttpEndpoint>> start(const std::string& bind_address, int port,
                                                     std::shared_ptr<prometheus::Registry> registry,
                                                     std::function<bool()> ready,
                                                     Handler handler = {});
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }

 private:
  HttpEndpoint(int fd, int port, std::shared_ptr<prometheus::Registry> registry,
               std::function<bool()> ready, Handler handler);
  void serve(std::stop_token stop);
  void handle(int client);

  int fd_;
  int port_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::function<bool()> ready_;
  Handler handler_;
  std::jthread thread_;
};

}  // namespace cdc::daemon
