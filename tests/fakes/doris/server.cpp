// doris_test_server: a Doris FE + BE pair for tests (README, "Doris test server"). The FE port
// redirects Stream Loads to the BE port and answers get_load_state and the SQL API; the BE
// port takes Stream Loads and 2PC. One thread per connection, one lock around the state
// (doris_server.h). A control port takes line commands for fault tests:
//   delay <ms>            hold every later reply for <ms> (0 turns it off)
//   fail <n>              the next <n> Stream Loads answer Status "Fail" (nothing loaded)
//   reset <n>             the next <n> Stream Loads: the connection is closed before the body
//   lose <n>              the next <n> Stream Loads happen but their reply is lost (closed)
//   publish_timeout <n>   the next <n> commits answer "Publish Timeout" and turn VISIBLE later
//   fail_commit <n>       the next <n> 2PC commits fail
//   restart_be            abort every PREPARE/PRECOMMITTED transaction and drop connections
// With --data-dir the state is kept on disk (journal.h) and survives a kill -9 of the server.
//   drop                  drop every client connection
//   stats                 "ok loads N visible N aborted N precommitted N max_commits N"
//   requests              "ok fe_loads N be_loads N chunked N": Stream Load requests by port
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tests/fakes/doris/doris_server.h"

namespace {

using namespace cdc::testing::doris;

// A body larger than this is refused (Doris BE `streaming_load_max_mb`, default 10240 MB; the
// test server keeps everything in memory, so it stops far earlier).
constexpr size_t kMaxBody = 1024u * 1024u * 1024u;

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

struct Args {
  int fe_port = 0;
  int be_port = 0;
  // The BE port the FE redirects loads to instead of the bound one (what a real FE takes from
  // the BE's registered http_port): loads then go through whatever listens there, such as the
  // fault proxy of the fault tests. 0: the bound port.
  int advertised_be_port = 0;
  int control_port = 0;
  std::string port_file;
  std::string data_dir;
  bool exit_with_parent = false;
  ServerOptions server;
};

int parse_int(const char* s, const char* flag) {
  int v = 0;
  const std::string_view t(s);
  if (auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      ec != std::errc() || p != t.data() + t.size() || v < 0) {
    std::cerr << "doris_test_server: " << flag << " needs a non-negative integer, got '" << s
              << "'\n";
    std::exit(2);
  }
  return v;
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "doris_test_server: " << f << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (f == "--fe-port")
      a.fe_port = parse_int(value(), "--fe-port");
    else if (f == "--be-port")
      a.be_port = parse_int(value(), "--be-port");
    else if (f == "--advertised-be-port")
      a.advertised_be_port = parse_int(value(), "--advertised-be-port");
    else if (f == "--control-port")
      a.control_port = parse_int(value(), "--control-port");
    else if (f == "--port-file")
      a.port_file = value();
    else if (f == "--data-dir")
      a.data_dir = value();
    else if (f == "--user")
      a.server.user = value();
    else if (f == "--password")
      a.server.password = value();
    else if (f == "--precommit-timeout-ms")
      a.server.precommit_timeout =
          std::chrono::milliseconds(parse_int(value(), "--precommit-timeout-ms"));
    else if (f == "--group-commit-interval-ms")
      a.server.group_commit_interval =
          std::chrono::milliseconds(parse_int(value(), "--group-commit-interval-ms"));
    else if (f == "--exit-with-parent")
      a.exit_with_parent = true;
    else {
      std::cerr << "usage: doris_test_server [--fe-port N] [--be-port N] [--control-port N] "
                   "[--port-file F]\n"
                   "  [--advertised-be-port N] [--data-dir DIR]\n"
                   "  [--user U] [--password P] [--precommit-timeout-ms N] "
                   "[--group-commit-interval-ms N]\n"
                   "  [--exit-with-parent]\n"
                   "Port 0 picks a free port; F receives \"<fe port> <be port> <control port>\".\n";
      std::exit(2);
    }
  }
  return a;
}

