// kafka_test_broker: a single-node Kafka broker for tests (README, "Kafka test broker").
// One thread, one poll() loop. Requests of a connection are answered in order and one at
// a time, as a Kafka broker mutes a channel while it serves a request. A control port takes
// line commands for fault tests:
//   drop          close every client connection
//   delay <ms>    hold every later response for <ms> (0 turns it off)
//   restart       drop connections and reload from the data dir (in memory: start empty)
//   lose <n>      append the next <n> Produce requests but close the connection instead of
//                 answering: a response lost in the network, which an idempotent producer
//                 retries with the same sequence numbers (KIP-98 "Idempotent producer")
//   crash <point> SIGKILL this process at the next commit's <point>: before-end-txn,
//                 after-prepare, mid-markers, after-markers (broker.h, CrashPoint)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/fakes/kafka/broker.h"
#include "tests/fakes/kafka/kafka_codec.h"

namespace {

using cdc::testing::kafka::Broker;
using cdc::testing::kafka::BrokerOptions;
using cdc::testing::kafka::Clock;
using cdc::testing::kafka::parse_crash_point;
using cdc::testing::kafka::Reply;

// A request larger than this is refused (Kafka's socket.request.max.bytes default).
constexpr int32_t kMaxRequestBytes = 100 * 1024 * 1024;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Options {
  BrokerOptions broker;
  int port = 0;
  int control_port = 0;
  // Advertised in Metadata and FindCoordinator instead of the bound port (Kafka's
  // advertised.listeners): clients then connect through whatever listens there, such as the
  // fault proxy of the fault tests. 0: the bound port.
  int advertised_port = 0;
  std::string port_file;
  bool exit_with_parent = false;
};

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      ec != std::errc() || p != s.data() + s.size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

int parse_int(const char* s, const char* flag) {
  const auto v = to_int(s);
  if (!v) {
    std::cerr << "kafka_test_broker: " << flag << " needs a non-negative integer, got '" << s
              << "'\n";
    std::exit(2);
  }
  return *v;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "kafka_test_broker: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port")
      o.port = parse_int(value(), "--port");
    else if (a == "--control-port")
      o.control_port = parse_int(value(), "--control-port");
    else if (a == "--advertised-port")
      o.advertised_port = parse_int(value(), "--advertised-port");
    else if (a == "--port-file")
      o.port_file = value();
    else if (a == "--data-dir")
      o.broker.data_dir = value();
    else if (a == "--partitions")
      o.broker.default_partitions = parse_int(value(), "--partitions");
    else if (a == "--max-txn-timeout-ms")
      o.broker.max_txn_timeout_ms = parse_int(value(), a.c_str());
    else if (a == "--no-auto-create")
      o.broker.auto_create_topics = false;
    else if (a == "--exit-with-parent")
      o.exit_with_parent = true;
    else {
      std::cerr << "usage: kafka_test_broker [--port N] [--control-port N] [--port-file F]\n"
                   "  [--advertised-port N] [--data-dir D] [--partitions N] [--max-txn-timeout-ms "
                   "N] [--no-auto-create]\n"
                   "  [--exit-with-parent]\n"
                   "Port 0 picks a free port; F receives \"<port> <control port>\".\n";
      std::exit(2);
    }
  }
  return o;
}

