// A deterministic parallel loop: work items are fixed up front, so the
// result never depends on the number of threads, only the speed does.
#pragma once

#include <exception>
#include <functional>

namespace scoresactivation {

// Runs body(i) for i in [0, n) on up to n_threads threads (OpenMP when the
// build has it, serial otherwise). The first exception is rethrown here, on
// the calling thread, after the loop.
void parallel_for(long n, int n_threads, const std::function<void(long)>& body);

}  // namespace scoresactivation
