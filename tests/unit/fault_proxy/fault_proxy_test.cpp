// Each fault of the fault proxy, observed from a client socket talking to an echo server
// behind it.

#include "tests/support/fault_proxy.h"

#include "tests/support/eventually.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

using namespace cdc::testing;
using namespace std::chrono_literals;
using Direction = FaultProxy::Direction;

namespace {

// Echoes every byte back on every connection; counts what it received. One poll thread.
class EchoServer {
 public:
  EchoServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(listener_, 16) == 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~EchoServer() {
    stop_ = true;
    thread_.join();
    for (int fd : conns_) ::close(fd);
    ::close(listener_);
  }
  int port() const { return port_; }
  uint64_t received() const { return received_; }

 private:
  void run() {
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (int fd : conns_) fds.push_back({fd, POLLIN, 0});
      ::poll(fds.data(), fds.size(), 20);
      if (fds[0].revents & POLLIN) conns_.push_back(::accept4(listener_, nullptr, nullptr, 0));
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buf[65536];
        const ssize_t n = ::recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n <= 0) {
          std::erase(conns_, fds[i].fd);
          ::close(fds[i].fd);
          continue;
        }
        received_ += static_cast<uint64_t>(n);
        (void)!::send(fds[i].fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL);  // ignored: test
      }
    }
  }
  int listener_ = -1;
  int port_ = 0;
  std::vector<int> conns_;
  std::atomic<uint64_t> received_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A blocking client with a receive timeout, so that a black hole ends the read.
struct Client {
  int fd = -1;
  explicit Client(int port, std::chrono::milliseconds timeout = 2000ms) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{0, static_cast<suseconds_t>(timeout.count() * 1000)};
    tv.tv_sec = tv.tv_usec / 1000000;
    tv.tv_usec %= 1000000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { ::close(fd); }
  bool connected = false;
  void send_all(const std::string& s) {
    REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
  }
  // Reads until `n` bytes, EOF, an error or the timeout; `last` is the last recv's result
  // and `error` its errno.
  std::string read_up_to(size_t n, ssize_t& last, int& error) {
    std::string got;
    while (got.size() < n) {
      char buf[65536];
      last = ::recv(fd, buf, std::min(sizeof(buf), n - got.size()), 0);
      error = errno;
      if (last <= 0) break;
      got.append(buf, static_cast<size_t>(last));
    }
    return got;
  }
  std::string read_exactly(size_t n) {
    ssize_t last = 0;
    int error = 0;
    return read_up_to(n, last, error);
  }
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

}  // namespace

TEST_CASE("fault proxy: forwards every byte both ways, counted") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  Client c(proxy.port());
  REQUIRE(c.connected);
  const std::string data = pattern(3 << 20);
  std::thread writer([&] { c.send_all(data); });
  const std::string back = c.read_exactly(data.size());
  writer.join();
  CHECK(back == data);
  CHECK(proxy.forwarded(Direction::to_server) == data.size());
  CHECK(proxy.forwarded(Direction::to_client) == data.size());
  CHECK(proxy.accepted() == 1);
  CHECK(proxy.open_connections() == 1);
}

TEST_CASE("fault proxy: latency holds each direction's bytes") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  proxy.set_latency(150ms);
  Client c(proxy.port());
  const auto start = std::chrono::steady_clock::now();
  c.send_all("ping");
  CHECK(c.read_exactly(4) == "ping");
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 300ms);  // 150 ms each way
  CHECK(took < 1500ms);
  proxy.clear_faults();
  const auto again = std::chrono::steady_clock::now();
  c.send_all("pong");
  CHECK(c.read_exactly(4) == "pong");
  CHECK(std::chrono::steady_clock::now() - again < 100ms);
}

