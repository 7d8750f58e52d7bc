#' Fit a neural network that learns a global score per feature
#'
#' Trains a feed-forward network whose first layer is a ScoresActivation
#' layer: one score \eqn{s_i} per standardised input feature (starting at 0)
#' trains with the network, and \eqn{w = \mathrm{softmax}(s / T)} is the
#' global importance of the features (\code{\link{scores}}). By default
#' (\code{gate = "snr"}) \eqn{w} splits a signal-to-noise budget between the
#' features during training, so that it follows each feature's value to the
#' loss; \code{gate = "scale"} multiplies feature \eqn{i} by \eqn{d \cdot w_i}
#' (the paper's formulation). A factor response gives a classifier (softmax
#' output, cross-entropy loss), a numeric response a regressor (squared error
#' on the standardised target).
#'
#' @section Categorical variables:
#' A factor or character column of \code{data} (formula method) or of a
#' data.frame \code{x} (default method) is a categorical variable. Its levels
#' are the factor's \code{levels()} in their order (unused levels included),
#' or for a character column the distinct values sorted by code point
#' (\code{sort(unique(x), method = "radix")}, as Python sorts them). A variable
#' with \eqn{k} levels becomes \eqn{k} one-hot columns named
#' \code{variable=level} (every level, no baseline dropped) that share ONE
#' score: \code{\link{scores}} gives one score per variable, named after the
#' variables; \code{\link{explain}} sums a variable's columns (its
#' \code{per_level = TRUE} gives the columns), and permutation importance
#' (\code{\link{global_importance}}) shuffles them together. Logical and
#' numeric columns are numeric variables (one column each). Missing values in
#' a categorical variable are an error (at fit and at predict). At predict a
#' level not seen in fit is an error naming the variable, or with
#' \code{handle_unknown = "ignore"} encoded as all zeros; a variable none of
#' whose values is a known level is an error either way. Formulas may
#' transform numeric variables (\code{log(x)}), but interactions of
#' categorical variables are refused: the network learns interactions itself.
#' The encoding is the Python package's (a pandas model predicts an R
#' data.frame and the other way round), and \code{\link{save_model}} writes the
#' variables, their levels and the formula.
#'
#' The hyperparameters have the same names, meanings and defaults as in the
#' Python package (\code{ScoresActivationClassifier},
#' \code{ScoresActivationRegressor}); the defaults come from the C++ core, see
#' \code{\link{default_params}}.
#'
#' @param x For the default method: a numeric matrix or a data.frame, one row
#'   per sample, of numeric, logical, factor or character columns (factor and
#'   character columns are categorical variables; see the section below).
#' @param y A factor (classification; the classes are its levels, in order) or
#'   a numeric vector (regression), one value per row of \code{x}. Character
#'   and logical vectors are classification targets too; character labels are
#'   ordered by code point (as in Python), whatever the locale.
#' @param formula A model formula such as \code{Species ~ .}. Factor and
#'   character variables on the right-hand side are categorical variables (one
#'   score each; see the section below). Formulas without them are encoded by
#'   \code{\link[stats]{model.matrix}} (the intercept column dropped), so
#'   interactions of numeric variables work there.
#' @param data A data.frame holding the variables of \code{formula}.
#' @param subset Optional expression selecting the rows of \code{data} to use.
#' @param na.action How to treat missing values in \code{data}. By default
#'   they are an error; pass \code{na.action = na.omit} to drop those rows,
#'   or \code{na.exclude} to drop them and pad \code{fitted()},
#'   \code{residuals()} and \code{predict()} without newdata with \code{NA}
#'   at their places.
#' @param hidden_layer_sizes Integer vector: the width of each hidden layer.
#' @param activation Activation of the hidden layers: \code{"relu"},
#'   \code{"tanh"}, \code{"logistic"} or \code{"identity"}.
#' @param scores_layer \code{TRUE} to train the ScoresActivation layer;
#'   \code{FALSE} trains the same network without it (a baseline, which has no
#'   scores).
#' @param gate How the scores act on the inputs. \code{"snr"}: with
#'   \eqn{r_i = c \, d \, w_i} (\eqn{c} = \code{snr_budget}), training sees
#'   \eqn{x_i \sqrt{r_i / (1 + r_i)} + \epsilon_i \sqrt{1 / (1 + r_i)}}
#'   (standard normal noise from the seeded generator) and prediction the
#'   noise-free term. \code{"scale"}: \eqn{x_i \, d \, w_i}; with
#'   \code{entropy_penalty = 0.03, learning_rate = 1e-3, weight_decay = 1,
#'   n_iter_no_change = 10, refine_epochs = 0} it is the earlier default.
#' @param snr_budget The \code{"snr"} gate's budget per feature on average
#'   (\eqn{c}). Smaller makes the features compete harder (stabler scores, less
#'   room for curved effects); larger lets every feature through.
#' @param temperature \eqn{T} in \eqn{w = \mathrm{softmax}(s / T)}.
#' @param entropy_penalty Weight of the entropy \eqn{H(w) = -\sum w \log w}
#'   added to the loss; pushes the scores to commit to a few features.
#' @param solver \code{"adam"} (Adam with decoupled weight decay, AdamW) or
#'   \code{"sgd"} (SGD with momentum).
#' @param learning_rate Step size of the dense weights and biases.
#' @param scores_learning_rate Step size of the scores \eqn{s}.
#' @param weight_decay Decoupled decay of the dense weights (PyTorch's AdamW
#'   convention): each step multiplies them by
#'   \code{1 - learning_rate * weight_decay}. Biases and scores do not decay.
#'   With \code{gate = "scale"} the decay is what makes the scores, not the
#'   first dense layer, carry the feature selection.
#' @param momentum Momentum of \code{solver = "sgd"}.
#' @param beta_1,beta_2,epsilon Adam's moment decay rates and its epsilon.
#' @param batch_size Mini-batch size.
#' @param max_epochs Maximum number of passes over the training data while
#'   the scores learn.
#' @param refine_epochs Passes at most after that, with the scores frozen and
#'   no training noise: the network fits the clean gated inputs it predicts
#'   on. 0 skips this phase.
#' @param n_bootstrap Refits on bootstrap resamples of the rows (each with its
#'   own seed, on \code{n_threads} threads) after the fit, for the scores'
#'   uncertainty (\code{\link{scores_uncertainty}}, error bars in
#'   \code{plot}); costs \code{n_bootstrap} fits. 0: none. The model itself
#'   (predictions, \code{scores}) is the main fit's.
#' @param early_stopping \code{TRUE} holds out \code{validation_fraction} of the
#'   rows (stratified by class for classification; or watches the rows of
#'   \code{validation_data}), stops after
#'   \code{n_iter_no_change} epochs without a validation-loss improvement
#'   larger than \code{tol}. The refinement starts where the scores phase
#'   ended (its scores are the settled ones) and keeps its own best epoch;
#'   without a refinement the weights and scores of the best epoch are kept.
#' @param validation_fraction Share of the rows held out for early stopping
#'   (not used with \code{validation_data}).
#' @param n_iter_no_change Epochs without improvement before stopping.
#' @param tol Minimum improvement of the monitored loss.
#' @param standardize \code{TRUE} standardises the inputs (and a regression
#'   target) inside the model; means and standard deviations are stored, so
#'   \code{predict} takes data on the original scale. Scores compare features
#'   only when the features share a scale.
#' @param random_state \code{NULL} (a seed is drawn from R's random number
#'   generator, so \code{\link{set.seed}} makes the fit reproducible) or a whole
#'   number in \eqn{[0, 2^{32})}. It seeds every random choice of the core
#'   (initial weights, validation split, shuffles); the seed used is stored as
#'   \code{fit$seed}. Equal seeds give equal models in R and Python.
#' @param n_threads Threads for prediction, attributions and large
#'   mini-batches: \code{NULL} (the default, as \code{None} in Python) uses
#'   all cores, a negative number counts back from them (\code{-1}: all,
#'   \code{-2}: all but one). Results do not depend on it. Under
#'   \code{R CMD check --as-cran} \code{NULL} means 2 threads.
#' @param kernel Matrix-product kernel: \code{"auto"} (AVX2+FMA when the CPU
#'   has it, else portable), \code{"avx2"} or \code{"portable"}. Bitwise
#'   reproducibility across machines needs the same kernel on each.
#' @param class_weight Classification: the classes' weights in the loss, times
#'   \code{weights}: \code{NULL}, \code{"balanced"} (\eqn{n / (K n_k)}, as
#'   scikit-learn) or a named numeric vector \code{c(class = weight)} (classes
#'   it does not name keep 1).
#' @param handle_unknown What \code{predict} (and \code{explain} etc.) does with
#'   a level of a categorical variable that the fit did not see:
#'   \code{"error"} (the default; the error names the variable and the
#'   levels) or \code{"ignore"} (all of that variable's columns are 0 for the
#'   row). Stored with the model.
#' @param weights Optional non-negative prior weights of the rows in the
#'   loss, one per row (in the formula method, evaluated in \code{data} as
#'   \code{lm} does).
#' @param sample_weight An alias of \code{weights} (the Python package's
#'   name); pass one of them.
#' @param verbose \code{TRUE} prints the losses and the top features after each
#'   epoch (in an interactive session with the \pkg{progress} package
#'   installed: a progress bar).
#' @param callbacks A function, or a list of functions, called after every
#'   epoch with a list: \code{epoch}, \code{train_loss},
#'   \code{validation_loss} and \code{validation_score} (on the validation
#'   rows: early stopping's held-out rows or \code{validation_data}; the
#'   score is the weighted accuracy for classification, the weighted
#'   \eqn{R^2} for regression; both \code{NA} without validation rows),
#'   \code{improved} and \code{scores} (the current scores, or \code{NULL}).
#'   An error in one ends the fit with that error.
#' @param validation_data \code{NULL}, or rows that early stopping watches
#'   instead of holding out \code{validation_fraction} of the training rows
#'   (every training row then trains), as the Python package's
#'   \code{fit(validation_data = (X_val, y_val))}. Default method:
#'   \code{list(x = , y = )} with an optional \code{weights} (or
#'   \code{sample_weight}) element, or the unnamed \code{list(x, y)} or
#'   \code{list(x, y, weights)}. Formula method: a data.frame holding the
#'   variables of the formula, the response included (evaluated through the
#'   model's terms, as \code{predict} reads \code{newdata}), or
#'   \code{list(data = <data.frame>, weights = <numeric>)}. The rows are read
#'   as \code{predict} reads \code{newdata} (columns matched by name,
#'   factor and character columns encoded with the training levels and
#'   \code{handle_unknown}), put on the training rows' scale, and their
#'   response must hold the training classes (classification) or numbers
#'   (regression); \code{class_weight} applies to their weights too. Missing
#'   values are an error. With \code{early_stopping = FALSE} they are only
#'   watched: the fit is the one without them, and the curves are recorded.
#'   Each epoch's validation loss and score (weighted accuracy, or
#'   \eqn{R^2}) are \code{arrays$validation_loss_curve} and
#'   \code{arrays$validation_score_curve}.
#' @param ... Hyperparameters, \code{verbose}, \code{callbacks} and
#'   \code{validation_data} (formula method); further arguments are an
#'   error.
#'
#' @return An object of class \code{"scores_activation"}: a list of plain R
#'   values (hyperparameters, the seed used, feature names, classes and the
#'   fitted arrays in \code{$arrays}), so \code{saveRDS}/\code{readRDS} carry it
#'   to a new session. Its elements include \code{task}, \code{params},
#'   \code{seed}, \code{kernel} (the kernel used), \code{feature_names}
#'   (the encoded columns, \code{variable=level} for a categorical variable),
#'   \code{variables} (only with categorical variables: a list of
#'   \code{list(name, levels)}, \code{levels} \code{NULL} for a numeric
#'   variable), \code{formula} (formula method: the formula's text),
#'   \code{classes}, \code{n_epochs_run}, \code{best_epoch} and \code{arrays}
#'   (\code{loss_curve}, \code{validation_loss_curve} and
#'   \code{validation_score_curve} (per epoch on the validation rows, the
#'   loss and the weighted accuracy or \eqn{R^2}; empty and absent without
#'   validation rows), \code{scores_history},
#'   \code{scores} (raw \eqn{s}), \code{dense_<l>_weight} ...). An Esc or
#'   Ctrl-C during training stops the fit with an error of class
#'   \code{"interrupt"} whose message is "fit interrupted".
#'
#' @seealso \code{\link{scores}}, \code{\link[=predict.scores_activation]{predict}},
#'   \code{\link[=summary.scores_activation]{summary}},
#'   \code{\link[=plot.scores_activation]{plot}}, \code{\link{save_model}}.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' fit
#' scores(fit)
#' table(predict(fit), iris$Species)  # the fitted classes (predict() without newdata)
#'
#' # x/y interface, regression: only the first two columns matter
#' set.seed(1)
#' x <- matrix(rnorm(400 * 4), ncol = 4, dimnames = list(NULL, paste0("v", 1:4)))
#' y <- sin(2 * x[, 1]) + x[, 2]^2 + 0.1 * rnorm(400)
#' reg <- scores_activation(x, y, hidden_layer_sizes = c(32, 16), max_epochs = 60,
#'                          n_threads = 2)
#' round(scores(reg, sort = TRUE), 3)
#'
#' # a factor is one variable with one score (its levels share it)
#' d <- data.frame(g = factor(sample(c("a", "b", "c"), 300, TRUE)), x = rnorm(300),
#'                 noise = rnorm(300))
#' d$y <- c(a = -1, b = 0, c = 1)[as.character(d$g)] + d$x + 0.1 * rnorm(300)
#' cat_fit <- scores_activation(y ~ ., data = d, max_epochs = 20, n_threads = 2)
#' scores(cat_fit)
#' head(explain(cat_fit, d[1:3, ], per_level = TRUE))
#'
#' # rows early stopping watches instead of a validation_fraction split
#' held <- seq(1, 150, by = 3)
#' watched <- scores_activation(Species ~ ., data = iris[-held, ], validation_data = iris[held, ],
#'                              max_epochs = 30, random_state = 1, n_threads = 2)
#' watched$arrays$validation_score_curve[watched$best_epoch]  # accuracy on iris[held, ]
#' @export
scores_activation <- function(x, ...) UseMethod("scores_activation")

