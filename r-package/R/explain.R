# Local and global attributions of a fitted model, computed in the C++ core.
# The same methods, argument names and defaults as the Python package
# (python-package/src/scoresactivation/_explain.py).

# The local methods of each family, the default first (the core's list).
.local_methods <- function(family = "tabular") sa_explain_methods(family)
.global_methods <- function() c(.local_methods(), "scores", "permutation")
# The core's bound of a count (core/include/scoresactivation/attribution_limits.hpp),
# checked here too so that R names it before converting to a C int.
.max_count <- function(name) sa_max_counts()[[name]]
#' Local attributions: DeepLIFT, integrated gradients, gradients, Shapley values
#'
#' Explains every row of \code{newdata}: one contribution per feature to the
#' model's output for that row. All methods run in the C++ core shared with
#' the Python package (\code{est.explain(X, method, ...)} there, with the same
#' argument names and defaults), so R and Python give the same numbers.
#'
#' The explained output is the class logit (pre-softmax; \code{output =
#' "raw"}) or, for regression, the predicted value in the units of the
#' response. Methods:
#' \describe{
#'   \item{\code{"deeplift"}}{DeepLIFT (Shrikumar et al. 2017) with the
#'     \code{rule} \code{"rescale"} or \code{"reveal_cancel"}. Each row's
#'     contributions sum to \eqn{f(x) - f(x_0)}, the output minus the output at
#'     the \code{baseline} (with several baseline rows, the contributions are
#'     averaged and sum to \eqn{f(x)} minus the mean baseline output).}
#'   \item{\code{"integrated_gradients"}}{Integrated gradients (Sundararajan et
#'     al. 2017) from the \code{baseline} to \eqn{x}, with \code{n_steps}
#'     points of the quadrature rule \code{integration}; sums to
#'     \eqn{f(x) - f(x_0)} up to the quadrature error.}
#'   \item{\code{"gradient"}, \code{"gradient_times_input"}}{\eqn{\partial
#'     f / \partial x_i} (saliency) and \eqn{x_i \, \partial f / \partial x_i},
#'     in the original units of the features.}
#'   \item{\code{"shapley"}}{Interventional Shapley values over the
#'     \code{background} rows (the value of a coalition is the mean output with
#'     the other features taken from each background row, as in shap's exact
#'     and permutation explainers): exact (all \eqn{2^d} coalitions) or
#'     sampled from \code{n_permutations} random feature orders, each paired
#'     with its reverse. Each row sums to \eqn{f(x)} minus the mean output over
#'     the background. The only method that can explain class probabilities
#'     (\code{output = "probability"}).}
#' }
#'
#' Each method reads only its own options: \code{baseline} and \code{rule}
#' (DeepLIFT), \code{baseline}, \code{n_steps} and \code{integration}
#' (integrated gradients), \code{background}, \code{exact},
#' \code{n_permutations} and \code{random_state} (Shapley values); passing
#' another method's option is an error rather than silently ignored. Long runs
#' stop at Esc / Ctrl-C.
#'
#' @param object A fit from \code{\link{scores_activation}} or
#'   \code{\link{load_model}}.
#' @param newdata The rows to explain: a data.frame or numeric matrix, read as
#'   \code{\link[=predict.scores_activation]{predict}} reads it (for a formula
#'   fit, the formula's \code{model.matrix} encoding is applied).
#' @param method \code{"deeplift"}, \code{"integrated_gradients"},
#'   \code{"gradient"}, \code{"gradient_times_input"} or \code{"shapley"}.
#' @param baseline The reference input of DeepLIFT and integrated gradients:
#'   \code{"mean"} (the training mean stored in the model; an error when the model
#'   was fitted with \code{standardize = FALSE}), \code{"zeros"}, a numeric
#'   vector with one value per feature, or a matrix (or data.frame) of
#'   reference rows whose attributions are averaged. Numeric vectors and
#'   matrices are in the model's feature space (the columns of
#'   \code{fit$feature_names}, matched by name when named); a data.frame is
#'   encoded like \code{newdata}.
#' @param target \code{NULL} or, for a classifier, one class label. With
#'   \code{NULL} a classifier gets one slice of attributions per class.
#'   Regression models have one output; leave \code{target = NULL}.
#' @param output \code{"raw"} (the logit, or the regression value) or
#'   \code{"probability"} (class probabilities; \code{method = "shapley"} and
#'   classifiers only).
#' @param rule DeepLIFT's rule for the activations: \code{"rescale"} or
#'   \code{"reveal_cancel"}.
#' @param n_steps Number of quadrature points of integrated gradients (at
#'   most \eqn{10^6}).
#' @param integration Quadrature rule of integrated gradients:
#'   \code{"gausslegendre"}, \code{"riemann_left"}, \code{"riemann_right"},
#'   \code{"riemann_middle"} or \code{"riemann_trapezoid"}.
#' @param background Rows the Shapley value function averages over, in the
#'   forms \code{baseline} takes; \code{NULL} is \code{"mean"}, the training
#'   mean. A few dozen rows of the training data are the usual choice.
#' @param exact \code{NULL} (exact Shapley values up to 12 features, sampled
#'   above), \code{TRUE} (exact; at most 16 features) or \code{FALSE}
#'   (sampled).
#' @param n_permutations Number of random feature orders of sampled Shapley
#'   values (rounded up to an even number: each order is paired with its
#'   reverse; at most \eqn{10^7}).
#' @param random_state Seed of sampled Shapley values: \code{NULL} (drawn from
#'   R's random number generator, so \code{\link{set.seed}} makes the result
#'   reproducible) or a whole number. Equal seeds give equal values in R and
#'   Python, whatever the number of threads.
#' @param per_level For a model with categorical variables (factor or
#'   character columns, see \code{\link{scores_activation}}): \code{FALSE}
#'   (the default) gives one attribution per variable, the sum of its
#'   one-hot columns' attributions (the methods are additive, so the rows
#'   still sum as described); \code{TRUE} gives one per encoded column, named
#'   \code{variable=level}. Without categorical variables both are the same.
#' @param verbose \code{TRUE} shows the progress of Shapley values (rows
#'   done, with the time left) in interactive sessions: a progress bar when
#'   the progress package is installed, else one line rewritten in place.
#'   Nothing is shown in non-interactive runs or by the other methods, which
#'   take about one pass over the rows.
#' @param ... Further arguments are an error.
#'
#' @return For a regression model or a single \code{target}: a numeric matrix
#'   with one row per row of \code{newdata} and one column per feature (named
#'   after the features). For a classifier with \code{target = NULL}: an array
#'   of dimension \code{c(n, d, n_classes)} whose third dimension is named
#'   after the classes. The attribute \code{"base_values"} holds the output the
#'   attributions are measured from (the mean output at the baseline for
#'   DeepLIFT and integrated gradients, over the background for Shapley
#'   values; one per class when there is a class axis); \code{NULL} for the
#'   gradient methods.
#' @references Shrikumar, Greenside and Kundaje (2017), Learning important
#'   features through propagating activation differences, ICML.
#'   Sundararajan, Taly and Yan (2017), Axiomatic attribution for deep
#'   networks, ICML. Lundberg and Lee (2017), A unified approach to
#'   interpreting model predictions, NeurIPS.
#' @seealso \code{\link{global_importance}} for one importance per feature,
#'   \code{\link{deletion_curve}} and \code{\link{faithfulness}} to measure
#'   attributions, \code{\link{scores}} for the learned scores.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' # DeepLIFT: the contributions to the 'virginica' logit sum to its change
#' # from the training mean
#' dl <- explain(fit, iris[c(1, 51, 101), ], target = "virginica")
#' dl
#' rowSums(dl) + attr(dl, "base_values")
#'
#' # every class at once: an n x d x 3 array
#' dim(explain(fit, iris[1:5, ], "integrated_gradients"))
#'
#' # exact Shapley values of the class probabilities over 20 background rows
#' sv <- explain(fit, iris[c(1, 51, 101), ], "shapley", target = "versicolor",
#'               output = "probability", background = iris[seq(1, 150, 8), ])
#' round(sv, 3)
#' @export
explain <- function(object, newdata, ...) UseMethod("explain")

