# Self-explaining neural networks (SENN, Alvarez-Melis and Jaakkola 2018)
# with identity concepts, over the C++ core (core/include/scoresactivation/
# senn_estimator.hpp). The same hyperparameters, defaults and numbers as the
# Python package's SENNClassifier/SENNRegressor
# (python-package/src/scoresactivation/_senn.py). Fit and input handling are
# the tabular model's (R/fit.R, R/predict.R); what differs is the core call
# and the explanations.

#' Fit a self-explaining neural network (SENN)
#'
#' A self-explaining neural network with identity concepts: the model is its
#' own explanation,
#' \deqn{f_k(x) = \sum_i \theta_{k,i}(z) \, z_i + b_k,}
#' with \eqn{z} the standardised features (passed through the
#' ScoresActivation gate when \code{scores_layer = TRUE}, so
#' \code{\link[=scores.senn]{scores}} ranks the features as for
#' \code{\link{scores_activation}}) and \eqn{\theta} a feed-forward network
#' of \code{hidden_layer_sizes}. \eqn{f_k} is the logit of class \eqn{k}
#' (classification: a factor, character or logical response) or the
#' regression output (a numeric response, standardised inside the model).
#' The training loss adds \code{robustness_penalty} times the weighted row
#' mean of \eqn{\sum_k \| \nabla_z f_k - \theta_k \|^2}, which keeps
#' \eqn{\theta} a faithful local linear explanation of the model (its
#' exact gradient is computed in the core).
#'
#' The model is the one of the Python package's \code{SENNClassifier} and
#' \code{SENNRegressor}: equal data and seeds give equal models in R and
#' Python, and \code{\link{save_model}} writes the same document (format
#' version 4, estimator \code{SENNClassifier} or \code{SENNRegressor}).
#'
#' @param x For the default method: a numeric matrix or a data.frame of
#'   numeric (or logical) columns, as for \code{\link{scores_activation}}.
#' @param y The response, as for \code{\link{scores_activation}}.
#' @param formula,data,subset,na.action As for
#'   \code{\link{scores_activation}}.
#' @param weights Optional non-negative prior weights of the rows in the
#'   loss, one per row (in the formula method, evaluated in \code{data}).
#' @param sample_weight An alias of \code{weights}; pass one of them.
#' @param robustness_penalty \eqn{\lambda} of the robustness penalty, a
#'   number in \eqn{[0, 10^6]}; 0 trains \eqn{\theta} without it.
#' @param ... The hyperparameters of \code{\link{scores_activation}}, with
#'   the same names, meanings and defaults (\code{\link{default_params}}):
#'   \code{hidden_layer_sizes} (the layers of \eqn{\theta}),
#'   \code{activation}, \code{scores_layer}, \code{gate}, \code{snr_budget},
#'   \code{temperature}, \code{entropy_penalty}, \code{solver},
#'   \code{learning_rate}, \code{scores_learning_rate}, \code{weight_decay},
#'   \code{momentum}, \code{beta_1}, \code{beta_2}, \code{epsilon},
#'   \code{batch_size}, \code{max_epochs}, \code{refine_epochs},
#'   \code{n_bootstrap}, \code{early_stopping}, \code{validation_fraction},
#'   \code{n_iter_no_change}, \code{tol}, \code{standardize},
#'   \code{random_state}, \code{n_threads}, \code{kernel}; \code{verbose},
#'   \code{callbacks} and \code{validation_data} (rows early stopping
#'   watches instead of holding out \code{validation_fraction}; the forms
#'   of \code{\link{scores_activation}}'s: \code{list(x = , y = )} with
#'   optional \code{weights} for the default method, a data.frame (or
#'   \code{list(data = , weights = )}) for the formula method); and
#'   (default method) \code{sample_weight}. Other names are an error.
#'
#' @return An object of class \code{c("senn", "scores_activation")}: a list of
#'   plain R values as the tabular fit (so \code{saveRDS}/\code{readRDS}
#'   carry it; the C++ estimator is rebuilt from it on each call), with
#'   \code{senn_params = list(robustness_penalty)} and the arrays
#'   \code{theta_<l>_weight}, \code{theta_<l>_bias} and \code{output_bias}.
#'   Its methods: \code{print}, \code{summary}, \code{plot},
#'   \code{\link{scores_uncertainty}} (those of \code{"scores_activation"}),
#'   \code{\link[=predict.senn]{predict}}, \code{\link[=scores.senn]{scores}}
#'   (and \code{coef}), \code{\link[=explain.senn]{explain}},
#'   \code{\link[=global_importance.senn]{global_importance}},
#'   \code{\link{robustness}}, \code{\link{base_values}} (the intercepts
#'   \eqn{b}, an accessor: they are not stored in the object) and
#'   \code{\link{save_model}}; the perturbation measures
#'   \code{\link{faithfulness}}, \code{\link{deletion_curve}} and
#'   \code{\link{insertion_curve}} take SENN models too. The attribution
#'   methods of \code{scores_activation} models (DeepLIFT, Shapley values,
#'   ...) do not.
#' @references Alvarez-Melis and Jaakkola (2018), Towards robust
#'   interpretability with self-explaining neural networks, NeurIPS.
#' @seealso \code{\link{scores_activation}} for the meaning of the
#'   hyperparameters.
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(300 * 4), ncol = 4, dimnames = list(NULL, paste0("x", 1:4)))
#' y <- 3 * x[, 1] - 2 * x[, 2] + x[, 3] * x[, 4] + 0.1 * rnorm(300)
#' fit <- senn(x, y, hidden_layer_sizes = c(16, 8), max_epochs = 40,
#'             random_state = 1, n_threads = 2)
#' fit
#' head(explain(fit, x, "theta"))
#' # contributions plus the base value are the prediction
#' ct <- explain(fit, x[1:3, ], "contributions")
#' rowSums(ct) + attr(ct, "base_values")
#' predict(fit, x[1:3, ])
#' summary(robustness(fit, x))
#'
#' cls <- senn(Species ~ ., data = iris, max_epochs = 40, random_state = 1, n_threads = 2)
#' dim(explain(cls, iris[1:5, ]))  # 5 x 4 x 3
#' @export
senn <- function(x, ...) UseMethod("senn")