#' @rdname scores_activation
#' @export
scores_activation.default <- function(x, y,
                                      hidden_layer_sizes = c(64L, 32L),
                                      activation = "relu",
                                      scores_layer = TRUE,
                                      gate = "snr",
                                      snr_budget = 1.5,
                                      temperature = 1,
                                      entropy_penalty = 0,
                                      solver = "adam",
                                      learning_rate = 2e-3,
                                      scores_learning_rate = 1e-2,
                                      weight_decay = 0.1,
                                      momentum = 0.9,
                                      beta_1 = 0.9,
                                      beta_2 = 0.999,
                                      epsilon = 1e-8,
                                      batch_size = 64L,
                                      max_epochs = 200L,
                                      refine_epochs = 20L,
                                      n_bootstrap = 0L,
                                      early_stopping = TRUE,
                                      validation_fraction = 0.1,
                                      n_iter_no_change = 15L,
                                      tol = 1e-4,
                                      standardize = TRUE,
                                      random_state = NULL,
                                      n_threads = NULL,
                                      kernel = "auto",
                                      class_weight = NULL,
                                      handle_unknown = "error",
                                      weights = NULL,
                                      sample_weight = NULL,
                                      verbose = FALSE,
                                      callbacks = NULL,
                                      validation_data = NULL,
                                      ...) {
  .no_extra_args(...)
  call <- match.call()
  call[[1L]] <- as.name("scores_activation")
  if (missing(x)) .stop("x is missing")
  if (missing(y)) .stop("y is missing")
  params <- mget(.param_names(), envir = environment())
  .fit_xy(x, y, params, .weights_arg(weights, sample_weight), verbose, call = call,
          w_arg = if (is.null(weights)) "sample_weight" else "weights", callbacks = callbacks,
          validation_data = .validation_parts(validation_data))
}

