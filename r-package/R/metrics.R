# Measures of rankings and attributions, computed in the C++ core (the same
# code as the Python package's scoresactivation.metrics and the benchmarks).

.metric_vector <- function(v, arg) {
  if (is.data.frame(v) || is.list(v) || (!is.null(dim(v)) && length(dim(v)) != 1L)) {
    .stop(arg, " must be a numeric vector")
  }
  if (!(is.numeric(v) || is.logical(v)) || is.factor(v)) .stop(arg, " must be a numeric vector")
  if (anyNA(v)) .stop(arg, " contains missing values (NA)")
  if (any(is.infinite(v))) .stop(arg, " contains infinite values")
  out <- as.double(v)
  names(out) <- names(v)
  out
}

.metric_pair <- function(a, b) {
  a <- .metric_vector(a, "a")
  b <- .metric_vector(b, "b")
  if (length(a) != length(b)) .stop("a and b must have the same length; got ", length(a), " and ", length(b))
  if (length(a) < 2L) .stop("a and b need at least 2 values for a rank correlation")
  list(a = a, b = b)
}

#' Rank correlations and top-k precision of feature rankings
#'
#' \code{spearman}: Spearman's \eqn{\rho} (the Pearson correlation of the
#' average ranks, so ties get their mean rank); \code{kendall_tau}: Kendall's
#' \eqn{\tau_b} (corrected for ties). Both are \code{NA} when a vector is
#' constant, and agree with \code{cor(a, b, method = "spearman")} and
#' \code{cor(a, b, method = "kendall")}. \code{top_k_precision}: the share of
#' the \code{k} highest-scored features that are in \code{relevant}.
#' \code{ranking_stability}: the mean pairwise Spearman correlation of several
#' importance vectors, e.g. the scores of one model fitted with different
#' seeds.
#'
#' @param a,b Numeric vectors of equal length (e.g. two importances of the
#'   same features).
#' @return A number.
#' @seealso \code{\link{global_importance}}, \code{\link{scores}}.
#' @examples
#' imp_a <- c(x1 = 0.5, x2 = 0.3, x3 = 0.1, x4 = 0.1)
#' imp_b <- c(x1 = 0.4, x2 = 0.1, x3 = 0.2, x4 = 0.3)
#' spearman(imp_a, imp_b)
#' kendall_tau(imp_a, imp_b)
#' top_k_precision(imp_a, c("x1", "x2"))
#' top_k_precision(imp_b, c(1, 2))
#' ranking_stability(rbind(imp_a, imp_b, imp_a))
#' @export
spearman <- function(a, b) {
  p <- .metric_pair(a, b)
  .core(sa_spearman(p$a, p$b))
}

#' @rdname spearman
#' @export
kendall_tau <- function(a, b) {
  p <- .metric_pair(a, b)
  .core(sa_kendall_tau(p$a, p$b))
}

#' @rdname spearman
#' @param scores Importances, one per feature.
#' @param relevant The truly relevant features: positions in \code{scores}
#'   (1-based, as R indexes; the Python function takes 0-based indices) or
#'   names of \code{scores}.
#' @param k How many of the highest-scored features to check; \code{NULL} is
#'   the number of relevant features.
#' @export
top_k_precision <- function(scores, relevant, k = NULL) {
  scores <- .metric_vector(scores, "scores")
  d <- length(scores)
  if (is.character(relevant)) {
    labels <- names(scores)
    if (is.null(labels)) .stop("relevant holds names, but scores has no names")
    index <- match(relevant, labels)
    if (anyNA(index)) .stop("relevant names features that scores lacks: ", paste(relevant[is.na(index)], collapse = ", "))
  } else {
    if (!.is_whole(relevant) || any(relevant < 1) || any(relevant > d)) {
      .stop("relevant must hold positions in 1..", d, " or names of scores; got ", .describe(relevant))
    }
    index <- as.integer(relevant)
  }
  if (is.null(k)) k <- length(unique(index))
  if (length(k) != 1L || !.is_whole(k) || k < 1 || k > d) {
    .stop("k must be a whole number in [1, ", d, "], got ", .describe(k))
  }
  .core(sa_top_k_precision(scores, unique(index) - 1L, as.integer(k)))
}