#' @rdname explain
#' @export
explain.scores_activation <- function(object, newdata, method = "deeplift", baseline = "mean", target = NULL,
                                      output = "raw", rule = "rescale", n_steps = 50, integration = "gausslegendre",
                                      background = NULL, exact = NULL, n_permutations = 64, random_state = NULL,
                                      per_level = FALSE, verbose = FALSE, ...) {
  .check_fit(object)
  .no_extra_args(...)
  progress <- .run_progress(verbose, method[1L], "rows")
  on.exit(progress$close(), add = TRUE)
  if (!is.logical(per_level) || length(per_level) != 1L || is.na(per_level)) {
    .stop("per_level must be TRUE or FALSE, got ", .describe(per_level))
  }
  if (missing(newdata) || is.null(newdata)) .stop("newdata is required: the rows to explain")
  method <- .choice(method, .local_methods(), "method")
  given <- c(baseline = !missing(baseline), rule = !missing(rule), n_steps = !missing(n_steps),
             integration = !missing(integration), background = !missing(background), exact = !missing(exact),
             n_permutations = !missing(n_permutations),
             # NULL is the default; global_importance passes it on as such.
             random_state = !missing(random_state) && !is.null(random_state))
  values <- list(baseline = baseline, rule = rule, n_steps = n_steps, integration = integration,
                 background = background, exact = exact, n_permutations = n_permutations,
                 random_state = random_state)
  x <- .newdata_matrix(object, newdata)
  rows <- rownames(x)
  dimnames(x) <- NULL
  params <- .core_params_of(object)
  state <- .core_state(object)
  r <- .core_explain(object, method, "tabular", values, given, target, output, ncol(x),
                     function(value, arg) .reference_arg(object, value, arg),
                     function(options) sa_explain(params, state, x, options, progress$on_progress))
  out <- .attribution_result(object, r$result$values, r$targets, rows,
                             if (length(r$result$base_values)) r$result$base_values)
  # Categorical variables: the sum of each variable's columns (the methods
  # are additive), unless per_level asks for one value per level column.
  if (!is.null(object$variables) && !per_level) out <- .sum_by_variable(out, object$variables)
  out
}