int listen_on(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 64) != 0) {
    std::cerr << "doris_test_server: cannot listen on 127.0.0.1:" << port << ": "
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

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

class Connections {
 public:
  void add(int fd) {
    std::lock_guard lock(mu_);
    fds_.insert(fd);
  }
  void remove(int fd) {
    std::lock_guard lock(mu_);
    fds_.erase(fd);
  }
  void drop_all() {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  std::mutex mu_;
  std::set<int> fds_;
};

Connections g_connections;

// Serves one keep-alive connection until the peer closes it or a reply resets it.
void serve(DorisServer& server, Port port, int fd) {
  g_connections.add(fd);
  std::string in;
  char buf[64 * 1024];
  const auto read_more = [&]() -> bool {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    in.append(buf, static_cast<size_t>(n));
    return true;
  };
  for (;;) {
    size_t head_end;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
      if (in.size() > 64 * 1024 || !read_more()) goto done;
    }
    {
      HttpRequest req;
      if (!parse_head(std::string_view(in).substr(0, head_end + 2), req)) {
        send_all(fd, HttpResponse{400, {}, "malformed request"}.serialize());
        goto done;
      }
      in.erase(0, head_end + 4);
      if (auto early = server.on_head(port, req)) {
        if (early->reset) goto done;
        // Answered before the body: with `Expect: 100-continue` no body follows (RFC 9110
        // 10.1.1); without it the body that follows is read and thrown away.
        const std::string* expect = req.header("expect");
        const bool body_follows = expect == nullptr;
        std::string out = early->response.serialize();
        if (!send_all(fd, out)) goto done;
        if (!body_follows) goto done;  // the client may still send the body: close instead
        const std::string* len = req.header("content-length");
        const std::string* te = req.header("transfer-encoding");
        if (te != nullptr) goto done;
        size_t need = 0;
        if (len != nullptr) std::from_chars(len->data(), len->data() + len->size(), need);
        while (in.size() < need) {
          if (!read_more()) goto done;
        }
        in.erase(0, need);
        continue;
      }
      if (const std::string* expect = req.header("expect");
          expect != nullptr && *expect == "100-continue") {
        if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) goto done;
      }
      const std::string* te = req.header("transfer-encoding");
      if (te != nullptr && *te == "chunked") {
        size_t consumed = 0;
        for (;;) {
          // Only a buffer ending in CRLF CRLF can hold the last chunk and its empty trailer.
          if (in.size() >= 5 && in.ends_with("\r\n\r\n")) {
            const auto state = decode_chunked(in, req.body, consumed);
            if (state == ChunkedState::done) break;
            if (state == ChunkedState::malformed) {
              send_all(fd, HttpResponse{400, {}, "malformed chunked body"}.serialize());
              goto done;
            }
          }
          if (in.size() > kMaxBody || !read_more()) goto done;
        }
        in.erase(0, consumed);
      } else {
        size_t need = 0;
        if (const std::string* len = req.header("content-length")) {
          std::from_chars(len->data(), len->data() + len->size(), need);
        }
        if (need > kMaxBody) goto done;
        while (in.size() < need) {
          if (!read_more()) goto done;
        }
        req.body = in.substr(0, need);
        in.erase(0, need);
      }
      Reply r = server.handle(port, req);
      if (r.delay.count() > 0) std::this_thread::sleep_for(r.delay);
      if (r.reset || !send_all(fd, r.response.serialize())) goto done;
    }
  }
done:
  g_connections.remove(fd);
  ::close(fd);
}

void accept_loop(DorisServer& server, Port port, int listen_fd) {
  while (!g_stop) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
    std::thread([&server, port, fd] { serve(server, port, fd); }).detach();
  }
}

void control_loop(DorisServer& server, int listen_fd) {
  while (!g_stop) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::thread([&server, fd] {
      std::string in;
      char buf[4096];
      for (;;) {
        size_t nl;
        while ((nl = in.find('\n')) == std::string::npos) {
          const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
          if (n <= 0) {
            ::close(fd);
            return;
          }
          in.append(buf, static_cast<size_t>(n));
        }
        std::string line = in.substr(0, nl);
        in.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string answer;
        if (line == "drop") {
          g_connections.drop_all();
          answer = "ok";
        } else {
          answer = server.control(line);
          if (line == "restart_be") g_connections.drop_all();
        }
        if (!send_all(fd, answer + "\n")) break;
      }
      ::close(fd);
    }).detach();
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  if (args.exit_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  ::signal(SIGPIPE, SIG_IGN);
  const int fe = listen_on(args.fe_port);
  const int be = listen_on(args.be_port);
  const int control = listen_on(args.control_port);
  args.server.be_port = args.advertised_be_port != 0 ? args.advertised_be_port : bound_port(be);
  DorisServer server(args.server);
  if (!args.data_dir.empty()) {
    if (auto r = server.open_data_dir(args.data_dir); !r) {
      std::cerr << "doris_test_server: " << r.error().message << "\n";
      return 2;
    }
  }
  if (!args.port_file.empty()) {
    const std::string tmp = args.port_file + ".tmp";
    std::ofstream(tmp) << bound_port(fe) << " " << bound_port(be) << " " << bound_port(control)
                       << "\n";
    std::rename(tmp.c_str(), args.port_file.c_str());
  }
  std::thread(accept_loop, std::ref(server), Port::fe, fe).detach();
  std::thread(accept_loop, std::ref(server), Port::be, be).detach();
  std::thread(control_loop, std::ref(server), control).detach();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.on_timer();
  }
  return 0;
}
