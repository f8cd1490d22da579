#include "tests/support/fault_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cdc::testing {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxBuffered = 4 << 20;  // per direction: beyond it reading pauses
constexpr size_t kReadChunk = 64 << 10;

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A close that the peer sees as a RST (SO_LINGER 0), not a FIN.
void close_with_reset(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
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
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1:" + std::to_string(port) +
                             ": " + why);
  }
  set_nonblocking(fd);
  return fd;
}

// -1 when the target refuses (it is down): the accepted client is then reset.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  set_nonblocking(fd);
  return fd;
}

struct Chunk {
  Clock::time_point due;
  std::string bytes;
  size_t sent = 0;
};

// One direction of a connection: bytes read from `from`, held, written to `to`.
struct Flow {
  std::deque<Chunk> chunks;
  size_t buffered = 0;
  bool source_eof = false;  // `from` sent its FIN: pass it on once the chunks are out
  bool shut = false;        // `to` got our FIN; later bytes are thrown away
  bool blackholed = false;
  std::optional<uint64_t> cut_left;
};

struct Connection {
  int fd[2] = {-1, -1};  // [0] client, [1] server
  Flow flow[2];          // [0] client → server, [1] server → client
  bool dead = false;
};

int index_of(FaultProxy::Direction d) { return d == FaultProxy::Direction::to_server ? 0 : 1; }

}  // namespace

struct FaultProxy::State {
  int listener = -1;
  std::vector<std::unique_ptr<Connection>> connections;
  std::chrono::milliseconds latency{0};
  bool blackhole_new[2] = {false, false};
  std::optional<uint64_t> cut_new[2];
};