#' @rdname scores_activation
#' @export
scores_activation.formula <- function(formula, data, subset, weights, na.action, sample_weight = NULL, ...) {
  call <- match.call()
  call[[1L]] <- as.name("scores_activation")
  args <- list(...)
  verbose <- if (is.null(args$verbose)) FALSE else args$verbose
  callbacks <- args$callbacks
  validation_data <- args$validation_data
  args$verbose <- NULL
  args$callbacks <- NULL
  args$validation_data <- NULL
  .no_extra_args_list(args, allowed = .param_names())

  # (match.call() and parent.frame() are evaluated here, not as promises in .fit_formula)
  mf <- match.call(expand.dots = FALSE)
  env <- parent.frame()
  .fit_formula(mf, env, args, verbose, call, callbacks = callbacks, validation_data = validation_data)
}

# The formula methods' shared fit (scores_activation(), senn()): mf is the
# method's match.call(expand.dots = FALSE), env the caller's frame, args the
# hyperparameters; senn_params as .fit_xy takes them; validation_data as the
# user gave it (R/validation.R, .formula_validation_parts).
.fit_formula <- function(mf, env, args, verbose, call, senn_params = NULL, callbacks = NULL,
                         validation_data = NULL) {
  keep <- match(c("formula", "data", "subset", "weights", "na.action", "sample_weight"), names(mf), 0L)
  mf <- mf[c(1L, keep)]
  if (all(c("weights", "sample_weight") %in% names(mf))) .stop("pass weights or sample_weight (its alias), not both")
  w_arg <- if ("sample_weight" %in% names(mf)) "sample_weight" else "weights"
  names(mf)[names(mf) == "sample_weight"] <- "weights"
  # A ScoresActivation fit keeps every level of a factor (the categorical
  # encoding uses levels(), as the Python package uses a pandas Categorical's).
  mf$drop.unused.levels <- !is.null(senn_params)
  default_na <- !"na.action" %in% names(mf)
  if (default_na) mf$na.action <- quote(stats::na.pass)
  mf[[1L]] <- quote(stats::model.frame)
  mf <- tryCatch(eval(mf, env), error = function(e) .stop("data: ", conditionMessage(e)))
  mt <- attr(mf, "terms")
  if (attr(mt, "response") == 0L) .stop("formula needs a response, e.g. y ~ .")
  if (nrow(mf) == 0L) .stop("data has 0 rows")
  if (default_na) {
    has_na <- vapply(mf, anyNA, logical(1))
    if (any(has_na)) {
      .stop("data has missing values (NA) in: ", paste(names(mf)[has_na], collapse = ", "),
            "; remove them or pass na.action = na.omit")
    }
  }
  y <- stats::model.response(mf)
  weights <- stats::model.weights(mf)
  response_col <- attr(mt, "response")
  inputs <- mf[setdiff(seq_along(mf), c(response_col, match("(weights)", names(mf), 0L)))]
  categorical <- is.null(senn_params) && length(inputs) > 0L && .has_categorical(inputs)
  contrasts <- NULL
  if (categorical) {
    # Factor and character variables: one-hot columns of all levels sharing
    # one score (R/categorical.R), as the Python package encodes them.
    .check_formula_terms(mt)
    x <- .predictor_columns(mt, mf)
  } else {
    x <- stats::model.matrix(mt, mf)
    contrasts <- attr(x, "contrasts")
    x <- x[, colnames(x) != "(Intercept)", drop = FALSE]
    attr(x, "assign") <- NULL
    attr(x, "contrasts") <- NULL
    # As predict(newdata) names its rows: automatic row names are dropped.
    if (is.integer(attr(mf, "row.names"))) rownames(x) <- NULL
  }

  xlevels <- if (!categorical) stats::.getXlevels(mt, mf)
  # The validation rows go through the terms, as predict(newdata) reads them.
  validation_parts <- .formula_validation_parts(validation_data, mt)
  fit <- .fit_xy(x, y, args, weights, verbose, call = call, x_arg = "data",
                 y_arg = "the response", w_arg = w_arg, senn_params = senn_params, callbacks = callbacks,
                 validation_data = validation_parts,
                 formula_parts = list(terms = mt, xlevels = xlevels, contrasts = contrasts))
  fit$na.action <- attr(mf, "na.action")
  fit$terms <- mt
  fit$xlevels <- xlevels
  fit$contrasts <- contrasts
  if (is.null(senn_params)) fit$formula <- .formula_text(mt)
  fit
}

