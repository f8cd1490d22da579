// eventually: polls a condition until it holds or `limit` passes; returns its last value.
#pragma once

#include <chrono>
#include <thread>

namespace cdc::testing {

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit,
                std::chrono::milliseconds step = std::chrono::milliseconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(step);
  }
  return condition();
}

}  // namespace cdc::testing
