#include "cdc/daemon/http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "cdc/core/log.h"
#include "cdc/core/text.h"

namespace cdc::daemon {

namespace {
constexpr size_t kMaxRequestBytes = 8192;
constexpr int kReadTimeoutMs = 2000;

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;  // the client went away; nothing to report to anyone
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void respond(int fd, int code, std::string_view reason, std::string_view content_type,
             std::string_view body,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string head = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) +
                     "\r\nContent-Type: " + std::string(content_type) +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nCache-Control: no-store\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Connection: close\r\n\r\n";
  send_all(fd, head);
  send_all(fd, body);
}

// The value of header `name` (case-insensitive) in the head lines after the request line.
std::string header_value(std::string_view head, std::string_view name) {
  size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const size_t start = at + 2;
    const size_t end = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const size_t colon = line.find(':');
    if (colon == name.size() && lower_ascii(line.substr(0, colon)) == lower_ascii(name)) {
      return std::string(trim(line.substr(colon + 1)));
    }
    at = end;
  }
  return {};
}
}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::start(
    const std::string& bind_address, int port, std::shared_ptr<prometheus::Registry> registry,
    std::function<bool()> ready, Handler handler) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, bind_address.c_str(), &addr.sin_addr) != 1) {
    return make_error(Errc::invalid_config,
                      "metrics bind address '" + bind_address + "' is not an IPv4 address");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(Errc::io, std::string("metrics socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return make_error(Errc::unavailable, "cannot listen on " + bind_address + ":" +
                                             std::to_string(port) + " for metrics: " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(
      fd, ntohs(addr.sin_port), std::move(registry), std::move(ready), std::move(handler)));
}

HttpEndpoint::HttpEndpoint(int fd, int port, std::shared_ptr<prometheus::Registry> registry,
                           std::function<bool()> ready, Handler handler)
    : fd_(fd),
      port_(port),
      registry_(std::move(registry)),
      ready_(std::move(ready)),
      handler_(std::move(handler)) {
  thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
}

HttpEndpoint::~HttpEndpoint() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void HttpEndpoint::serve(std::stop_token stop) {
  while (!stop.stop_requested()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handle(client);
    ::close(client);
  }
}

void HttpEndpoint::handle(int client) {
  std::string request;
  char buf[2048];
  size_t head_end = std::string::npos;
  while ((head_end = request.find("\r\n\r\n")) == std::string::npos &&
         request.size() < kMaxRequestBytes) {
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, kReadTimeoutMs) <= 0) return;
    const ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) return;
    request.append(buf, static_cast<size_t>(n));
  }
  if (head_end == std::string::npos) {
    respond(client, 413, "Payload Too Large", "text/plain", "request head too large\n");
    return;
  }
  const std::string head = request.substr(0, head_end);
  const auto line_end = head.find("\r\n");
  std::istringstream first(head.substr(0, line_end));
  HttpRequest req;
  std::string target;
  first >> req.method >> target;
  if (const auto q = target.find('?'); q != std::string::npos) {
    req.query = target.substr(q + 1);
    target.resize(q);
  }
  req.path = target;
  req.authorization = header_value(head, "Authorization");
  // The control API's bodies are empty or tiny: a declared length beyond the bound is refused.
  uint64_t length = 0;
  if (const std::string cl = header_value(head, "Content-Length"); !cl.empty()) {
    length = std::strtoull(cl.c_str(), nullptr, 10);
  }
  if (length > kMaxRequestBytes) {
    respond(client, 413, "Payload Too Large", "text/plain", "request body too large\n");
    return;
  }
  req.body = request.substr(head_end + 4);
  while (req.body.size() < length) {
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, kReadTimeoutMs) <= 0) return;
    const ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) return;
    req.body.append(buf, static_cast<size_t>(n));
  }
  req.body.resize(std::min<size_t>(req.body.size(), length));

  const bool get = req.method == "GET" || req.method == "HEAD";
  if (get && target == "/metrics") {
    std::ostringstream body;
    prometheus::TextSerializer().Serialize(body, registry_->Collect());
    respond(client, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body.str());
  } else if (get && target == "/healthz") {
    respond(client, 200, "OK", "text/plain", "ok\n");
  } else if (get && target == "/readyz") {
    if (ready_ && ready_()) {
      respond(client, 200, "OK", "text/plain", "ready\n");
    } else {
      respond(client, 503, "Service Unavailable", "text/plain", "not ready\n");
    }
  } else if (handler_) {
    const HttpResponse r = handler_(req);
    respond(client, r.code, http_reason(r.code), r.content_type, r.body, r.headers);
  } else if (!get) {
    respond(client, 405, "Method Not Allowed", "text/plain", "only GET\n");
  } else {
    respond(client, 404, "Not Found", "text/plain", "not found: try /metrics, /healthz, /readyz\n");
  }
}

}  // namespace cdc::daemon