#' @rdname senn
#' @export
senn.default <- function(x, y, robustness_penalty = 0.01, ...) {
  call <- match.call()
  call[[1L]] <- as.name("senn")
  if (missing(x)) .stop("x is missing")
  if (missing(y)) .stop("y is missing")
  senn_params <- .normalise_senn_params(robustness_penalty)
  args <- .senn_args(list(...), c(setdiff(.param_names(), "handle_unknown"), "weights", "sample_weight", "verbose",
                                   "callbacks", "validation_data"))
  sample_weight <- .weights_arg(args$weights, args$sample_weight)
  w_arg <- if (is.null(args$weights)) "sample_weight" else "weights"
  args$sample_weight <- NULL
  args$weights <- NULL
  verbose <- if (is.null(args$verbose)) FALSE else args$verbose
  callbacks <- args$callbacks
  validation_data <- args$validation_data
  args$verbose <- NULL
  args$callbacks <- NULL
  args$validation_data <- NULL
  .fit_xy(x, y, args, sample_weight, verbose, call = call, w_arg = w_arg, senn_params = senn_params,
          callbacks = callbacks, validation_data = .validation_parts(validation_data))
}

#' @rdname senn
#' @export
senn.formula <- function(formula, data, subset, weights, na.action, sample_weight = NULL, robustness_penalty = 0.01,
                         ...) {
  call <- match.call()
  call[[1L]] <- as.name("senn")
  args <- .senn_args(list(...), c(setdiff(.param_names(), "handle_unknown"), "verbose", "callbacks", "validation_data"))
  verbose <- if (is.null(args$verbose)) FALSE else args$verbose
  callbacks <- args$callbacks
  validation_data <- args$validation_data
  args$verbose <- NULL
  args$callbacks <- NULL
  args$validation_data <- NULL
  senn_params <- .normalise_senn_params(robustness_penalty)
  # (match.call() and parent.frame() are evaluated here, not as promises in .fit_formula)
  mf <- match.call(expand.dots = FALSE)
  env <- parent.frame()
  .fit_formula(mf, env, args, verbose, call, senn_params = senn_params, callbacks = callbacks,
               validation_data = validation_data)
}

.senn_args <- function(args, allowed) {
  .no_extra_args_list(args, allowed = allowed)
  twice <- unique(names(args)[duplicated(names(args))])
  if (length(twice)) .stop("argument(s) given twice: ", paste(twice, collapse = ", "))
  args
}