# The core's explain() for any family (core/include/scoresactivation/explain.hpp
# holds the policy: which options a method reads, references, output rules,
# exactness, base values). Here only R values are converted: the options the
# method reads, the targets, and a seed drawn from R's generator only where
# the core says the call samples. values: every option's value; given: named
# logicals, TRUE where the caller passed one; reference(value, arg) gives
# list(kind, rows); call(options) runs the family's core explain. Returns
# list(result, targets).
.core_explain <- function(object, method, family, values, given, target, output, n_players, reference, call) {
  own <- .core(sa_explain_method_options(method, family))
  output <- .choice(output, c("raw", "probability"), "output")
  targets <- .explain_targets(object, target)
  options <- list(method = method, given = names(given)[given], targets = targets$index, output = output,
                  n_threads = .resolve_threads(object$params$n_threads))
  for (name in intersect(c("rule", "integration"), own)) options[[name]] <- .string_arg(values[[name]], name)
  if ("n_steps" %in% own) options$n_steps <- .count_arg(values$n_steps, "n_steps", .max_count("n_steps"))
  if ("exact" %in% own) options$exact <- .exact_code(values$exact)
  if ("n_permutations" %in% own) {
    options$n_permutations <- .count_arg(values$n_permutations, "n_permutations", .max_count("n_permutations"))
  }
  if ("random_state" %in% own) {
    sampled <- sa_explain_uses_seed(method, if (is.null(options$exact)) -1L else options$exact, n_players)
    if (sampled || !is.null(values$random_state)) options$seed <- .resolve_seed(values$random_state)
  }
  for (name in intersect(c("baseline", "background"), own)) {
    ref <- reference(if (is.null(values[[name]])) "mean" else values[[name]], name)
    options[[name]] <- ref$kind
    options[[paste0(name, "_rows")]] <- ref$rows
  }
  list(result = .core(call(options)), targets = targets)
}