#' @rdname spearman
#' @param importances A matrix with one importance vector per row (at least
#'   2 rows), or a list of such vectors.
#' @export
ranking_stability <- function(importances) {
  if (is.list(importances) && !is.data.frame(importances)) {
    importances <- do.call(rbind, lapply(importances, .metric_vector, arg = "importances"))
  }
  if (is.data.frame(importances)) importances <- as.matrix(importances)
  if (!is.matrix(importances) || !is.numeric(importances) || nrow(importances) < 2L) {
    .stop("importances must be a numeric matrix with at least 2 rows (one importance vector per row)")
  }
  if (anyNA(importances)) .stop("importances contains missing values (NA)")
  pairs <- utils::combn(nrow(importances), 2L)
  mean(apply(pairs, 2L, function(p) spearman(importances[p[1L], ], importances[p[2L], ])))
}

# The shared inputs of the perturbation metrics: rows, attributions (n or 1
# rows), the reference row and the single target index.
.perturbation_inputs <- function(object, newdata, attributions, reference, target, output,
                                 reference_arg = "baseline", per_row = FALSE) {
  .check_perturbation_fit(object)
  output <- .choice(output, c("raw", "probability"), "output")
  if (output == "probability" && !identical(object$task, "classification")) {
    .stop("output = 'probability' needs a classification model")
  }
  if (missing(newdata) || is.null(newdata)) .stop("newdata is required: the rows to perturb")
  x <- .newdata_matrix(object, newdata)
  targets <- .explain_targets(object, target)
  if (targets$class_axis) {
    .stop("target: pass the class to follow, e.g. target = '", targets$labels[1L], "'")
  }
  d <- object$n_features
  a <- attributions
  if (!is.null(dim(a)) && length(dim(a)) > 2L) {
    .stop("attributions has ", length(dim(a)), " dimensions; pass one class's slice, e.g. ",
          "attributions[, , '", targets$labels, "'] for target = '", targets$labels, "'")
  }
  if (is.data.frame(a)) a <- as.matrix(a)
  vn <- if (!is.null(object$variables)) .variable_names(object$variables)
  if (is.null(dim(a))) {
    if (!is.null(names(a)) && !is.null(object$feature_names) && all(object$feature_names %in% names(a))) {
      a <- a[object$feature_names]
    } else if (!is.null(vn) && !is.null(names(a)) && all(vn %in% names(a))) {
      a <- a[vn]
    }
    a <- matrix(a, nrow = 1L)
  }
  if (!is.numeric(a) && !is.logical(a)) .stop("attributions must be numeric")
  # One value per variable (explain()'s default, scores()): each of a
  # categorical variable's columns takes its variable's value.
  if (!is.null(vn) && ncol(a) == length(vn) && ncol(a) != d) {
    a <- a[, rep(seq_along(vn), .variable_widths(object$variables)), drop = FALSE]
  }
  if (ncol(a) != d) .stop("attributions has ", ncol(a), " columns, but the model has ", d, " features")
  if (per_row && nrow(a) != nrow(x)) {
    .stop("attributions must have one row per row of newdata (", nrow(x), "); got ", nrow(a))
  }
  if (!per_row && nrow(a) != nrow(x) && nrow(a) != 1L) {
    .stop("attributions must have one row per row of newdata (", nrow(x), ") or be one global vector; got ",
          nrow(a), " rows")
  }
  if (anyNA(a) || any(is.infinite(a))) .stop("attributions contains missing or infinite values")
  storage.mode(a) <- "double"
  dimnames(a) <- NULL
  ref <- .reference_rows(object, reference, reference_arg)[1L, ]
  rows <- rownames(x)
  dimnames(x) <- NULL
  list(x = x, rows = rows, attributions = a, reference = ref, target = targets$index, output = output,
       threads = .resolve_threads(object$params$n_threads))
}

# The tabular models and SENN (whose output the core reads through an R function).
.check_perturbation_fit <- function(object) {
  if (.is_senn(object)) .check_senn_fit(object) else .check_fit(object)
}

.senn_output_function <- function(object, p) {
  type <- if (p$output == "probability") "proba" else "decision"
  function(rows) .senn_compute(object, rows, type)[, p$target + 1L]
}

