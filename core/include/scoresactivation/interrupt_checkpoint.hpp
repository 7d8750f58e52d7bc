// Interrupt polling from inside the work items of parallel_for, whose own
// polling happens only between items: one item of an attribution method can
// be seconds of work (a row of sampled Shapley values with many orders, a row
// of integrated gradients with a million steps).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "scoresactivation/callbacks.hpp"

namespace scoresactivation {

class InterruptCheckpoint {
 public:
  // interrupt_requested may be empty (never interrupted); it is copied, so a
  // temporary will do. The thread that makes the object is the front end's.
  // progress (optional) hears advance()'s count out of total at the polls.
  explicit InterruptCheckpoint(std::function<bool()> interrupt_requested, ProgressHook progress = nullptr,
                               long total = 0)
      : interrupt_requested_(std::move(interrupt_requested)),
        progress_(std::move(progress)),
        total_(total),
        owner_(std::this_thread::get_id()),
        last_poll_(Clock::now()) {}

  InterruptCheckpoint(const InterruptCheckpoint&) = delete;
  InterruptCheckpoint& operator=(const InterruptCheckpoint&) = delete;

  // Throws Interrupted once an interrupt was requested. interrupt_requested
  // is asked at most every 0.1 s and only on the owner's thread (R and Python
  // check signals there alone); the other threads see its answer at their
  // next call. Cheap enough to call every millisecond of work.
  void poll() {
    if (check()) throw Interrupted();
  }

  // As poll(), but returns whether an interrupt was requested instead of
  // throwing (for OpenMP regions, which no exception may leave).
  bool check() {
    if (stop_.load(std::memory_order_relaxed)) return true;
    if ((!interrupt_requested_ && !progress_) || std::this_thread::get_id() != owner_) return false;
    const Clock::time_point now = Clock::now();
    if (now - last_poll_ < std::chrono::milliseconds(100)) return false;
    last_poll_ = now;
    if (progress_) progress_(done_.load(std::memory_order_relaxed), total_);
    if (interrupt_requested_ && interrupt_requested_()) stop_.store(true, std::memory_order_relaxed);
    return stop_.load(std::memory_order_relaxed);
  }

  // A work item is done (any thread); the progress hook hears the count.
  void advance(long items = 1) { done_.fetch_add(items, std::memory_order_relaxed); }
  // On the owner's thread once the work completed: progress hears total.
  void finish() {
    if (progress_ && !stopped()) progress_(total_, total_);
  }

  bool stopped() const { return stop_.load(std::memory_order_relaxed); }

  // For parallel_for's interrupt argument: lets it skip the items not yet
  // started once a poll saw the interrupt, without asking the front end a
  // second time (its answer is consumed by the first).
  std::function<bool()> stop_signal() const {
    return [this]() { return stopped(); };
  }

 private:
  using Clock = std::chrono::steady_clock;
  const std::function<bool()> interrupt_requested_;
  const ProgressHook progress_;
  const long total_;
  std::atomic<long> done_{0};
  const std::thread::id owner_;
  Clock::time_point last_poll_;  // touched on the owner's thread only
  std::atomic<bool> stop_{false};
};

}  // namespace scoresactivation