# A string option whose value the core checks (rule, integration).
.string_arg <- function(value, arg) {
  if (!is.character(value) || length(value) != 1L || is.na(value)) .stop(arg, " must be a string; got ", .describe(value))
  value
}

# exact as the core takes it: -1 (NULL: exact up to 12 features), 0 or 1.
.exact_code <- function(exact) {
  if (is.null(exact)) return(-1L)
  if (!is.logical(exact) || length(exact) != 1L || is.na(exact)) {
    .stop("exact must be NULL, TRUE or FALSE, got ", .describe(exact))
  }
  as.integer(exact)
}

# A reference option as the core takes it: list(kind = "mean" | "zeros",
# rows = an empty matrix) or list(kind = "rows", rows = the rows as a matrix).
.reference_arg <- function(object, values, arg = "baseline") {
  empty <- matrix(0, 0L, 0L)
  if (is.character(values) && is.null(dim(values)) && length(values) == 1L && values %in% c("mean", "zeros")) {
    return(list(kind = values, rows = empty))
  }
  rows <- .reference_rows(object, values, arg)
  dimnames(rows) <- NULL
  list(kind = "rows", rows = rows)
}

# explain()'s result from one (n, d) matrix per target (results, in the
# order of targets$index): the matrix itself, or an (n, d, classes) array
# when targets has a class axis; base_values (one per target, or NULL)
# named by class and attached as the attribute "base_values". Shared by the
# tabular and SENN models.
.attribution_result <- function(object, results, targets, rows, base_values) {
  features <- .feature_labels(object)
  if (targets$class_axis) {
    values <- array(unlist(results, use.names = FALSE),
                    dim = c(nrow(results[[1L]]), ncol(results[[1L]]), length(results)),
                    dimnames = list(rows, features, targets$labels))
    if (!is.null(base_values)) names(base_values) <- targets$labels
  } else {
    values <- results[[1L]]
    dimnames(values) <- list(rows, features)
  }
  attr(values, "base_values") <- base_values
  values
}

# Output indices (0-based) to explain, their labels, and whether the result
# has a class axis.
.explain_targets <- function(object, target) {
  if (!identical(object$task, "classification")) {
    if (!is.null(target)) .stop("target: a regression model has a single output; leave target = NULL")
    return(list(index = 0L, labels = NULL, class_axis = FALSE))
  }
  classes <- as.character(object$classes)
  if (is.null(target)) return(list(index = seq_along(classes) - 1L, labels = classes, class_axis = TRUE))
  if (length(target) != 1L || is.na(target) || !(is.atomic(target) || is.factor(target))) {
    .stop("target must be NULL or one of the classes ", paste0("'", classes, "'", collapse = ", "),
          "; got ", .describe(target))
  }
  index <- match(as.character(target), classes)
  if (is.na(index)) {
    .stop("target must be NULL or one of the classes ", paste0("'", classes, "'", collapse = ", "),
          "; got '", as.character(target), "'")
  }
  list(index = index - 1L, labels = classes[index], class_axis = FALSE)
}

