#' scoresactivation: neural networks that rank their features while they train
#'
#' A feed-forward network whose first layer, the ScoresActivation layer, learns
#' one global score \eqn{s_i} per input feature. Each (standardised) feature is
#' multiplied by \eqn{d \cdot w_i} with \eqn{w = \mathrm{softmax}(s / T)}, and
#' \eqn{s} trains with the rest of the network, so the fitted model ranks the
#' features as a by-product of training: \code{\link{scores}} returns \eqn{w}
#' (non-negative, summing to 1).
#'
#' The package shares its C++ core with the Python package \code{scoresactivation}:
#' the hyperparameters have the same names and defaults, equal integer seeds
#' give equal models (on the same matrix kernel, see \code{kernel} in
#' \code{\link{scores_activation}}), and \code{\link{save_model}} /
#' \code{\link{load_model}} read and write the same JSON model document.
#'
#' Main functions: \code{\link{scores_activation}} (fit),
#' \code{\link[=predict.scores_activation]{predict}}, \code{\link{scores}},
#' \code{\link[=summary.scores_activation]{summary}},
#' \code{\link[=plot.scores_activation]{plot}}, \code{\link{save_model}},
#' \code{\link{load_model}}, \code{\link{default_params}}.
#'
#' Attributions of a fitted model, computed in the same core (DeepLIFT,
#' integrated gradients, gradients, exact and sampled Shapley values,
#' permutation importance): \code{\link{explain}} and
#' \code{\link{global_importance}}. Measures of rankings and attributions:
#' \code{\link{spearman}}, \code{\link{kendall_tau}},
#' \code{\link{top_k_precision}}, \code{\link{ranking_stability}},
#' \code{\link{deletion_curve}}, \code{\link{insertion_curve}},
#' \code{\link{faithfulness}}, \code{\link{local_lipschitz}}. The vignette
#' (\code{vignette("scoresactivation")}) walks through them.
#'
#' @keywords internal
#' @useDynLib scoresactivation, .registration = TRUE
#' @importFrom Rcpp sourceCpp
"_PACKAGE"