.no_extra_args <- function(...) {
  extra <- list(...)
  if (length(extra)) {
    nm <- names(extra)
    if (is.null(nm)) nm <- rep("", length(extra))
    label <- ifelse(nzchar(nm), nm, "<unnamed>")
    .stop("unknown argument(s): ", paste(label, collapse = ", "))
  }
}

.no_extra_args_list <- function(args, allowed) {
  nm <- names(args)
  if (length(args) && (is.null(nm) || any(!nzchar(nm)))) {
    .stop("hyperparameters must be named, e.g. max_epochs = 50")
  }
  unknown <- setdiff(nm, allowed)
  if (length(unknown)) .stop("unknown argument(s): ", paste(unknown, collapse = ", "))
}

# x -> a finite double matrix, or an error naming the argument.
.as_feature_matrix <- function(x, arg = "x") {
  if (is.data.frame(x)) {
    ok <- vapply(x, function(col) (is.numeric(col) || is.logical(col)) && is.null(dim(col)), logical(1))
    if (!all(ok)) {
      .stop(arg, " has column(s) that are not numeric, logical, factor or character: ",
            paste(names(x)[!ok], collapse = ", "))
    }
    rn <- attr(x, "row.names")
    x <- as.matrix(x)
    if (is.integer(rn)) rownames(x) <- NULL
  } else if (is.matrix(x)) {
    if (!(is.numeric(x) || is.logical(x))) {
      .stop(arg, " must be numeric; got a ", typeof(x), " matrix")
    }
  } else if ((is.numeric(x) || is.logical(x)) && is.null(dim(x)) && !is.factor(x)) {
    x <- matrix(x, ncol = 1L)
  } else {
    .stop(arg, " must be a numeric matrix or a data.frame; got an object of class ",
          paste(class(x), collapse = "/"))
  }
  if (nrow(x) == 0L) .stop(arg, " has 0 rows")
  if (ncol(x) == 0L) .stop(arg, " has 0 columns")
  if (!is.double(x)) storage.mode(x) <- "double"  # (even a no-op storage.mode<- copies)
  if (anyNA(x)) {
    bad <- which(colSums(is.na(x)) > 0)
    .stop(arg, " contains missing values (NA/NaN) in column(s) ", .column_labels(x, bad))
  }
  # min() and max() allocate nothing (is.infinite() makes an n x d logical
  # matrix, range() a copy); NA was ruled out above.
  if (!is.finite(min(x)) || !is.finite(max(x))) {
    bad <- which(colSums(is.infinite(x)) > 0)
    .stop(arg, " contains infinite values in column(s) ", .column_labels(x, bad))
  }
  x
}