# Reference rows (r, d) from "mean", "zeros", a row or a matrix/data.frame of
# rows; errors name the argument.
.reference_rows <- function(object, values, arg) {
  d <- object$n_features
  names <- object$feature_names
  if (is.character(values) && is.null(dim(values))) {
    if (identical(values, "mean")) {
      if (!isTRUE(object$params$standardize)) {
        # Without standardisation the model stores no training mean.
        .stop(arg, " = \"mean\" needs the training mean, which a model fitted with standardize = FALSE ",
              "does not store; pass the rows instead, e.g. ", arg, " = colMeans(x_train)")
      }
      return(matrix(as.double(object$arrays$input_mean), 1L, d))
    }
    if (identical(values, "zeros")) return(matrix(0, 1L, d))
    .stop(arg, " must be 'mean', 'zeros', a row or a matrix of rows; got ", .describe(values))
  }
  if (is.data.frame(values)) {
    rows <- .newdata_matrix(object, values, arg)
  } else if (is.null(dim(values)) && (is.numeric(values) || is.logical(values)) && !is.factor(values)) {
    if (!is.null(names) && !is.null(names(values)) && all(names %in% names(values))) values <- values[names]
    if (length(values) != d) {
      .stop(arg, " has ", length(values), " values, but the model expects ", d, " (one per feature)")
    }
    rows <- .as_feature_matrix(matrix(values, 1L), arg)
  } else if (is.matrix(values)) {
    cols <- colnames(values)
    if (!is.null(names) && !is.null(cols)) {
      absent <- setdiff(names, cols)
      if (length(absent)) {
        .stop(arg, " lacks the column(s) ", paste(utils::head(absent, 10L), collapse = ", "),
              " that the model was fitted on")
      }
      values <- values[, names, drop = FALSE]
    }
    rows <- .as_feature_matrix(values, arg)
    if (ncol(rows) != d) .stop(arg, " has ", ncol(rows), " columns, but the model expects ", d)
  } else {
    .stop(arg, " must be 'mean', 'zeros', a numeric vector or a matrix/data.frame of rows; got an object of class ",
          paste(class(values), collapse = "/"))
  }
  dimnames(rows) <- NULL
  rows
}

.choice <- function(value, choices, arg) {
  if (!is.character(value) || length(value) != 1L || is.na(value) || !value %in% choices) {
    .stop(arg, " must be one of ", paste0("'", choices, "'", collapse = ", "), "; got ", .describe(value))
  }
  value
}

# A count in [1, max] as an integer (logicals are not counts).
.count_arg <- function(value, arg, max = .Machine$integer.max) {
  if (length(value) != 1L || !.is_whole(value) || value < 1) {
    .stop(arg, " must be a positive whole number, got ", .describe(value))
  }
  if (value > max) .stop(arg, " must be an integer in [1, ", format(max, scientific = FALSE), "]; got ",
                         format(value, scientific = FALSE))
  as.integer(value)
}

# The true responses of permutation importance as the core takes them: class
# indices (0-based) or numbers; n: the rows (unit "row") or sequences of newdata.
.true_responses <- function(object, y, n, unit) {
  if (is.null(y)) .stop("method = 'permutation' needs y, the true responses of newdata")
  if (is.data.frame(y) && ncol(y) == 1L) y <- y[[1L]]
  if (!is.null(dim(y)) || length(y) != n) {
    .stop("y must have one value per ", unit, " of newdata (", n, "); got ", length(y))
  }
  if (anyNA(y)) .stop("y contains missing values (NA)")
  if (identical(object$task, "classification")) {
    index <- match(as.character(y), as.character(object$classes))
    if (anyNA(index)) {
      .stop("y contains labels the classifier was not fitted on: ",
            paste(utils::head(unique(as.character(y)[is.na(index)]), 5L), collapse = ", "))
    }
    return(as.double(index - 1L))
  }
  if (!is.numeric(y)) .stop("y must be numeric for a regression model; got ", paste(class(y), collapse = "/"))
  if (any(!is.finite(y))) .stop("y contains infinite values")
  as.double(y)
}