# The three lists every core call of a fitted SENN model takes.
.senn_core <- function(object) {
  list(params = .core_params_of(object), senn = object$senn_params, state = .core_state(object))
}

# One core computation on the rows x (a matrix from .newdata_matrix): the
# types of sa_senn_predict.
.senn_compute <- function(object, x, type) {
  core <- .senn_core(object)
  .core(sa_senn_predict(core$params, core$senn, core$state, x, type))
}

#' Predict with a SENN model
#'
#' As \code{\link[=predict.scores_activation]{predict}} for the tabular
#' models, plus \code{type = "link"}.
#'
#' @param object A fit from \code{\link{senn}} or \code{\link{load_model}}.
#' @param newdata A data.frame or numeric matrix, read as
#'   \code{\link[=predict.scores_activation]{predict}} reads it; omitted, the
#'   fitted values.
#' @param type \code{"class"} (a factor; the default for classification),
#'   \code{"prob"} (a matrix of class probabilities), \code{"response"} (the
#'   default for regression: the predicted values; for classification the
#'   same as \code{"prob"}) or \code{"link"} (the class logits as a matrix
#'   with one column per class; for regression the predicted values): what
#'   \code{explain(object, newdata, "contributions")} plus
#'   \code{\link{base_values}} sum to.
#' @param ... Further arguments are an error.
#' @return A factor, a matrix or a numeric vector, one entry (row) per row of
#'   \code{newdata}.
#' @examples
#' fit <- senn(Species ~ ., data = iris, max_epochs = 30, random_state = 1, n_threads = 2)
#' head(predict(fit, iris, type = "prob"))
#' head(predict(fit, iris, type = "link"))
#' @export
predict.senn <- function(object, newdata, type = c("class", "prob", "response", "link"), ...) {
  .check_senn_fit(object)
  .no_extra_args(...)
  link <- !missing(type) && identical(type, "link")
  if (!link) type <- .prediction_type(object, type, missing(type))
  if (missing(newdata) || is.null(newdata)) {
    return(.fitted_prediction(object, if (link && identical(object$task, "classification")) "link" else
      if (link) "response" else type))
  }
  x <- .newdata_matrix(object, newdata)
  rn <- rownames(x)
  classification <- identical(object$task, "classification")
  out <- .senn_compute(object, x, if (classification && !link) "proba" else "decision")
  if (link && classification) {
    dimnames(out) <- list(rn, as.character(object$classes))
    return(out)
  }
  .format_prediction(object, out, if (link) "response" else type, rn)
}

#' Feature scores of a SENN model
#'
#' The learned global importances \eqn{w = \mathrm{softmax}(s / T)} of the
#' ScoresActivation gate in front of the concepts, as
#' \code{\link[=scores.scores_activation]{scores}} for the tabular models.
#' \code{coef} is an alias.
#'
#' @param object A fit from \code{\link{senn}} or \code{\link{load_model}}
#'   with \code{scores_layer = TRUE}.
#' @param sort \code{TRUE} orders the scores from the most to the least
#'   important feature.
#' @param ... Unused.
#' @return A named numeric vector, summing to 1.
#' @export
scores.senn <- function(object, sort = FALSE, ...) {
  .check_senn_fit(object)
  if (!isTRUE(object$params$scores_layer)) {
    .stop("this model was fitted with scores_layer = FALSE and has no feature scores")
  }
  core <- .senn_core(object)
  w <- .core(sa_senn_scores(core$params, core$senn, core$state))
  names(w) <- .feature_labels(object)
  if (isTRUE(sort)) w <- w[order(-w)]
  w
}

#' @rdname scores.senn
#' @export
coef.senn <- function(object, ...) scores.senn(object, ...)

#' Base values of a SENN model
#'
#' The intercepts \eqn{b_k} of \eqn{f_k(x) = \sum_i \theta_{k,i}(z) z_i +
#' b_k}: per class, the logit's intercept; for regression, the prediction
#' where every contribution is 0, in the units of the response. With them the
#' contributions (\code{explain(object, newdata, "contributions")}) sum to
#' \code{predict(object, newdata, type = "link")} exactly. They are computed
#' from the fitted state (an accessor; the object has no
#' \code{base_values} element), and are also the attribute
#' \code{"base_values"} of the contributions.
#'
#' @param object A fit from \code{\link{senn}} or \code{\link{load_model}}.
#' @return A numeric vector: one value per class (named after the classes)
#'   or a single value (regression).
#' @examples
#' fit <- senn(Species ~ ., data = iris, max_epochs = 30, random_state = 1, n_threads = 2)
#' base_values(fit)
#' @export
base_values <- function(object) {
  .check_senn_fit(object)
  core <- .senn_core(object)
  b <- .core(sa_senn_base_values(core$params, core$senn, core$state))
  if (identical(object$task, "classification")) names(b) <- as.character(object$classes)
  b
}

