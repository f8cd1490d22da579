#include "cdc/pipeline/bounded_queue.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using cdc::pipeline::BoundedQueue;
using namespace std::chrono_literals;

TEST_CASE("BoundedQueue blocks the producer when the event bound is reached") {
  BoundedQueue<int> q(/*max_items=*/3, /*max_bytes=*/1000);
  std::stop_source never;
  REQUIRE(q.push(1, 2, 10, never.get_token()));
  REQUIRE(q.push(2, 1, 10, never.get_token()));
  std::atomic<bool> pushed{false};
  std::jthread producer([&] { pushed = q.push(3, 1, 10, never.get_token()); });
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(pushed.load());  // 3 items queued: full
  CHECK(q.items() == 3);
  CHECK(*q.pop(100ms, never.get_token()) == 1);
  producer.join();
  CHECK(pushed.load());
  CHECK(q.items() == 2);
}

TEST_CASE("BoundedQueue blocks on bytes, but admits an oversized item into an empty queue") {
  BoundedQueue<int> q(100, /*max_bytes=*/100);
  std::stop_source never;
  REQUIRE(q.push(1, 1, 5000, never.get_token()));  // alone: admitted
  std::stop_source stop;
  std::atomic<bool> result{true};
  std::jthread producer([&] { result = q.push(2, 1, 1, stop.get_token()); });
  std::this_thread::sleep_for(50ms);
  CHECK(q.items() == 1);
  stop.request_stop();  // a stop wakes a blocked producer and drops its item
  producer.join();
  CHECK_FALSE(result.load());
  CHECK(q.depth().bytes == 5000);
}

TEST_CASE("BoundedQueue pop times out, and close wakes everyone") {
  BoundedQueue<int> q(1, 100);
  std::stop_source never;
  CHECK_FALSE(q.pop(20ms, never.get_token()).has_value());
  REQUIRE(q.push(7, 1, 1, never.get_token()));
  q.close();
  CHECK_FALSE(q.push(8, 1, 1, never.get_token()));
  CHECK(*q.pop(20ms, never.get_token()) == 7);  // drains what is left
  CHECK_FALSE(q.pop(20ms, never.get_token()).has_value());
}
