#include "scoresactivation/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "scoresactivation/callbacks.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace scoresactivation {

namespace {

// Polls interrupt_requested at most every 0.1 s; remembers a request.
class InterruptPoller {
 public:
  explicit InterruptPoller(const std::function<bool()>& interrupt_requested)
      : interrupt_requested_(interrupt_requested), last_poll_(Clock::now()) {}

  void poll() {
    if (!interrupt_requested_ || stop_.load(std::memory_order_relaxed)) return;
    const Clock::time_point now = Clock::now();
    if (now - last_poll_ < std::chrono::milliseconds(100)) return;
    last_poll_ = now;
    if (interrupt_requested_()) stop_.store(true, std::memory_order_relaxed);
  }
  bool stopped() const { return stop_.load(std::memory_order_relaxed); }

 private:
  using Clock = std::chrono::steady_clock;
  const std::function<bool()>& interrupt_requested_;
  Clock::time_point last_poll_;
  std::atomic<bool> stop_{false};
};

}  // namespace

int thread_limit() {
  const unsigned cores = std::thread::hardware_concurrency();
  return 4 * std::max(1, static_cast<int>(cores));
}

void parallel_for(long n, int n_threads, const std::function<void(long)>& body,
                  const std::function<bool()>& interrupt_requested) {
  InterruptPoller poller(interrupt_requested);
  // More threads than work items or than the machine can run only cost: a
  // count from a model file or a typo (40 000) must not reach the OpenMP runtime.
  n_threads = static_cast<int>(std::min<long>({static_cast<long>(n_threads), static_cast<long>(thread_limit()), n}));
  if (n_threads <= 1 || n <= 1) {
    for (long i = 0; i < n && !poller.stopped(); ++i) {
      body(i);
      poller.poll();
    }
    if (poller.stopped()) throw Interrupted();
    return;
  }
  std::exception_ptr error = nullptr;
  // Dynamic scheduling keeps the calling thread taking items (and polling)
  // until the end; every item writes only its own results.
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads)
#endif
  for (long i = 0; i < n; ++i) {
    if (poller.stopped()) continue;
    try {
      body(i);
    } catch (...) {
#ifdef _OPENMP
#pragma omp critical
#endif
      if (!error) error = std::current_exception();
    }
#ifdef _OPENMP
    if (omp_get_thread_num() == 0) poller.poll();
#else
    poller.poll();
#endif
  }
  if (error) std::rethrow_exception(error);
  if (poller.stopped()) throw Interrupted();
}

}  // namespace scoresactivation