.column_labels <- function(x, j) {
  labels <- if (is.null(colnames(x))) as.character(j) else colnames(x)[j]
  paste(utils::head(labels, 10L), collapse = ", ")
}

# The shared fit: checks, calls the core, builds the object.
# senn_params: NULL (a ScoresActivation network) or list(robustness_penalty)
# (a SENN model, R/senn.R; checked by .normalise_senn_params).
# validation_data: NULL or the parts of the user's validation_data
# (R/validation.R: list(x, y, weights, lengths)); formula_parts: a formula
# fit's list(terms, xlevels, contrasts), which read its validation rows.
.fit_xy <- function(x, y, params, sample_weight, verbose, call, x_arg = "x", y_arg = "y",
                    w_arg = "sample_weight", senn_params = NULL, callbacks = NULL, validation_data = NULL,
                    formula_parts = NULL) {
  params <- .normalise_params(params)
  .check_verbose(verbose)
  if (!is.null(senn_params) && is.data.frame(x) && ncol(x) > 0L && .has_categorical(x)) {
    .stop(x_arg, " has factor or character column(s); SENN models take numeric columns (use the formula ",
          "interface, which encodes factors with model.matrix)")
  }
  encoded <- .training_matrix(x, x_arg)
  x <- encoded$x
  variables <- encoded$variables
  n <- nrow(x)
  target <- .core_target(y, n, y_arg, paste(x_arg, "has", n, "rows"))
  w <- .class_weighted(params, target, .core_weights(sample_weight, n, w_arg, "row"))
  feature_names <- colnames(x)
  # Read as predict() would read them from the fitted model (before the seed
  # is drawn: a refused validation_data leaves R's random numbers as they were).
  validation <- .validation_rows(
    validation_data,
    c(list(n_features = ncol(x), feature_names = feature_names, variables = variables, params = params),
      formula_parts),
    target, params, arg = if (is.null(formula_parts)) "x" else "data")

  seed <- .resolve_seed(params$random_state)
  core_params <- .core_params(params, seed)
  # x goes over as it is: the core reads R's memory in place (no copy).
  groups <- if (is.null(variables)) integer(0) else .variable_widths(variables)
  reporter <- .epoch_reporter(params, verbose, callbacks,
                              if (is.null(variables)) feature_names else .variable_names(variables))
  on.exit(reporter$close(), add = TRUE)
  result <- if (is.null(senn_params)) {
    .core(sa_fit(x, target$y, w, target$n_classes, target$task, core_params, reporter$on_epoch, groups, validation))
  } else {
    .core(sa_senn_fit(x, target$y, w, target$n_classes, target$task, core_params, senn_params, reporter$on_epoch,
                      validation))
  }
  if (isTRUE(result$interrupted)) .interrupted()
  state <- result$state
  fit <- .new_fit(
    task = target$task, params = params, seed = seed, kernel = result$kernel,
    feature_names = feature_names, classes = target$classes,
    n_features = state$n_features, n_outputs = state$n_outputs,
    n_epochs_run = state$n_epochs_run, best_epoch = state$best_epoch,
    arrays = .arrays_from_core(state$arrays), call = call, senn_params = senn_params,
    variables = variables
  )
  outputs <- if (is.null(senn_params)) {
    function(kind) .core(sa_predict(.core_params_of(fit), .core_state(fit), x, kind))
  } else {
    function(kind) .senn_compute(fit, x, kind)
  }
  .keep_training(fit, outputs, rownames(x), y, w)
}