.senn_global_methods <- function() c("scores", .local_methods("senn"))

#' The explanations of a SENN model
#'
#' A SENN model explains each row with its own coefficients (the Python
#' package's \code{est.explain(X, method, target=)}, with the same numbers):
#' \describe{
#'   \item{\code{"theta"}}{the relevances \eqn{\theta_{k,i}(x)} of the
#'     concepts (the gated, standardised features).}
#'   \item{\code{"contributions"}}{\eqn{\theta_{k,i}(x) z_i} in the output's
#'     units (the logit, or the response for regression): each row sums,
#'     with the attribute \code{"base_values"} (\code{\link{base_values}}),
#'     to \code{predict(object, newdata, type = "link")} exactly.}
#'   \item{\code{"gradient"}}{\eqn{\partial f_k / \partial x_i} in the
#'     features' units: what \eqn{\theta} approximates once the robustness
#'     penalty has done its work.}
#'   \item{\code{"shapley"}}{interventional Shapley values of the logit (or
#'     the response) over \code{background} rows, from the core's
#'     model-agnostic explainer: exact up to 12 features (\code{exact}), else
#'     \code{n_permutations} sampled orders (\code{random_state}). The
#'     attribute \code{"base_values"} holds the mean output over the
#'     background.}
#' }
#'
#' @param object A fit from \code{\link{senn}} or \code{\link{load_model}}.
#' @param newdata The rows to explain, read as
#'   \code{\link[=predict.senn]{predict}} reads them.
#' @param method \code{"theta"} (the default), \code{"contributions"},
#'   \code{"gradient"} or \code{"shapley"}.
#' @param background,exact,n_permutations,random_state Shapley values'
#'   options, as for \code{\link{explain}} of the tabular models
#'   (\code{background = NULL}: the training mean).
#' @param target \code{NULL} or, for a classifier, one class label. With
#'   \code{NULL} a classifier gets one slice per class; regression models have
#'   one output (leave \code{target = NULL}).
#' @param verbose \code{TRUE} shows the progress of \code{"shapley"} in
#'   interactive sessions, as for \code{\link{explain}} of the tabular
#'   models.
#' @param ... Further arguments are an error.
#' @return As \code{\link{explain}} for the tabular models: for a regression
#'   model or a single \code{target} a matrix with one row per row of
#'   \code{newdata} and one column per feature; for a classifier with
#'   \code{target = NULL} an array of dimension \code{c(n, d, n_classes)},
#'   its third dimension named after the classes. The attribute
#'   \code{"base_values"} holds the base values of the explained outputs for
#'   \code{"contributions"}, and is \code{NULL} for the other methods.
#' @examples
#' fit <- senn(Species ~ ., data = iris, max_epochs = 30, random_state = 1, n_threads = 2)
#' ct <- explain(fit, iris[c(1, 51, 101), ], "contributions", target = "virginica")
#' rowSums(ct) + attr(ct, "base_values")
#' predict(fit, iris[c(1, 51, 101), ], type = "link")[, "virginica"]
#' @export
explain.senn <- function(object, newdata, method = c("theta", "contributions", "gradient", "shapley"), target = NULL,
                         background = NULL, exact = NULL, n_permutations = 64, random_state = NULL,
                         verbose = FALSE, ...) {
  .check_senn_fit(object)
  .no_extra_args(...)
  progress <- .run_progress(verbose, if (missing(method)) "theta" else method[1L], "rows")
  on.exit(progress$close(), add = TRUE)
  if (missing(newdata) || is.null(newdata)) .stop("newdata is required: the rows to explain")
  method <- if (missing(method)) "theta" else .choice(method, .local_methods("senn"), "method")
  given <- c(background = !missing(background), exact = !missing(exact), n_permutations = !missing(n_permutations),
             random_state = !missing(random_state) && !is.null(random_state))
  values <- list(background = background, exact = exact, n_permutations = n_permutations,
                 random_state = random_state)
  x <- .newdata_matrix(object, newdata)
  rows <- rownames(x)
  dimnames(x) <- NULL
  core <- .senn_core(object)
  r <- .core_explain(object, method, "senn", values, given, target, "raw", ncol(x),
                     function(value, arg) .reference_arg(object, value, arg),
                     function(options) sa_senn_explain(core$params, core$senn, core$state, x, options,
                                                        progress$on_progress))
  results <- r$result$values
  targets <- r$targets
  base_values <- if (length(r$result$base_values)) r$result$base_values
  .attribution_result(object, results, targets, rows, base_values)
}

