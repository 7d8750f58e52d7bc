#include "scoresactivation/bootstrap.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "scoresactivation/estimator.hpp"
#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

Eigen::MatrixXd bootstrap_scores(const Params& params, Task task, const MatrixView& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& sample_weight, long n_classes, long n_replicates,
                                 const Callbacks& callbacks) {
  const long n = x.rows(), d = x.cols();
  Eigen::MatrixXd out(n_replicates, d);
  // Every replicate's fit polls this; only the calling thread asks the front end.
  std::atomic<bool> stop{false};
  const std::thread::id caller = std::this_thread::get_id();
  Callbacks replicate_callbacks;
  replicate_callbacks.interrupt_requested = [&]() {
    if (std::this_thread::get_id() == caller && callbacks.interrupt_requested && callbacks.interrupt_requested())
      stop.store(true);
    return stop.load();
  };
  parallel_for(n_replicates, params.n_threads, [&](long b) {
    Random rows(derive_seed(params.random_state, 0x626F6F74ULL /* "boot" */, static_cast<std::uint64_t>(b)));
    Eigen::MatrixXd xb(n, d);
    Eigen::VectorXd yb(n), wb(sample_weight.size() == 0 ? 0 : n);
    for (long i = 0; i < n; ++i) {
      const long row = static_cast<long>(rows.uniform_index(static_cast<std::uint64_t>(n)));
      xb.row(i) = x.row(row);
      yb[i] = y[row];
      if (wb.size() > 0) wb[i] = sample_weight[row];
    }
    Params p = params;
    p.n_bootstrap = 0;
    p.n_threads = 1;
    p.random_state = rows.next_u64();
    Estimator replicate(p, task);
    try {
      replicate.fit(xb, yb, wb, n_classes, replicate_callbacks);
    } catch (const std::invalid_argument& e) {
      // Small data: a resample can lose a class or all weight.
      throw std::invalid_argument("n_bootstrap: the fit on bootstrap resample " + std::to_string(b + 1) +
                                  " failed (" + e.what() + "); with this little data use n_bootstrap=0");
    }
    out.row(b) = replicate.scores().transpose();
  });
  if (stop.load()) throw Interrupted();
  return out;
}

}  // namespace scoresactivation