int listen_on(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 64) != 0) {
    std::cerr << "kafka_test_broker: cannot listen on 127.0.0.1:" << port << ": "
              << std::strerror(errno) << "\n";
    std::exit(1);
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

struct Pending {
  Clock::time_point send_at;
  std::string bytes;  // with the size prefix
};

struct Connection {
  int fd = -1;
  bool control = false;
  std::string in;
  std::deque<Pending> out;
  size_t out_sent = 0;                // bytes of out.front() already written
  std::optional<std::string> parked;  // a Fetch waiting for data
  Clock::time_point parked_until;
  uint64_t parked_at_append = 0;
  bool closing = false;
};

class Server {
 public:
  Server(Options o, std::unique_ptr<Broker> broker)
      : o_(std::move(o)), broker_(std::move(broker)) {}

  int run(int listen_fd, int control_fd) {
    while (!g_stop) {
      const auto now = Clock::now();
      auto wake = broker_->tick(now).value_or(now + std::chrono::seconds(1));
      for (Connection& c : conns_) {
        serve(c, now);
        if (c.parked) wake = std::min(wake, c.parked_until);
        if (!c.out.empty()) wake = std::min(wake, c.out.front().send_at);
      }
      conns_.remove_if([](const Connection& c) {
        if (c.closing && c.fd >= 0) ::close(c.fd);
        return c.closing;
      });
      std::vector<pollfd> fds{{listen_fd, POLLIN, 0}, {control_fd, POLLIN, 0}};
      for (const Connection& c : conns_) {
        const bool want_out = !c.out.empty() && c.out.front().send_at <= now;
        fds.push_back({c.fd, static_cast<short>(POLLIN | (want_out ? POLLOUT : 0)), 0});
      }
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
      if (::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 1000))) <
              0 &&
          errno != EINTR) {
        std::cerr << "kafka_test_broker: poll: " << std::strerror(errno) << "\n";
        return 1;
      }
      accept_all(listen_fd, false);
      accept_all(control_fd, true);
      size_t i = 2;
      for (Connection& c : conns_) {
        if (i >= fds.size()) break;  // accepted during this round: polled next round
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_from(c);
        if (fds[i].revents & POLLOUT) write_to(c);
        ++i;
      }
    }
    return 0;
  }

 private:
  void accept_all(int fd, bool control) {
    for (;;) {
      const int c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) return;
      conns_.push_back(Connection{.fd = c, .control = control});
    }
  }

  void read_from(Connection& c) {
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) c.closing = true;
      return;
    }
  }

  void write_to(Connection& c) {
    const auto now = Clock::now();
    while (!c.out.empty() && c.out.front().send_at <= now) {
      const std::string& b = c.out.front().bytes;
      const ssize_t n = ::send(c.fd, b.data() + c.out_sent, b.size() - c.out_sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.closing = true;
        return;
      }
      c.out_sent += static_cast<size_t>(n);
      if (c.out_sent < b.size()) return;
      c.out.pop_front();
      c.out_sent = 0;
    }
  }

  void respond(Connection& c, const std::string& body, Clock::time_point now) {
    cdc::testing::kafka::Writer w;
    w.i32(static_cast<int32_t>(body.size()));
    w.raw(body);
    c.out.push_back({now + delay_, std::move(w).take()});
  }

  void serve(Connection& c, Clock::time_point now) {
    if (c.control) {
      serve_control(c);
      return;
    }
    if (c.parked) {
      const bool final = now >= c.parked_until;
      if (!final && broker_->append_count() == c.parked_at_append) return;
      const std::string request = *c.parked;
      const auto deadline = c.parked_until;
      c.parked.reset();
      dispatch(c, request, now, final);
      if (c.parked) {
        c.parked_until = deadline;  // an append elsewhere does not extend max_wait_ms
        return;
      }
    }
    while (!c.closing && !c.parked && c.in.size() >= 4) {
      cdc::ByteReader r(std::string_view(c.in).substr(0, 4));
      const auto size = static_cast<int32_t>(r.u32be());
      if (size < 0 || size > kMaxRequestBytes) {
        std::cerr << "kafka_test_broker: request size " << size << " is out of range: closing\n";
        c.closing = true;
        return;
      }
      if (c.in.size() < 4 + static_cast<size_t>(size)) return;
      const std::string request = c.in.substr(4, static_cast<size_t>(size));
      c.in.erase(0, 4 + static_cast<size_t>(size));
      dispatch(c, request, now, false);
    }
  }

  void dispatch(Connection& c, const std::string& request, Clock::time_point now, bool final) {
    const Reply reply = broker_->handle(cdc::as_bytes(request), now, final);
    cdc::ByteReader key(std::string_view(request).substr(0, 2));
    const bool is_produce = key.u16be() == 0 && key.ok();
    switch (reply.kind) {
      case Reply::Kind::respond:
        if (is_produce && lose_produce_responses_ > 0) {
          --lose_produce_responses_;
          std::cerr << "kafka_test_broker: losing a Produce response (control 'lose')\n";
          c.closing = true;
          break;
        }
        respond(c, reply.bytes, now);
        break;
      case Reply::Kind::none: break;
      case Reply::Kind::close: c.closing = true; break;
      case Reply::Kind::park:
        c.parked = request;
        c.parked_until = reply.park_until;
        c.parked_at_append = broker_->append_count();
        break;
    }
  }

  void serve_control(Connection& c) {
    size_t eol;
    while ((eol = c.in.find('\n')) != std::string::npos) {
      const std::string line = c.in.substr(0, eol);
      c.in.erase(0, eol + 1);
      std::string answer = "ok\n";
      const auto arg = [&](size_t prefix) { return to_int(std::string_view(line).substr(prefix)); };
      if (line == "drop") {
        drop_clients();
      } else if (line.rfind("delay ", 0) == 0 && arg(6)) {
        delay_ = std::chrono::milliseconds(*arg(6));
      } else if (line.rfind("lose ", 0) == 0 && arg(5)) {
        lose_produce_responses_ = *arg(5);
      } else if (line.rfind("crash ", 0) == 0 && parse_crash_point(line.substr(6))) {
        broker_->arm_crash(*parse_crash_point(line.substr(6)));
      } else if (line == "restart") {
        drop_clients();
        broker_.reset();  // close the files before they are read back
        auto b = Broker::open(o_.broker, Clock::now());
        if (!b) {
          std::cerr << "kafka_test_broker: restart failed: " << b.error().to_string() << "\n";
          std::exit(1);
        }
        broker_ = std::move(*b);
      } else {
        answer = "error: unknown command '" + line +
                 "' (drop, delay <ms>, lose <n>, crash <point>, restart)\n";
      }
      std::cerr << "kafka_test_broker: control: " << line << "\n";
      c.out.push_back({Clock::now(), answer});
    }
    // Answered now, not after the next poll: an armed crash may fire while the next round serves
    // the producers, and the test waits for this "ok" before it expects the crash.
    write_to(c);
  }

  void drop_clients() {
    for (Connection& c : conns_) {
      if (!c.control) c.closing = true;
    }
  }

  Options o_;
  std::unique_ptr<Broker> broker_;
  std::list<Connection> conns_;
  std::chrono::milliseconds delay_{0};
  int lose_produce_responses_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  if (o.exit_with_parent) {
    // A test that crashes must not leave its broker running: SIGTERM when the parent dies.
    const pid_t parent = ::getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) {
      return 0;  // it died before prctl took effect
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGTERM, on_signal);
  ::signal(SIGINT, on_signal);
  const int listen_fd = listen_on(o.port);
  const int control_fd = listen_on(o.control_port);
  const int bound = bound_port(listen_fd);
  o.broker.port = o.advertised_port != 0 ? o.advertised_port : bound;
  auto broker = Broker::open(o.broker, Clock::now());
  if (!broker) {
    std::cerr << "kafka_test_broker: " << broker.error().to_string() << "\n";
    return 1;
  }
  const std::string ports = std::to_string(bound) + " " + std::to_string(bound_port(control_fd));
  std::cerr << "kafka_test_broker: listening on 127.0.0.1 ports " << ports << "\n";
  if (!o.port_file.empty()) {
    // Written whole and renamed, so a test polling for the file never reads half of it.
    { std::ofstream(o.port_file + ".tmp") << ports << "\n"; }
    std::rename((o.port_file + ".tmp").c_str(), o.port_file.c_str());
  }
  Server server(o, std::move(*broker));
  return server.run(listen_fd, control_fd);
}
