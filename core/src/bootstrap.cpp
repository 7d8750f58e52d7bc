#include "scoresactivation/bootstrap.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "scoresactivation/parallel.hpp"
#include "scoresactivation/random.hpp"

namespace scoresactivation {

Eigen::MatrixXd take_rows(const Eigen::Ref<const Eigen::MatrixXd, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>& x,
                          const std::vector<long>& rows) {
  Eigen::MatrixXd out(static_cast<long>(rows.size()), x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<long>(i)) = x.row(rows[i]);
  return out;
}

Eigen::VectorXd take_values(const Eigen::VectorXd& values, const std::vector<long>& rows) {
  if (values.size() == 0) return Eigen::VectorXd();
  Eigen::VectorXd out(static_cast<long>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<long>(i)] = values[rows[i]];
  return out;
}

Eigen::MatrixXd bootstrap_scores(const Params& params, long n_rows, long n_features, long n_replicates,
                                 const ReplicateFit& fit_replicate, const Callbacks& callbacks) {
  Eigen::MatrixXd out(n_replicates, n_features);
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
    Random draws(derive_seed(params.random_state, 0x626F6F74ULL /* "boot" */, static_cast<std::uint64_t>(b)));
    std::vector<long> rows(static_cast<std::size_t>(n_rows));
    for (long& row : rows) row = static_cast<long>(draws.uniform_index(static_cast<std::uint64_t>(n_rows)));
    Params p = params;
    p.n_bootstrap = 0;
    p.n_threads = 1;
    p.random_state = draws.next_u64();
    try {
      out.row(b) = fit_replicate(rows, p, replicate_callbacks).transpose();
    } catch (const std::invalid_argument& e) {
      // Small data: a resample can lose a class or all weight.
      throw std::invalid_argument("n_bootstrap: the fit on bootstrap resample " + std::to_string(b + 1) +
                                  " failed (" + e.what() + "); with this little data use n_bootstrap=0");
    }
  });
  if (stop.load()) throw Interrupted();
  return out;
}

}  // namespace scoresactivation
