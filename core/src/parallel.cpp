#include "scoresactivation/parallel.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace scoresactivation {

void parallel_for(long n, int n_threads, const std::function<void(long)>& body) {
  if (n_threads <= 1 || n <= 1) {
    for (long i = 0; i < n; ++i) body(i);
    return;
  }
  std::exception_ptr error = nullptr;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(n_threads)
#endif
  for (long i = 0; i < n; ++i) {
    try {
      body(i);
    } catch (...) {
#ifdef _OPENMP
#pragma omp critical
#endif
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace scoresactivation
