#include "tests/support/private_redis.h"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace cdc::testing {

PrivateRedis::PrivateRedis(std::string dir, std::vector<std::string> extra)
    : dir_(std::move(dir)), extra_(std::move(extra)), port_(free_port()) {
  start();
}

void PrivateRedis::start() {
  std::vector<std::string> argv{"/usr/bin/redis-server",
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--dir",
                                dir_,
                                "--appendonly",
                                "yes",
                                "--appendfsync",
                                "always",
                                "--save",
                                ""};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  server_ = std::make_unique<ChildProcess>(argv, dir_ + "/redis.out", dir_ + "/redis.err");
  // PING without AUTH answers NOAUTH when a password is set: either reply means it is up.
  for (int i = 0; i < 200; ++i) {  // 10 s
    auto r = run_command({"/usr/bin/redis-cli", "-p", std::to_string(port_), "ping"},
                         std::chrono::seconds(5));
    if (r.out == "PONG\n" || r.out.find("NOAUTH") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("private redis-server did not start on port " + std::to_string(port_) +
                           " (log " + dir_ + "/redis.out)");
}

void PrivateRedis::stop(int sig) {
  server_->signal(sig);
  if (!server_->wait(std::chrono::seconds(20))) {
    throw std::runtime_error("private redis-server on port " + std::to_string(port_) +
                             " did not stop");
  }
}

}  // namespace cdc::testing
