// A deterministic parallel loop: work items are fixed up front, so the
// result never depends on the number of threads, only the speed does.
#pragma once

#include <exception>
#include <functional>

namespace scoresactivation {

// Thread counts above this (4 x the hardware threads) run on this many.
int thread_limit();

// Runs body(i) for i in [0, n) on up to n_threads threads (OpenMP when the
// build has it, serial otherwise). The first exception is rethrown here, on
// the calling thread, after the loop. interrupt_requested, when given, is
// polled about every 0.1 s on the calling thread only (front ends may check
// signals there alone); n_threads is capped at thread_limit() and n; once it returns true the remaining items are skipped
// and Interrupted is thrown.
void parallel_for(long n, int n_threads, const std::function<void(long)>& body,
                  const std::function<bool()>& interrupt_requested = nullptr);

}  // namespace scoresactivation
