// A test's worker thread stopped and joined however the test ends: a failed REQUIRE unwinds
// through the destructor, which sets the worker's stop flag and waits for it.
#pragma once

#include <atomic>
#include <thread>

namespace cdc::testing {

struct JoinOnExit {
  std::atomic<bool>& stop;
  std::thread& thread;
  ~JoinOnExit() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
};

}  // namespace cdc::testing