#' Global feature importance: learned scores, permutation importance or mean
#' absolute attributions
#'
#' One importance per feature, by one of three routes (the Python package's
#' \code{est.global_importance(X, y, method, ...)}):
#' \describe{
#'   \item{\code{"scores"}}{the learned scores, \code{\link{scores}(object)};
#'     needs no data.}
#'   \item{\code{"permutation"}}{permutation importance (Breiman 2001, with
#'     scikit-learn's definition): the increase of the model's loss
#'     (cross-entropy for classification, half the squared error for
#'     regression) when one column of \code{newdata} is shuffled, averaged over
#'     \code{n_repeats} shuffles. Needs \code{y}.}
#'   \item{a local method}{\code{"deeplift"}, \code{"integrated_gradients"},
#'     \code{"gradient"}, \code{"gradient_times_input"} or \code{"shapley"}:
#'     the mean absolute attribution (\code{\link{explain}}) over the rows of
#'     \code{newdata} and, for a classifier without \code{target}, over the
#'     classes.}
#' }
#'
#' @inheritParams explain
#' @param newdata Rows to measure the importance on (not needed for
#'   \code{"scores"}).
#' @param y The true responses of \code{newdata} for \code{"permutation"}:
#'   class labels (factor or character) or numbers. For a formula fit,
#'   \code{NULL} takes the response from \code{newdata} when it holds it.
#' @param method \code{"scores"}, \code{"permutation"} or a local method of
#'   \code{\link{explain}}.
#' @param n_repeats Shuffles per feature for \code{"permutation"} (at most
#'   \eqn{10^5}; an error with the other methods).
#' @param random_state Seed of the shuffles (\code{"permutation"}) or of
#'   sampled Shapley values: \code{NULL} (drawn from R's random number
#'   generator) or a whole number.
#' @param verbose \code{TRUE} shows the progress of \code{"permutation"}
#'   (shuffles done) and \code{"shapley"} (rows done), with the time left, in
#'   interactive sessions (see \code{\link{explain}}).
#' @param ... Arguments of \code{\link{explain}} for the local methods
#'   (\code{baseline}, \code{target}, \code{background}, ...).
#' @return A numeric vector named after the features.
#' @seealso \code{\link{explain}}, \code{\link{scores}},
#'   \code{\link{spearman}} to compare two importances.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' global_importance(fit)
#' global_importance(fit, iris, iris$Species, "permutation", random_state = 1)
#' global_importance(fit, iris, method = "deeplift")
#' @export
global_importance <- function(object, ...) UseMethod("global_importance")

#' @rdname global_importance
#' @export
global_importance.scores_activation <- function(object, newdata = NULL, y = NULL, method = "scores", n_repeats = 5,
                                                random_state = NULL, verbose = FALSE, ...) {
  .check_fit(object)
  .check_verbose(verbose)
  method <- .choice(method, .global_methods(), "method")
  if (method != "permutation" && !missing(n_repeats)) {
    .stop("n_repeats does not apply to method = '", method, "'; it is the shuffles per feature of ",
          "method = 'permutation'")
  }
  if (method == "scores") {
    .no_extra_args(...)
    if (!is.null(random_state)) .stop("random_state does not apply to method = 'scores' (the learned scores ",
                                      "involve no sampling)")
    return(scores(object))
  }
  if (is.null(newdata)) .stop("method = '", method, "' needs newdata")
  if (method != "permutation") {
    values <- explain(object, newdata, method, random_state = random_state, verbose = verbose, ...)
    out <- apply(abs(values), 2L, mean)
    names(out) <- dimnames(values)[[2L]]
    return(out)
  }
  .no_extra_args(...)
  x <- .newdata_matrix(object, newdata)
  if (is.null(y) && !is.null(object$terms) && is.data.frame(newdata)) {
    response <- attr(object$terms, "variables")[[2L]]
    y <- tryCatch(eval(response, newdata, environment(object$terms)), error = function(e) NULL)
  }
  y_core <- .true_responses(object, y, nrow(x), "row")
  n_repeats <- .count_arg(n_repeats, "n_repeats", .max_count("n_repeats"))
  seed <- .resolve_seed(random_state)
  rownames(x) <- NULL
  progress <- .run_progress(verbose, "permutation", "shuffles")
  on.exit(progress$close(), add = TRUE)
  result <- .core(sa_permutation_importance(.core_params_of(object), .core_state(object), x, y_core, numeric(0),
                                            n_repeats, seed, .resolve_threads(object$params$n_threads),
                                            progress$on_progress))
  out <- result$importances_mean
  names(out) <- .score_labels(object)  # (the core shuffles a categorical variable's columns together)
  out
}
