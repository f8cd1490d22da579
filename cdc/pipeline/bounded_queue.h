// BoundedQueue: a multi-producer/multi-consumer FIFO bounded both in items and in bytes.
// This is where backpressure lives: push() blocks while the queue is full, so a slow sink
// slows the reader instead of growing memory. An item larger than the byte bound is still
// admitted when the queue is empty (otherwise it could never pass). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>

namespace cdc::pipeline {

template <class T>
class BoundedQueue {
 public:
  BoundedQueue(size_t max_items, size_t max_bytes) : max_items_(max_items), max_bytes_(max_bytes) {}

  // Blocks while full. Returns false (item dropped) when stop is requested or the queue closed.
  bool push(T item, size_t items, size_t bytes, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    const bool admitted = not_full_.wait(lock, stop, [&] {
      return closed_ || queue_.empty() ||
             (items_ + items <= max_items_ && bytes_ + bytes <= max_bytes_);
    });
    if (!admitted || closed_) return false;
    queue_.push_back(Entry{std::move(item), items, bytes});
    items_ += items;
    bytes_ += bytes;
    not_empty_.notify_one();
    return true;
  }

  // Waits up to `timeout` for an item; nullopt on timeout, stop, or closed-and-empty.
  std::optional<T> pop(std::chrono::milliseconds timeout, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, stop, timeout, [&] { return closed_ || !queue_.empty(); })) {
      return std::nullopt;
    }
    if (queue_.empty()) return std::nullopt;
    Entry e = std::move(queue_.front());
    queue_.pop_front();
    items_ -= e.items;
    bytes_ -= e.bytes;
    not_full_.notify_all();
    return std::move(e.item);
  }

  // Wakes every waiter; later pushes fail, pops drain what is left.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  struct Depth {
    size_t items = 0;
    size_t bytes = 0;
  };
  // Both counts of one moment (one lock, not two reads that a push may fall between).
  Depth depth() const {
    std::lock_guard lock(mutex_);
    return {items_, bytes_};
  }
  size_t items() const { return depth().items; }

 private:
  struct Entry {
    T item;
    size_t items;
    size_t bytes;
  };
  const size_t max_items_;
  const size_t max_bytes_;
  mutable std::mutex mutex_;  // guards queue_, items_, bytes_, closed_
  std::condition_variable_any not_full_;
  std::condition_variable_any not_empty_;
  std::deque<Entry> queue_;
  size_t items_ = 0;
  size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace cdc::pipeline
