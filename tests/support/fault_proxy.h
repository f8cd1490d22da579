// FaultProxy: a TCP proxy for fault tests, a test tool and not a fake server. It listens on
// 127.0.0.1 (a free port) and forwards each accepted connection to 127.0.0.1:<target>, byte
// for byte, until the test injects a network fault:
//
//   latency        every chunk is held this long before it is forwarded (both directions)
//   black hole     a direction's bytes are read and thrown away: the peer's writes succeed and
//                  nothing ever answers (a dead path, a dropped NAT entry); new connections
//                  are not affected unless `blackhole_new` is set
//   reset          every open connection is closed with a TCP RST on both sides
//   cut            after N more bytes in a direction, both sides get a RST: the receiver holds
//                  a packet cut in the middle
//   half-open      one direction's receiver gets a FIN while the other direction still flows
//   stop / start   the listener closes (connections refused, open ones reset) and reopens on
//                  the same port: a proxy or load balancer restart
//
// One thread polls the listener and every connection; the buffer of a direction is bounded
// (4 MiB, then reading from its source pauses), so a stalled peer cannot grow memory.
// Thread-safe: the test thread calls the fault methods while the proxy thread forwards.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

namespace cdc::testing {

class FaultProxy {
 public:
  enum class Direction { to_server, to_client };

  explicit FaultProxy(int target_port);
  ~FaultProxy();  // closes every connection and joins the thread
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }

  void set_latency(std::chrono::milliseconds delay);
  // Throws away `d`'s bytes on the connections open now (and on later ones while
  // `blackhole_new`); `clear_faults` forwards again (what was thrown away stays lost).
  void blackhole(Direction d, bool blackhole_new = false);
  void reset_all();
  // Cuts the connections open now after `bytes` more in `d`, and with `cut_new` also every
  // later connection (each after its first `bytes`) until `clear_faults`: short-lived
  // connections (one HTTP request each) are cut too.
  void cut_after(Direction d, uint64_t bytes, bool cut_new = false);
  void half_open(Direction d);
  void stop();
  void start();
  void clear_faults();  // latency 0, no black hole, no pending cut

  // Connections accepted since construction, open now, and bytes forwarded per direction.
  uint64_t accepted() const { return accepted_; }
  uint64_t open_connections() const { return open_; }
  uint64_t forwarded(Direction d) const;

 private:
  struct State;
  void run();
  void wake();

  int target_port_;
  int port_ = 0;
  std::unique_ptr<State> state_;  // the proxy thread's connections, behind state_mutex_
  std::mutex state_mutex_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> quit_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> open_{0};
  std::atomic<uint64_t> forwarded_[2] = {0, 0};
  std::thread thread_;
};

}  // namespace cdc::testing