.curve <- function(object, newdata, attributions, baseline, target, output, insertion) {
  p <- .perturbation_inputs(object, newdata, attributions, baseline, target, output)
  r <- if (.is_senn(object)) {
    .core(sa_deletion_curve_of(.senn_output_function(object, p), p$x, p$attributions, p$reference, insertion))
  } else {
    .core(sa_deletion_curve(.core_params_of(object), .core_state(object), p$x, p$attributions, p$reference,
                            p$target, p$output, insertion, p$threads))
  }
  dimnames(r$curves) <- list(p$rows, as.character(seq_len(ncol(r$curves)) - 1L))
  r
}

#' Deletion and insertion curves of attributions
#'
#' Perturbation tests of a feature ranking (Petsiuk et al. 2018).
#' \code{deletion_curve} replaces the features of each row of \code{newdata}
#' by their \code{baseline} value one at a time, the most important first (by
#' \code{attributions}), and records the output after each step; a faithful
#' ranking makes the output fall fast (a small area under the curve).
#' \code{insertion_curve} starts from the baseline and reveals the most
#' important features first (a faithful ranking gives a large area).
#'
#' @inheritParams explain
#' @param newdata The rows to perturb, read as \code{predict} reads them.
#' @param attributions Per-row attributions (a matrix with one row per row of
#'   \code{newdata}, e.g. from \code{\link{explain}} with a single
#'   \code{target}) or one global importance vector (e.g. \code{scores(fit)}),
#'   one value per feature.
#' @param baseline The value each removed feature takes: \code{"mean"} (the
#'   training mean), \code{"zeros"} or a numeric vector with one value per
#'   feature (only the first row of a matrix is used).
#' @param target For a classifier, the class whose output is followed
#'   (required); \code{NULL} for regression.
#' @param output \code{"raw"} (logit or regression value) or
#'   \code{"probability"}.
#' @return A list with \code{curves}, a matrix with one row per row of
#'   \code{newdata} and \eqn{d + 1} columns (the output after removing or
#'   revealing \code{0, 1, ..., d} features), and \code{auc}, the mean over
#'   rows of the trapezoid area under the curve with the x axis scaled to
#'   \eqn{[0, 1]}.
#' @seealso \code{\link{faithfulness}}, \code{\link{explain}}.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' rows <- iris[iris$Species == "virginica", ][1:10, ]
#' dl <- explain(fit, rows, target = "virginica")
#' deletion_curve(fit, rows, dl, target = "virginica")$auc
#' # a global ranking (the learned scores) for every row
#' deletion_curve(fit, rows, scores(fit), target = "virginica")$auc
#' insertion_curve(fit, rows, dl, target = "virginica")$auc
#' @export
deletion_curve <- function(object, newdata, attributions, baseline = "mean", target = NULL, output = "raw") {
  .curve(object, newdata, attributions, baseline, target, output, insertion = FALSE)
}

#' @rdname deletion_curve
#' @export
insertion_curve <- function(object, newdata, attributions, baseline = "mean", target = NULL, output = "raw") {
  .curve(object, newdata, attributions, baseline, target, output, insertion = TRUE)
}

#' Faithfulness of attributions
#'
#' SENN's faithfulness (Alvarez-Melis and Jaakkola 2018): for each row, the
#' Pearson correlation between the attributions and the drop of the output
#' when each feature alone is set to its \code{reference} value; the mean
#' over rows (rows where either side is constant are skipped). 1 means the
#' attributions order and scale the features as their single-feature effects
#' do.
#'
#' @inheritParams deletion_curve
#' @param attributions Per-row attributions: a matrix with one row per row of
#'   \code{newdata} and one column per feature.
#' @param reference The value each feature is set to: \code{"median"} (the
#'   column medians of \code{x_train}, as in the paper), \code{"mean"} (the
#'   training mean stored in the model), \code{"zeros"} or a numeric vector
#'   with one value per feature.
#' @param x_train Training data for \code{reference = "median"}, read as
#'   \code{predict} reads \code{newdata} (the Python argument \code{X_train}).
#' @return A number in \eqn{[-1, 1]} (\code{NA} when no row counts).
#' @seealso \code{\link{deletion_curve}}, \code{\link{local_lipschitz}}.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' rows <- iris[c(1, 51, 101), ]
#' faithfulness(fit, rows, explain(fit, rows, target = "setosa"),
#'              x_train = iris, target = "setosa")
#' @export
faithfulness <- function(object, newdata, attributions, reference = "median", x_train = NULL, target = NULL,
                         output = "raw") {
  .check_perturbation_fit(object)
  if (is.character(reference) && identical(reference, "median")) {
    if (is.null(x_train)) .stop("reference = 'median' needs x_train, the training data")
    train <- .newdata_matrix(object, x_train, "x_train")
    reference <- apply(train, 2L, stats::median)
  }
  p <- .perturbation_inputs(object, newdata, attributions, reference, target, output, reference_arg = "reference",
                            per_row = TRUE)
  if (.is_senn(object)) {
    return(.core(sa_faithfulness_of(.senn_output_function(object, p), p$x, p$attributions, p$reference)))
  }
  .core(sa_faithfulness(.core_params_of(object), .core_state(object), p$x, p$attributions, p$reference, p$target,
                        p$output, p$threads))
}