.check_verbose <- function(verbose) {
  if (!is.logical(verbose) || length(verbose) != 1L || is.na(verbose)) {
    .stop("verbose must be TRUE or FALSE")
  }
  invisible(verbose)
}

# The response as the core takes it, and the task it decides: a factor,
# character or logical y is classification (classes: the factor's levels, or
# the labels sorted by code point), a numeric y regression. n: the samples
# of x; x_has: "x has 100 rows" for the length error. Shared by the tabular
# and the sequence models.
.core_target <- function(y, n, y_arg, x_has) {
  if (is.data.frame(y)) {
    if (ncol(y) != 1L) .stop(y_arg, " must be a vector or a one-column data.frame")
    y <- y[[1L]]
  }
  if (is.matrix(y)) {
    if (ncol(y) != 1L) .stop(y_arg, " must be a vector; got a matrix with ", ncol(y), " columns")
    y <- drop(y)
  }
  if (is.null(y) || length(y) != n) {
    .stop(y_arg, " has ", length(y), " values but ", x_has)
  }
  if (anyNA(y)) .stop(y_arg, " contains missing values (NA)")
  if (is.factor(y) || is.character(y) || is.logical(y)) {
    # Character labels are ordered by code point, as numpy.unique orders them
    # in Python, so equal data give equal class indices (and equal models).
    if (is.character(y)) y <- factor(y, levels = sort(unique(y), method = "radix"))
    y <- droplevels(as.factor(y))
    classes <- levels(y)
    if (length(classes) < 2L) {
      .stop(y_arg, " has only one class ('", classes, "'); classification needs at least 2")
    }
    return(list(task = "classification", y = as.double(as.integer(y) - 1L), classes = classes,
                n_classes = length(classes)))
  }
  if (is.numeric(y)) {
    if (any(is.infinite(y))) .stop(y_arg, " contains infinite values")
    return(list(task = "regression", y = as.double(y), classes = NULL, n_classes = 0L))
  }
  .stop(y_arg, " must be a factor (classification) or a numeric vector (regression); got ",
        paste(class(y), collapse = "/"))
}

# sample_weight as the core takes it: numeric(0) for NULL, else n finite
# non-negative values with a positive sum. unit: "row" or "sequence".
.core_weights <- function(sample_weight, n, w_arg, unit) {
  if (is.null(sample_weight)) return(numeric(0))
  if (!is.numeric(sample_weight) || length(sample_weight) != n) {
    .stop(w_arg, " must be a numeric vector with one value per ", unit, " (", n, ")")
  }
  if (anyNA(sample_weight) || any(!is.finite(sample_weight)) || any(sample_weight < 0)) {
    .stop(w_arg, " must be finite and non-negative")
  }
  if (!(sum(sample_weight) > 0)) .stop(w_arg, " sums to zero; at least one ", unit, " needs a positive weight")
  as.double(sample_weight)
}

# Esc / Ctrl-C during a fit: an R error that is also an interrupt condition.
.interrupted <- function() {
  stop(structure(
    class = c("scoresactivation_interrupt", "interrupt", "error", "condition"),
    list(message = "fit interrupted", call = NULL)
  ))
}