FaultProxy::FaultProxy(int target_port) : target_port_(target_port), state_(new State) {
  state_->listener = listen_on(0);
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(state_->listener, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error("fault proxy: pipe2 failed");
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  quit_ = true;
  wake();
  thread_.join();
  for (auto& c : state_->connections) {
    ::close(c->fd[0]);
    ::close(c->fd[1]);
  }
  if (state_->listener >= 0) ::close(state_->listener);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void FaultProxy::wake() {
  const char b = 1;
  (void)!::write(wake_pipe_[1], &b, 1);  // ignored: a full pipe already holds a wake-up
}

void FaultProxy::set_latency(std::chrono::milliseconds delay) {
  std::lock_guard lock(state_mutex_);
  state_->latency = delay;
  wake();
}

void FaultProxy::blackhole(Direction d, bool blackhole_new) {
  std::lock_guard lock(state_mutex_);
  const int i = index_of(d);
  for (auto& c : state_->connections) c->flow[i].blackholed = true;
  state_->blackhole_new[i] = blackhole_new;
  wake();
}

void FaultProxy::reset_all() {
  std::lock_guard lock(state_mutex_);
  for (auto& c : state_->connections) c->dead = true;
  wake();
}

void FaultProxy::cut_after(Direction d, uint64_t bytes, bool cut_new) {
  std::lock_guard lock(state_mutex_);
  for (auto& c : state_->connections) c->flow[index_of(d)].cut_left = bytes;
  if (cut_new) state_->cut_new[index_of(d)] = bytes;
  wake();
}

void FaultProxy::half_open(Direction d) {
  std::lock_guard lock(state_mutex_);
  const int i = index_of(d);
  for (auto& c : state_->connections) {
    Flow& f = c->flow[i];
    if (f.shut) continue;
    ::shutdown(c->fd[i == 0 ? 1 : 0], SHUT_WR);
    f.shut = true;
    f.chunks.clear();
    f.buffered = 0;
  }
  wake();
}

void FaultProxy::stop() {
  std::lock_guard lock(state_mutex_);
  if (state_->listener >= 0) ::close(state_->listener);
  state_->listener = -1;
  for (auto& c : state_->connections) c->dead = true;
  wake();
}

void FaultProxy::start() {
  std::lock_guard lock(state_mutex_);
  if (state_->listener < 0) state_->listener = listen_on(port_);
  wake();
}

void FaultProxy::clear_faults() {
  std::lock_guard lock(state_mutex_);
  state_->latency = std::chrono::milliseconds(0);
  state_->blackhole_new[0] = state_->blackhole_new[1] = false;
  state_->cut_new[0].reset();
  state_->cut_new[1].reset();
  for (auto& c : state_->connections) {
    for (Flow& f : c->flow) {
      f.blackholed = false;
      f.cut_left.reset();
    }
  }
  wake();
}

uint64_t FaultProxy::forwarded(Direction d) const { return forwarded_[index_of(d)]; }

void FaultProxy::run() {
  std::vector<pollfd> fds;
  std::unique_lock lock(state_mutex_);
  while (!quit_) {
    State& s = *state_;
    const auto now = Clock::now();
    // What to wait for: the wake pipe, the listener, and per connection reads while its flow
    // has room, writes while a chunk is due; the poll ends when the next held chunk is due.
    int timeout_ms = 1000;
    fds.clear();
    fds.push_back({wake_pipe_[0], POLLIN, 0});
    fds.push_back({s.listener, static_cast<short>(s.listener >= 0 ? POLLIN : 0), 0});
    for (auto& c : s.connections) {
      for (int side = 0; side < 2; ++side) {
        const Flow& out = c->flow[side];     // read from this side
        const Flow& in = c->flow[1 - side];  // written to this side
        short events = 0;
        if (!out.source_eof && out.buffered < kMaxBuffered) events |= POLLIN;
        if (!in.chunks.empty()) {
          const auto wait = in.chunks.front().due - now;
          if (wait <= Clock::duration::zero())
            events |= POLLOUT;
          else
            timeout_ms = std::min<int>(
                timeout_ms,
                std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1);
        }
        fds.push_back({c->fd[side], events, 0});
      }
    }
    lock.unlock();
    ::poll(fds.data(), fds.size(), timeout_ms);
    lock.lock();
    if (quit_) break;

    char drain[64];
    while (::read(wake_pipe_[0], drain, sizeof(drain)) > 0) {
    }
    // The poll results index the connections as they were before the unlock; a fault method
    // only marks connections, so the vector is unchanged.
    if (s.listener >= 0 && (fds[1].revents & POLLIN)) {
      while (true) {
        const int client = ::accept4(s.listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) break;
        ++accepted_;
        const int server = connect_to(target_port_);
        if (server < 0) {
          close_with_reset(client);
          continue;
        }
        auto c = std::make_unique<Connection>();
        c->fd[0] = client;
        c->fd[1] = server;
        for (int i = 0; i < 2; ++i) {
          c->flow[i].blackholed = s.blackhole_new[i];
          c->flow[i].cut_left = s.cut_new[i];
        }
        s.connections.push_back(std::move(c));
        ++open_;
      }
    }

    const auto after = Clock::now();
    const size_t polled = (fds.size() - 2) / 2;
    for (size_t ci = 0; ci < s.connections.size(); ++ci) {
      Connection& c = *s.connections[ci];
      for (int side = 0; side < 2 && !c.dead; ++side) {
        Flow& out = c.flow[side];
        const short rev = ci < polled ? fds[2 + ci * 2 + side].revents : 0;
        if (rev & POLLERR) c.dead = true;
        if (!c.dead && !out.source_eof && (rev & (POLLIN | POLLHUP))) {
          std::string buf(kReadChunk, '\0');
          const ssize_t n = ::read(c.fd[side], buf.data(), buf.size());
          if (n == 0) {
            out.source_eof = true;
          } else if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) c.dead = true;
          } else if (!out.blackholed && !out.shut) {
            buf.resize(static_cast<size_t>(n));
            out.buffered += buf.size();
            out.chunks.push_back({after + s.latency, std::move(buf)});
          }
        }
      }
      for (int side = 0; side < 2 && !c.dead; ++side) {
        Flow& f = c.flow[side];  // written to fd[1 - side]
        const int to = c.fd[1 - side];
        while (!f.chunks.empty() && f.chunks.front().due <= after) {
          Chunk& ch = f.chunks.front();
          size_t want = ch.bytes.size() - ch.sent;
          if (f.cut_left) want = std::min<size_t>(want, *f.cut_left);
          if (want == 0) break;
          const ssize_t n = ::write(to, ch.bytes.data() + ch.sent, want);
          if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) c.dead = true;
            break;
          }
          ch.sent += static_cast<size_t>(n);
          f.buffered -= static_cast<size_t>(n);
          forwarded_[side] += static_cast<uint64_t>(n);
          if (ch.sent == ch.bytes.size()) f.chunks.pop_front();
          if (f.cut_left) *f.cut_left -= static_cast<uint64_t>(n);
        }
        if (f.cut_left && *f.cut_left == 0) c.dead = true;
        if (!c.dead && f.source_eof && f.chunks.empty() && !f.shut) {
          ::shutdown(to, SHUT_WR);
          f.shut = true;
        }
      }
      if (c.dead) {
        close_with_reset(c.fd[0]);
        close_with_reset(c.fd[1]);
      } else if (c.flow[0].shut && c.flow[1].shut) {  // both FINs passed on: nothing can flow
        ::close(c.fd[0]);
        ::close(c.fd[1]);
        c.dead = true;
      }
    }
    std::erase_if(s.connections, [&](const auto& c) {
      if (c->dead) --open_;
      return c->dead;
    });
  }
}

}  // namespace cdc::testing