#' Local Lipschitz estimate of an explanation
#'
#' SENN's stability measure (Alvarez-Melis and Jaakkola 2018): for each row of
#' \code{x}, the largest \eqn{\|e(x) - e(x')\|_2 / \|x - x'\|_2} over
#' \code{n_samples} points \eqn{x'} drawn uniformly from the box
#' \eqn{x \pm} \code{radius * feature_scale}. Small values mean that
#' the explanation changes little when the input changes little.
#'
#' @param explain A function taking a numeric matrix of rows (with the column
#'   names of \code{x}) and returning their attributions, one row (or one
#'   \code{n x d x k} slice) per input row; e.g.
#'   \code{function(rows) explain(fit, rows, "gradient")}.
#' @param x The rows to measure at: a numeric matrix or a data.frame of
#'   numeric columns.
#' @param radius Half-width of the box, in units of \code{feature_scale}.
#' @param n_samples Neighbours drawn per row (at most \eqn{10^5}).
#' @param feature_scale One scale per column; \code{NULL} is the columns'
#'   standard deviation (population form, as numpy's), with 1 for constant
#'   columns.
#' @param random_state Seed of the neighbours (a whole number); equal seeds
#'   give equal neighbours in R and Python.
#' @return One estimate per row of \code{x}.
#' @seealso \code{\link{faithfulness}}, \code{\link{explain}}.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' local_lipschitz(function(rows) explain(fit, rows, target = "setosa"),
#'                 iris[c(1, 51, 101), 1:4], n_samples = 10)
#' @export
local_lipschitz <- function(explain, x, radius = 0.1, n_samples = 20, feature_scale = NULL, random_state = 0) {
  if (!is.function(explain)) .stop("explain must be a function mapping a matrix of rows to attributions")
  x <- .as_feature_matrix(x, "x")
  columns <- colnames(x)
  if (is.null(feature_scale)) {
    feature_scale <- sqrt(colMeans(sweep(x, 2L, colMeans(x))^2))
  } else {
    feature_scale <- .metric_vector(feature_scale, "feature_scale")
    if (length(feature_scale) != ncol(x)) {
      .stop("feature_scale must have one value per column of x (", ncol(x), "); got ", length(feature_scale))
    }
  }
  feature_scale <- ifelse(feature_scale > 0, feature_scale, 1)
  if (length(radius) != 1L || !is.numeric(radius) || is.na(radius) || !(radius > 0) || is.infinite(radius)) {
    .stop("radius must be a positive number, got ", .describe(radius))
  }
  n_samples <- .count_arg(n_samples, "n_samples", .max_count("n_samples"))
  if (is.null(random_state)) .stop("random_state must be a whole number >= 0")
  seed <- .resolve_seed(random_state)
  explain_rows <- function(rows) {
    colnames(rows) <- columns
    values <- explain(rows)
    if (!is.numeric(values) || length(values) %% nrow(rows) != 0L) {
      .stop("explain must return numeric attributions with one row per input row")
    }
    matrix(as.double(values), nrow = nrow(rows))
  }
  rows <- rownames(x)
  dimnames(x) <- NULL
  out <- .core(sa_local_lipschitz(explain_rows, x, as.double(feature_scale), as.double(radius), n_samples, seed))
  names(out) <- rows
  out
}