#' Global feature importance of a SENN model
#'
#' One importance per feature (column order), as the Python package's
#' \code{est.global_importance(X, method)}: \code{"scores"} gives the learned
#' scores (\code{\link[=scores.senn]{scores}}; needs no data), a method of
#' \code{\link[=explain.senn]{explain}} the mean absolute value over the rows
#' of \code{newdata} and, for a classifier without \code{target}, over the
#' classes (\code{"contributions"}: mean \eqn{|\theta_i(x) z_i|};
#' \code{"theta"}: mean \eqn{|\theta_i(x)|}).
#'
#' @inheritParams explain.senn
#' @param newdata Rows to measure the importance on (not used by
#'   \code{"scores"}).
#' @param method \code{"scores"} (the default), \code{"theta"}, \code{"shapley"},
#'   \code{"contributions"} or \code{"gradient"}.
#' @return A numeric vector named after the features.
#' @examples
#' fit <- senn(Species ~ ., data = iris, max_epochs = 30, random_state = 1, n_threads = 2)
#' global_importance(fit)
#' global_importance(fit, iris, "contributions")
#' @export
global_importance.senn <- function(object, newdata = NULL,
                                   method = c("scores", "theta", "contributions", "gradient", "shapley"),
                                   target = NULL, verbose = FALSE, ...) {
  .check_senn_fit(object)
  .no_extra_args(...)
  .check_verbose(verbose)
  method <- if (missing(method)) "scores" else .choice(method, .senn_global_methods(), "method")
  if (method == "scores") {
    if (!is.null(target)) .stop("target does not apply to method = 'scores' (the scores are global)")
    return(scores(object))
  }
  if (is.null(newdata)) .stop("method = '", method, "' needs newdata")
  values <- explain(object, newdata, method, target = target, verbose = verbose)
  out <- apply(abs(values), 2L, mean)
  names(out) <- .feature_labels(object)
  out
}

#' Robustness residual of a SENN model
#'
#' Per row of \code{newdata}, \eqn{\sum_k \| \nabla_z f_k(z) - \theta_k(z)
#' \|^2} on the concepts (in standardised output units): how far the
#' explanation \eqn{\theta} is from the model's own local linear behaviour,
#' what \code{robustness_penalty} drives down in training (the Python
#' package's \code{est.robustness(X)}).
#'
#' @param object A fit from \code{\link{senn}} or \code{\link{load_model}}.
#' @param newdata Rows, read as \code{\link[=predict.senn]{predict}} reads
#'   them.
#' @param ... Further arguments are an error.
#' @return A non-negative numeric vector, one value per row (named by the
#'   row names of \code{newdata}, when it has them).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(200 * 3), ncol = 3)
#' y <- x[, 1] * x[, 2] + 0.1 * rnorm(200)
#' loose <- senn(x, y, robustness_penalty = 0, max_epochs = 30, random_state = 1, n_threads = 2)
#' tight <- senn(x, y, robustness_penalty = 1, max_epochs = 30, random_state = 1, n_threads = 2)
#' c(mean(robustness(loose, x)), mean(robustness(tight, x)))
#' @export
robustness <- function(object, ...) UseMethod("robustness")

#' @rdname robustness
#' @export
robustness.senn <- function(object, newdata, ...) {
  .check_senn_fit(object)
  .no_extra_args(...)
  if (missing(newdata) || is.null(newdata)) .stop("newdata is required: the rows to measure")
  x <- .newdata_matrix(object, newdata)
  out <- .senn_compute(object, x, "robustness")[, 1L]
  names(out) <- rownames(x)
  out
}
