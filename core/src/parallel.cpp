#include "scoresactivation/parallel.hpp"

#include <algorithm>
#include <thread>

#include "scoresactivation/callbacks.hpp"
#include "scoresactivation/interrupt_checkpoint.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace scoresactivation {

int thread_limit() {
  const unsigned cores = std::thread::hardware_concurrency();
  return 4 * std::max(1, static_cast<int>(cores));
}

void parallel_for(long n, int n_threads, const std::function<void(long)>& body,
                  const std::function<bool()>& interrupt_requested) {
  InterruptCheckpoint poller(interrupt_requested);  // asks on this (the calling) thread only
  // More threads than work items or than the machine can run only cost: a
  // count from a model file or a typo (40 000) must not reach the OpenMP runtime.
  n_threads = static_cast<int>(std::min<long>({static_cast<long>(n_threads), static_cast<long>(thread_limit()), n}));
  if (n_threads <= 1 || n <= 1) {
    for (long i = 0; i < n && !poller.stopped(); ++i) {
      body(i);
      poller.check();
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
    poller.check();
  }
  if (error) std::rethrow_exception(error);
  if (poller.stopped()) throw Interrupted();
}

}  // namespace scoresactivation