TEST_CASE("fault proxy: a black hole accepts the bytes and never answers") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  Client c(proxy.port(), 300ms);
  c.send_all("one");
  REQUIRE(c.read_exactly(3) == "one");
  proxy.blackhole(Direction::to_server);
  c.send_all("two");  // the write succeeds
  ssize_t last = 0;
  int error = 0;
  CHECK(c.read_up_to(3, last, error).empty());
  CHECK(last < 0);
  CHECK((error == EAGAIN || error == EWOULDBLOCK));  // the receive timeout, not an EOF
  CHECK(echo.received() == 3);                       // "two" never reached the server
  // A new connection is not in the hole.
  Client fresh(proxy.port());
  fresh.send_all("three");
  CHECK(fresh.read_exactly(5) == "three");
  // Nor, with blackhole_new, is any connection spared.
  proxy.blackhole(Direction::to_client, true);
  Client swallowed(proxy.port(), 300ms);
  swallowed.send_all("four");
  CHECK(swallowed.read_up_to(4, last, error).empty());
  CHECK(eventually([&] { return echo.received() == 3 + 5 + 4; }, 2000ms));  // the server got it
}

TEST_CASE("fault proxy: reset closes every connection with a RST") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  Client c(proxy.port());
  c.send_all("x");
  REQUIRE(c.read_exactly(1) == "x");
  proxy.reset_all();
  ssize_t last = 0;
  int error = 0;
  c.read_up_to(1, last, error);
  CHECK(last < 0);
  CHECK(error == ECONNRESET);
  CHECK(eventually([&] { return proxy.open_connections() == 0; }, 2000ms));
}

TEST_CASE("fault proxy: a cut delivers exactly N bytes of a packet, then a RST") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  Client c(proxy.port());
  c.send_all("x");
  REQUIRE(c.read_exactly(1) == "x");
  proxy.cut_after(Direction::to_client, 10);
  c.send_all(pattern(100));
  ssize_t last = 0;
  int error = 0;
  const std::string got = c.read_up_to(100, last, error);
  CHECK(got == pattern(10));
  CHECK(last < 0);
  CHECK(error == ECONNRESET);
}

TEST_CASE("fault proxy: a cut of new connections cuts each one until cleared") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  proxy.cut_after(Direction::to_client, 5, true);
  for (int i = 0; i < 3; ++i) {
    Client c(proxy.port());
    c.send_all(pattern(50));
    ssize_t last = 0;
    int error = 0;
    CHECK(c.read_up_to(50, last, error) == pattern(5));
    CHECK(error == ECONNRESET);
  }
  proxy.clear_faults();
  Client whole(proxy.port());
  whole.send_all(pattern(50));
  CHECK(whole.read_exactly(50) == pattern(50));
}

TEST_CASE("fault proxy: half-open: one side reads EOF while its writes still arrive") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  Client c(proxy.port(), 300ms);
  c.send_all("x");
  REQUIRE(c.read_exactly(1) == "x");
  proxy.half_open(Direction::to_client);
  ssize_t last = -1;
  int error = 0;
  CHECK(c.read_up_to(1, last, error).empty());
  CHECK(last == 0);  // a FIN
  c.send_all("still");
  CHECK(eventually([&] { return echo.received() == 6; }, 2000ms));
}

TEST_CASE("fault proxy: stop refuses and resets; start listens on the same port again") {
  EchoServer echo;
  FaultProxy proxy(echo.port());
  const int port = proxy.port();
  Client c(port);
  c.send_all("x");
  REQUIRE(c.read_exactly(1) == "x");
  proxy.stop();
  ssize_t last = 0;
  int error = 0;
  c.read_up_to(1, last, error);
  CHECK(last < 0);
  CHECK(error == ECONNRESET);
  CHECK(eventually([&] { return !Client(port).connected; }, 2000ms));
  proxy.start();
  Client again(port);
  REQUIRE(again.connected);
  again.send_all("back");
  CHECK(again.read_exactly(4) == "back");
  CHECK(proxy.port() == port);
}

TEST_CASE("fault proxy: a target that is down resets the accepted client") {
  int down_port = 0;
  {
    EchoServer gone;
    down_port = gone.port();
  }
  FaultProxy proxy(down_port);
  Client c(proxy.port());
  REQUIRE(c.connected);
  ssize_t last = 0;
  int error = 0;
  c.read_up_to(1, last, error);
  CHECK(last <= 0);
  CHECK(proxy.accepted() == 1);
  CHECK(proxy.open_connections() == 0);
}
