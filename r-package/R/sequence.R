# Sequence models: the ScoresActivation gate per channel, shared over time,
# in front of an LSTM or 1-D convolutional encoder (core/include/
# scoresactivation/sequence_estimator.hpp), and their attributions
# (sequence_attribution.hpp, sequence_deeplift.hpp). The same
# hyperparameters, defaults and numbers as the Python package's ScoresActivationSequenceClassifier/Regressor
# (python-package/src/scoresactivation/_sequence.py).
#
# An R array x of dim c(n, T, C) (sequences, time steps, channels) goes to
# the core as the (n, T * C) matrix whose column t * C + c (0-based) holds
# channel c at step t: matrix(aperm(x, c(1, 3, 2)), nrow = n).

#' Fit a sequence network (LSTM or 1-D CNN) that learns a global score per
#' channel
#'
#' The sequence counterpart of \code{\link{scores_activation}}: the
#' ScoresActivation gate learns one score per input channel, applied the same
#' at every time step, in front of a recurrent (LSTM) or convolutional
#' encoder; the encoder's outputs are pooled over the valid steps of each
#' sequence and read by a dense head. So \code{\link{scores}} ranks the
#' channels as the tabular model ranks its features. A factor (character,
#' logical) response gives a classifier, a numeric one a regressor, as in
#' \code{scores_activation}.
#'
#' The model is the one of the Python package's
#' \code{ScoresActivationSequenceClassifier} and
#' \code{ScoresActivationSequenceRegressor}, with the same hyperparameters
#' and defaults: equal data and seeds give equal models in R and Python, and
#' \code{\link{save_model}} writes the same document (format version 3).
#'
#' @param x A numeric array of dimension \code{c(n, T, C)}: n sequences of T
#'   time steps of C channels. The names of its third dimension
#'   (\code{dimnames(x)[[3]]}) are the channel names. A matrix is refused
#'   (for one channel, use \code{array(m, c(dim(m), 1))}).
#' @param y A factor (classification; the classes are its levels, in order),
#'   a character or logical vector (classification; character labels are
#'   ordered by code point) or a numeric vector (regression), one value per
#'   sequence.
#' @param lengths \code{NULL} (every sequence has all T steps) or n whole
#'   numbers in \code{1..T}: the valid steps of each sequence. Values beyond a
#'   sequence's length are ignored (they may be \code{NA} or anything else);
#'   those within must be finite.
#' @param architecture The encoder: \code{"lstm"} (stacked LSTM layers,
#'   PyTorch's gate order and equations) or \code{"conv"} (1-D convolutions
#'   over time, "same" padding, \code{activation} after each layer).
#' @param units One whole number per encoder layer: LSTM hidden units, or
#'   conv filters.
#' @param kernel_size Conv only: the width of each filter in time steps, an
#'   odd whole number in [1, 1025].
#' @param pooling How the encoder's outputs become one vector per sequence:
#'   \code{"last"} (the last valid step), \code{"mean"} (the mean over the
#'   valid steps) or \code{"auto"} (last for \code{"lstm"}, mean for
#'   \code{"conv"}).
#' @param hidden_layer_sizes Dense layers of the head after pooling (empty:
#'   the pooled vector feeds the output layer directly).
#' @param ... The training hyperparameters of \code{\link{scores_activation}},
#'   with the same names, meanings and defaults (\code{\link{default_params}}):
#'   \code{activation} (the head's and the conv layers'), \code{scores_layer},
#'   \code{gate}, \code{snr_budget}, \code{temperature},
#'   \code{entropy_penalty}, \code{solver}, \code{learning_rate},
#'   \code{scores_learning_rate}, \code{weight_decay}, \code{momentum},
#'   \code{beta_1}, \code{beta_2}, \code{epsilon}, \code{batch_size},
#'   \code{max_epochs}, \code{refine_epochs}, \code{n_bootstrap},
#'   \code{early_stopping}, \code{validation_fraction},
#'   \code{n_iter_no_change}, \code{tol}, \code{standardize} (each channel
#'   scaled by its mean and standard deviation over every valid step),
#'   \code{random_state}, \code{n_threads}, \code{kernel}; and
#'   \code{weights} (one non-negative weight per sequence; \code{sample_weight}
#'   is an alias), \code{verbose}, \code{callbacks} (as for
#'   \code{scores_activation}) and \code{validation_data}: sequences early
#'   stopping watches instead of holding out \code{validation_fraction},
#'   \code{list(x = <array of dim c(m, T, C)>, y = <vector>)} with optional
#'   \code{weights} (or \code{sample_weight}) and \code{lengths} (or the
#'   unnamed \code{list(x, y, weights, lengths)}); \code{x} has the
#'   training T (pad shorter sequences and pass \code{lengths}) and its
#'   channels are matched by name as in \code{predict}, \code{y} is read as
#'   the training \code{y} (the same classes), and \code{class_weight}
#'   applies to the weights. The validation loss and score of each epoch are
#'   \code{arrays$validation_loss_curve} and
#'   \code{arrays$validation_score_curve}. Other names are an error.
#'
#' @return An object of class \code{c("scores_activation_sequence",
#'   "scores_activation")}: a list of plain R values, as the tabular fit (so
#'   \code{saveRDS}/\code{readRDS} carry it), with \code{n_features} the
#'   number of channels C, \code{feature_names} the channel names (or
#'   \code{NULL}; they print as \code{c1, c2, ...}), \code{sequence_params}
#'   (\code{architecture}, \code{units}, \code{kernel_size}, \code{pooling})
#'   and \code{n_steps}, the T of the training data (\code{NULL} after
#'   \code{\link{load_model}}; prediction takes any T). Its methods:
#'   \code{print}, \code{summary}, \code{plot} (the channel scores, with
#'   bootstrap error bars when \code{n_bootstrap > 0}),
#'   \code{\link[=predict.scores_activation_sequence]{predict}},
#'   \code{\link[=scores.scores_activation_sequence]{scores}} (and
#'   \code{coef}), \code{\link{scores_uncertainty}},
#'   \code{\link[=explain.scores_activation_sequence]{explain}},
#'   \code{\link[=global_importance.scores_activation_sequence]{global_importance}}
#'   and \code{\link{save_model}}. An Esc or Ctrl-C during training stops the
#'   fit with an error of class \code{"interrupt"}.
#'
#' @seealso \code{\link{scores_activation}} for the tabular model and the
#'   meaning of the training hyperparameters.
#' @examples
#' # 3 channels over 12 steps; the class depends on channels "a" and "c" only
#' set.seed(1)
#' n <- 300
#' x <- array(rnorm(n * 12 * 3), c(n, 12, 3), dimnames = list(NULL, NULL, c("a", "b", "c")))
#' y <- factor(ifelse(rowMeans(x[, , "a"]) + x[, 12, "c"] > 0, "up", "down"))
#' fit <- scores_activation_sequence(x, y, units = 8, max_epochs = 30,
#'                                   random_state = 1, n_threads = 2)
#' fit
#' scores(fit, sort = TRUE)
#' table(predict(fit, x), y)
#'
#' # sequences of different lengths: the steps past each length are ignored
#' lengths <- sample(6:12, n, replace = TRUE)
#' conv <- scores_activation_sequence(x, y, lengths = lengths, architecture = "conv",
#'                                    units = 8, kernel_size = 3, max_epochs = 30,
#'                                    random_state = 1, n_threads = 2)
#' head(predict(conv, x, lengths = lengths, type = "prob"))
#' @export
scores_activation_sequence <- function(x, y, lengths = NULL, architecture = "lstm", units = 32L, kernel_size = 5L,
                                       pooling = "auto", hidden_layer_sizes = integer(0), ...) {
  call <- match.call()
  if (missing(x)) .stop("x is missing")
  if (missing(y)) .stop("y is missing")
  args <- list(...)
  .no_extra_args_list(args, allowed = c(.training_param_names(), "weights", "sample_weight", "verbose", "callbacks",
                                        "validation_data"))
  twice <- unique(names(args)[duplicated(names(args))])
  if (length(twice)) .stop("argument(s) given twice: ", paste(twice, collapse = ", "))
  verbose <- if (is.null(args$verbose)) FALSE else args$verbose
  sample_weight <- .weights_arg(args$weights, args$sample_weight)
  w_arg <- if (is.null(args$weights)) "sample_weight" else "weights"
  callbacks <- args$callbacks
  validation_data <- args$validation_data
  args$verbose <- NULL
  args$sample_weight <- NULL
  args$weights <- NULL
  args$callbacks <- NULL
  args$validation_data <- NULL
  .check_verbose(verbose)
  validation_parts <- .validation_parts(validation_data, sequences = TRUE)
  # The tabular model's normalisation, defaults and checks, with the head's
  # hidden_layer_sizes from this function.
  params <- .normalise_params(c(list(hidden_layer_sizes = hidden_layer_sizes), args))
  sequence <- .normalise_sequence_params(architecture, units, kernel_size, pooling)

  x <- .as_sequence_array(x, "x")
  d <- dim(x)
  core_lengths <- .sequence_lengths(lengths, d[1L], d[2L], "x")
  .check_sequence_values(x, core_lengths, "x")
  target <- .core_target(y, d[1L], "y", paste("x has", d[1L], "sequences"))
  w <- .class_weighted(params, target, .core_weights(sample_weight, d[1L], w_arg, "sequence"))
  channel_names <- dimnames(x)[[3L]]
  # Read as predict() reads newdata (channels matched by name), with the
  # training T; before the seed is drawn.
  validation <- .validation_sequences(validation_parts, list(feature_names = channel_names, n_features = d[3L]),
                                      d[2L], target, params)

  seed <- .resolve_seed(params$random_state)
  core_params <- .core_params(params, seed)
  layout <- .core_layout(x)
  reporter <- .epoch_reporter(params, verbose, callbacks,
                              if (is.null(channel_names)) paste0("c", seq_len(d[3L])) else channel_names)
  on.exit(reporter$close(), add = TRUE)
  result <- .core(sa_sequence_fit(layout, d[2L], core_lengths, target$y, w, target$n_classes, target$task,
                                  core_params, sequence, reporter$on_epoch, validation))
  if (isTRUE(result$interrupted)) .interrupted()
  state <- result$state
  fit <- .new_fit(
    task = target$task, params = params, seed = seed, kernel = result$kernel,
    feature_names = channel_names, classes = target$classes,
    n_features = state$n_features, n_outputs = state$n_outputs,
    n_epochs_run = state$n_epochs_run, best_epoch = state$best_epoch,
    arrays = .arrays_from_core(state$arrays), call = call,
    sequence_params = sequence, n_steps = d[2L]
  )
  core <- .sequence_core(fit)
  outputs <- function(kind) {
    .core(sa_sequence_predict(core$params, core$sequence, core$state, layout, d[2L], core_lengths, kind))
  }
  .keep_training(fit, outputs, dimnames(x)[[1L]], y, w)
}

# ------------------------------------------------------------------ input

# x as a 3-d numeric array c(n, T, C) with n, T, C >= 1, or an error naming
# the argument. Values are not checked here (see .check_sequence_values).
.as_sequence_array <- function(x, arg = "x") {
  if (is.data.frame(x)) {
    .stop(arg, " must be a 3-d numeric array of dim c(n, T, C) (sequences, time steps, channels); got a data.frame")
  }
  d <- dim(x)
  if (length(d) != 3L) {
    what <- if (length(d) == 2L) {
      paste0("a matrix of dim c(", d[1L], ", ", d[2L], "); for one channel use array(", arg, ", c(dim(", arg,
             "), 1))")
    } else if (is.null(d)) {
      paste0("an object of class ", paste(class(x), collapse = "/"), " without dimensions")
    } else {
      paste0("an array with ", length(d), " dimensions")
    }
    .stop(arg, " must be a 3-d numeric array of dim c(n, T, C) (sequences, time steps, channels); got ", what)
  }
  if (!(is.numeric(x) || is.logical(x))) .stop(arg, " must be numeric; got a ", typeof(x), " array")
  shape <- paste0("dim c(", paste(d, collapse = ", "), ")")
  if (d[1L] == 0L) .stop(arg, " has 0 sequences (", shape, "); at least 1 is required")
  if (d[2L] == 0L) .stop(arg, " has 0 time steps (T = 0, ", shape, "); at least 1 is required")
  if (d[3L] == 0L) .stop(arg, " has 0 channels (", shape, "); at least 1 is required")
  x
}

# lengths as the core takes them: numeric(0) for NULL, else n doubles, whole
# numbers in 1..steps; x_arg names the array they belong to.
.sequence_lengths <- function(lengths, n, steps, x_arg = "x") {
  if (is.null(lengths)) return(numeric(0))
  if (!is.numeric(lengths) || is.factor(lengths) || length(dim(lengths)) > 1L) {
    .stop("lengths must be NULL or a numeric vector of whole numbers (the valid steps of each sequence); got ",
          .describe(lengths))
  }
  if (length(lengths) != n) {
    .stop("lengths has ", length(lengths), " values but ", x_arg, " has ", n, " sequences")
  }
  if (anyNA(lengths)) {
    .stop("lengths contains NA/NaN (at position ", which(is.na(lengths))[1L], "); each sequence needs a length in 1..",
          steps)
  }
  bad <- which(!is.finite(lengths) | lengths < 1 | lengths > steps | lengths != round(lengths))
  if (length(bad)) {
    .stop("lengths must hold whole numbers in 1..", steps, " (the time steps of ", x_arg, "); lengths[", bad[1L],
          "] is ", format(lengths[bad[1L]]))
  }
  as.double(lengths)
}

# Every value within the lengths is finite (padding may be anything).
.check_sequence_values <- function(x, lengths, arg) {
  d <- dim(x)
  if (!length(lengths)) {
    # min() and max() allocate nothing; NA makes them NA.
    if (!anyNA(x) && is.finite(min(x)) && is.finite(max(x))) return(invisible())
    bad <- !is.finite(x)
  } else {
    valid <- outer(lengths, seq_len(d[2L]), ">=")  # (n, T), recycled over the channels
    bad <- !is.finite(x) & as.vector(valid)
    if (!any(bad)) return(invisible())
  }
  at <- arrayInd(which(bad)[1L], d)
  channels <- dimnames(x)[[3L]]
  channel <- if (is.null(channels)) at[3L] else paste0("'", channels[at[3L]], "'")
  .stop(arg, " contains missing or infinite values (NA/NaN/Inf) within the lengths of its sequences: ",
        "sequence ", at[1L], ", step ", at[2L], ", channel ", channel,
        if (!length(lengths)) " (pass lengths to mark the steps past each sequence's end as padding)")
}

# (n, T, C) -> the core's (n, T * C) double matrix.
.core_layout <- function(x) {
  d <- dim(x)
  m <- matrix(aperm(x, c(1L, 3L, 2L)), nrow = d[1L], ncol = d[2L] * d[3L])
  if (!is.double(m)) storage.mode(m) <- "double"
  m
}

# The core's (n, T * C) matrix -> an (n, T, C) array.
.from_core_layout <- function(m, steps, channels) {
  aperm(array(m, dim = c(nrow(m), channels, steps)), c(1L, 3L, 2L))
}

# newdata (and lengths) checked against the model: channels matched by name
# when both have names (extra ones ignored), else the same count; any T.
.sequence_input <- function(object, newdata, lengths, arg = "newdata") {
  x <- .as_sequence_array(newdata, arg)
  names <- object$feature_names
  given <- dimnames(x)[[3L]]
  if (!is.null(names) && !is.null(given) && !identical(given, names)) {
    absent <- setdiff(names, given)
    if (length(absent)) {
      .stop(arg, " lacks the channel(s) ", paste(utils::head(absent, 10L), collapse = ", "),
            " that the model was fitted on")
    }
    x <- x[, , names, drop = FALSE]
  }
  d <- dim(x)
  if (d[3L] != object$n_features) {
    .stop(arg, " has ", d[3L], " channels, but the model expects ", object$n_features,
          " (", arg, ": an array of dim c(n, T, C))")
  }
  core_lengths <- .sequence_lengths(lengths, d[1L], d[2L], arg)
  .check_sequence_values(x, core_lengths, arg)
  list(x = .core_layout(x), n = d[1L], steps = d[2L], lengths = core_lengths,
       rows = dimnames(x)[[1L]], step_names = dimnames(x)[[2L]])
}

# The three lists every core call of a fitted sequence model takes.
.sequence_core <- function(object) {
  list(params = .core_params_of(object), sequence = object$sequence_params, state = .core_state(object))
}

# ---------------------------------------------------------------- methods

#' Channel scores of a sequence model
#'
#' The learned global importances \eqn{w = \mathrm{softmax}(s / T)} of the
#' channels: non-negative, summing to 1, named after the channels
#' (\code{c1, c2, ...} when \code{x} had no channel names). \code{coef} is an
#' alias.
#'
#' @param object A fit from \code{\link{scores_activation_sequence}} or
#'   \code{\link{load_model}}.
#' @param sort \code{TRUE} orders the scores from the most to the least
#'   important channel.
#' @param ... Unused.
#' @return A named numeric vector.
#' @examples
#' set.seed(1)
#' x <- array(rnorm(200 * 8 * 3), c(200, 8, 3))
#' y <- rowSums(x[, , 1]) + rnorm(200, sd = 0.1)
#' fit <- scores_activation_sequence(x, y, architecture = "conv", units = 4,
#'                                   max_epochs = 20, random_state = 1, n_threads = 2)
#' scores(fit, sort = TRUE)
#' @export
scores.scores_activation_sequence <- function(object, sort = FALSE, ...) {
  .check_sequence_fit(object)
  if (!isTRUE(object$params$scores_layer)) {
    .stop("this model was fitted with scores_layer = FALSE and has no channel scores")
  }
  core <- .sequence_core(object)
  w <- .core(sa_sequence_scores(core$params, core$sequence, core$state))
  names(w) <- .feature_labels(object)
  if (isTRUE(sort)) w <- w[order(-w)]
  w
}

#' @rdname scores.scores_activation_sequence
#' @export
coef.scores_activation_sequence <- function(object, ...) scores.scores_activation_sequence(object, ...)

#' Predict with a sequence model
#'
#' As \code{\link[=predict.scores_activation]{predict}} for the tabular
#' models; \code{newdata} holds sequences of any number of steps T with the
#' model's channels.
#'
#' @param object A fit from \code{\link{scores_activation_sequence}} or
#'   \code{\link{load_model}}.
#' @param newdata A numeric array of dim \code{c(n, T, C)}; omitted, the fitted
#'   values of the training sequences. When the model and
#'   \code{newdata} both have channel names (\code{dimnames(newdata)[[3]]}), the
#'   channels are matched by name (extra ones are ignored); otherwise there
#'   must be exactly the training channels, in order.
#' @param lengths \code{NULL} or the valid steps of each sequence of
#'   \code{newdata}, n whole numbers in \code{1..T}; the values past them are
#'   ignored.
#' @param type \code{"class"} (a factor; the default for classification),
#'   \code{"prob"} (a matrix of class probabilities) or \code{"response"} (the
#'   default for regression: the predicted values; for classification the
#'   same as \code{"prob"}).
#' @param ... Further arguments are an error.
#' @return A factor, a probability matrix or a numeric vector, one entry (row)
#'   per sequence.
#' @examples
#' set.seed(1)
#' x <- array(rnorm(200 * 8 * 2), c(200, 8, 2))
#' y <- factor(x[, 8, 1] > 0)
#' fit <- scores_activation_sequence(x, y, units = 4, max_epochs = 20,
#'                                   random_state = 1, n_threads = 2)
#' head(predict(fit, x, type = "prob"))
#' # other lengths: 5 steps, and the first 3 of them only
#' table(predict(fit, x[, 1:5, , drop = FALSE], lengths = rep(3, 200)))
#' @export
predict.scores_activation_sequence <- function(object, newdata, lengths = NULL, type = c("class", "prob", "response"),
                                               ...) {
  .check_sequence_fit(object)
  .no_extra_args(...)
  type <- .prediction_type(object, type, missing(type))
  if (missing(newdata) || is.null(newdata)) {
    if (!is.null(lengths)) .stop("lengths applies to newdata; without newdata the fitted values are returned")
    return(.fitted_prediction(object, type))
  }
  input <- .sequence_input(object, newdata, lengths)
  core <- .sequence_core(object)
  out <- .core(sa_sequence_predict(core$params, core$sequence, core$state, input$x, input$steps, input$lengths,
                                   if (identical(object$task, "classification")) "proba" else "decision"))
  .format_prediction(object, out, type, input$rows)
}

# Outputs (n, n_outputs) of the core's matrix x: "raw" (logits, regression
# values) or "probability".
.sequence_outputs <- function(object, core, x, steps, lengths, output) {
  kind <- if (output == "probability") "proba" else "decision"
  .core(sa_sequence_predict(core$params, core$sequence, core$state, x, steps, lengths, kind))
}

# ----------------------------------------------------------- attributions

.sequence_global_methods <- function() c("scores", "deepactif", "permutation", .local_methods("sequence"))
.sequence_max_count <- function(name) sa_sequence_max_counts()[[name]]

# A reference option as the core takes it: list(kind = "mean" | "zeros",
# rows = an empty matrix) or list(kind = "rows", rows = the sequences in the
# core's (r, steps * C) layout) from a (T, C) matrix (one sequence) or an
# (r, T, C) array; T must be that of newdata.
.sequence_references <- function(object, values, steps, arg) {
  channels <- object$n_features
  if (is.character(values) && is.null(dim(values))) {
    if (!identical(values, "mean") && !identical(values, "zeros")) {
      .stop(arg, " must be 'mean', 'zeros', a (T, C) matrix or an (r, T, C) array; got ", .describe(values))
    }
    return(list(kind = values, rows = matrix(0, 0L, 0L)))
  }
  if (is.matrix(values) && (is.numeric(values) || is.logical(values))) {
    values <- array(values, c(1L, dim(values)), dimnames = list(NULL, rownames(values), colnames(values)))
  } else if (length(dim(values)) != 3L) {
    .stop(arg, " must be 'mean', 'zeros', a (T, C) matrix or an (r, T, C) array; got ",
          if (is.null(dim(values))) .describe(values) else paste0("an array with ", length(dim(values)), " dimensions"))
  }
  x <- .as_sequence_array(values, arg)
  names <- object$feature_names
  given <- dimnames(x)[[3L]]
  if (!is.null(names) && !is.null(given) && !identical(given, names)) {
    absent <- setdiff(names, given)
    if (length(absent)) {
      .stop(arg, " lacks the channel(s) ", paste(utils::head(absent, 10L), collapse = ", "),
            " that the model was fitted on")
    }
    x <- x[, , names, drop = FALSE]
  }
  d <- dim(x)
  if (d[3L] != channels) .stop(arg, " has ", d[3L], " channels, but the model expects ", channels)
  if (d[2L] != steps) {
    .stop(arg, " has ", d[2L], " time steps, but newdata has ", steps, "; the reference sequences need the same T")
  }
  .check_sequence_values(x, numeric(0), arg)
  list(kind = "rows", rows = .core_layout(x))
}

#' Local attributions of a sequence model: integrated gradients, DeepLIFT,
#' gradients, Shapley values over the channels
#'
#' Explains every sequence of \code{newdata}: the contribution of each time
#' step and channel (Shapley values: of each channel, all its steps together)
#' to the model's output for that sequence. The methods run in the C++ core
#' shared with the Python package (\code{est.explain(X, method, lengths, ...)}
#' there, with the same argument names and defaults), so R and Python give
#' the same numbers. The explained output is the class logit (\code{output =
#' "raw"}) or, for regression, the predicted value in the units of the
#' response.
#' \describe{
#'   \item{\code{"integrated_gradients"}}{Integrated gradients from the
#'     \code{baseline} sequence(s) to each sequence, each keeping the row's
#'     length along the path: the attributions of a row sum to its output
#'     minus the mean output at the baselines cut to its length
#'     (\code{"base_values"}), up to the quadrature error.}
#'   \item{\code{"deeplift"}}{DeepLIFT's rescale rule (with the product rule
#'     for the LSTM's gate products) from the \code{baseline} sequence(s),
#'     each cut to the row's length: a row sums to its output minus
#'     \code{"base_values"} to rounding.}
#'   \item{\code{"gradient"}, \code{"gradient_times_input"}}{\eqn{\partial
#'     f / \partial x_{t,c}} and \eqn{x_{t,c} \, \partial f / \partial x_{t,c}}
#'     in the original units.}
#'   \item{\code{"shapley"}}{Interventional Shapley values with whole channels
#'     as players: the value of a coalition is the mean output with the
#'     other channels taken from each \code{background} sequence (keeping the
#'     row's length); exact (all \eqn{2^C} coalitions) or sampled from
#'     \code{n_permutations} random channel orders, each paired with its
#'     reverse. Each row sums to its output minus \code{"base_values"} (the
#'     mean output over the background, cut to the row's length). The only
#'     method that can explain class probabilities (\code{output =
#'     "probability"}).}
#' }
#' Attributions at padded steps (past \code{lengths}) are exactly 0.
#'
#' @param object A fit from \code{\link{scores_activation_sequence}} or
#'   \code{\link{load_model}}.
#' @param newdata The sequences to explain: an array of dim \code{c(n, T,
#'   C)}, read as \code{\link[=predict.scores_activation_sequence]{predict}}
#'   reads it.
#' @param method \code{"integrated_gradients"} (the default, as in Python),
#'   \code{"deeplift"}, \code{"gradient"}, \code{"gradient_times_input"} or
#'   \code{"shapley"}.
#' @param lengths \code{NULL} or the valid steps of each sequence of
#'   \code{newdata}.
#' @param baseline The reference of integrated gradients and DeepLIFT: \code{"mean"} (each
#'   channel's training mean at every step; an error for a model fitted with
#'   \code{standardize = FALSE}), \code{"zeros"}, a \code{(T, C)} matrix (one
#'   sequence) or an \code{(r, T, C)} array of sequences whose attributions
#'   are averaged; T is that of \code{newdata}.
#' @param target \code{NULL} or, for a classifier, one class label. With
#'   \code{NULL} a classifier gets one slice of attributions per class.
#' @param output \code{"raw"} or \code{"probability"} (\code{method =
#'   "shapley"} and classifiers only).
#' @param rule DeepLIFT's rule: \code{"rescale"} (the only one for sequence
#'   models).
#' @param n_steps,integration Quadrature of integrated gradients, as in
#'   \code{\link{explain}}.
#' @param background The sequences Shapley values take absent channels from,
#'   in the forms \code{baseline} takes; \code{NULL} is \code{"mean"}.
#' @param exact \code{NULL} (exact Shapley values up to 12 channels, sampled
#'   above), \code{TRUE} (exact; at most 16 channels) or \code{FALSE}
#'   (sampled).
#' @param n_permutations,random_state Sampled Shapley values: the number of
#'   random channel orders (rounded up to an even number) and their seed
#'   (\code{NULL}: drawn from R's random number generator).
#' @param verbose \code{TRUE} shows the progress of \code{"shapley"} in
#'   interactive sessions, as for \code{\link{explain}} of the tabular
#'   models.
#' @param ... Further arguments are an error.
#' @return For a regression model or a single \code{target}: an array of dim
#'   \code{c(n, T, C)} (Shapley values: a matrix \code{(n, C)}), the channels
#'   named. For a classifier with \code{target = NULL}: one more dimension,
#'   named after the classes. The attribute \code{"base_values"} holds what
#'   each row's attributions are measured from: a vector with one value per
#'   sequence (a matrix \code{(n, n_classes)} with a class axis), \code{NULL}
#'   for the gradient methods.
#' @seealso \code{\link{global_importance.scores_activation_sequence}} for
#'   one importance per channel; \code{\link{explain}} for the tabular models.
#' @examples
#' set.seed(1)
#' x <- array(rnorm(200 * 6 * 3), c(200, 6, 3), dimnames = list(NULL, NULL, c("a", "b", "c")))
#' y <- rowSums(x[, , "a"]) + x[, 6, "b"]
#' fit <- scores_activation_sequence(x, y, units = 6, max_epochs = 20,
#'                                   random_state = 1, n_threads = 2)
#' ig <- explain(fit, x[1:3, , , drop = FALSE])
#' dim(ig)
#' # completeness: the attributions add up to the prediction minus the base value
#' cbind(apply(ig, 1, sum) + attr(ig, "base_values"), predict(fit, x[1:3, , , drop = FALSE]))
#' sv <- explain(fit, x[1:3, , , drop = FALSE], "shapley", background = x[1:20, , ])
#' round(sv, 3)
#' @export
explain.scores_activation_sequence <- function(object, newdata, method = "integrated_gradients", lengths = NULL,
                                               baseline = "mean", target = NULL, output = "raw", rule = "rescale",
                                               n_steps = 50,
                                               integration = "gausslegendre", background = NULL, exact = NULL,
                                               n_permutations = 64, random_state = NULL, verbose = FALSE, ...) {
  .check_sequence_fit(object)
  .no_extra_args(...)
  progress <- .run_progress(verbose, method[1L], "rows")
  on.exit(progress$close(), add = TRUE)
  if (missing(newdata) || is.null(newdata)) .stop("newdata is required: the sequences to explain")
  method <- .choice(method, .local_methods("sequence"), "method")
  given <- c(baseline = !missing(baseline), rule = !missing(rule), n_steps = !missing(n_steps),
             integration = !missing(integration),
             background = !missing(background), exact = !missing(exact), n_permutations = !missing(n_permutations),
             random_state = !missing(random_state) && !is.null(random_state))
  values <- list(baseline = baseline, rule = rule, n_steps = n_steps, integration = integration,
                 background = background, exact = exact, n_permutations = n_permutations,
                 random_state = random_state)
  input <- .sequence_input(object, newdata, lengths)
  core <- .sequence_core(object)
  channels <- object$n_features
  r <- .core_explain(object, method, "sequence", values, given, target, output, channels,
                     function(value, arg) .sequence_references(object, value, input$steps, arg),
                     function(options) {
                       sa_sequence_explain(core$params, core$sequence, core$state, input$x, input$steps,
                                           input$lengths, options, progress$on_progress)
                     })
  targets <- r$targets
  results <- r$result$values
  base_values <- if (length(r$result$row_base_values)) unlist(r$result$row_base_values, use.names = FALSE)
  if (method == "shapley") {
    values <- array(unlist(results, use.names = FALSE), c(input$n, channels, length(results)))
    labels <- list(input$rows, .feature_labels(object))
  } else {
    # (n, C, T, targets) in memory order -> (n, T, C, targets)
    values <- aperm(array(unlist(results, use.names = FALSE), c(input$n, channels, input$steps, length(results))),
                    c(1L, 3L, 2L, 4L))
    labels <- list(input$rows, input$step_names, .feature_labels(object))
  }

  if (!is.null(base_values)) base_values <- matrix(base_values, nrow = input$n)
  if (targets$class_axis) {
    dimnames(values) <- c(labels, list(targets$labels))
    if (!is.null(base_values)) dimnames(base_values) <- list(input$rows, targets$labels)
  } else {
    dim(values) <- dim(values)[-length(dim(values))]
    dimnames(values) <- labels
    if (!is.null(base_values)) {
      base_values <- base_values[, 1L]
      names(base_values) <- input$rows
    }
  }
  attr(values, "base_values") <- base_values
  values
}

#' Global channel importance of a sequence model
#'
#' One importance per channel (the Python package's
#' \code{est.global_importance(X, y, method, lengths, ...)}):
#' \describe{
#'   \item{\code{"scores"}}{the learned channel scores,
#'     \code{\link[=scores.scores_activation_sequence]{scores}(object)}; needs
#'     no data.}
#'   \item{\code{"deepactif"}}{DeepACTIF (Hosp 2025): activation traces, one
#'     forward pass per sequence. \code{hook = "input"} reads the gated input
#'     of the encoder (the standardised input times each channel's gate),
#'     \code{"encoder"} the outputs of the first encoder layer, shared among
#'     the channels in proportion to each unit's absolute input weights. The
#'     mean absolute activation over the valid steps of each sequence is
#'     aggregated over the sequences by \code{aggregation}: \code{"mean"}
#'     (\eqn{\mu_c}; the default, chosen by measurement, docs/sequence.md),
#'     \code{"inv"} (the paper's inverse weighting
#'     \eqn{(\tilde\mu_c + 1 - \tilde\sigma_c) / 2} of the min-max
#'     normalised mean and standard deviation) or \code{"meanstd"}
#'     (\eqn{\mu_c \sigma_c}). Not
#'     normalised.}
#'   \item{\code{"permutation"}}{the increase of the model's loss
#'     (cross-entropy, or half the squared error) when one channel's whole
#'     sequences are shuffled between the rows of \code{newdata}, averaged
#'     over \code{n_repeats} shuffles; each row keeps its own length, and the
#'     steps a donor lacks read the channel's training mean. Needs
#'     \code{y}.}
#'   \item{a local method}{\code{"integrated_gradients"}, \code{"deeplift"},
#'     \code{"gradient"}, \code{"gradient_times_input"} or \code{"shapley"}:
#'     the absolute
#'     attributions of \code{\link[=explain.scores_activation_sequence]{explain}},
#'     summed over the time steps, averaged over the sequences (and, for a
#'     classifier without \code{target}, over the classes).}
#' }
#'
#' @inheritParams explain.scores_activation_sequence
#' @param newdata Sequences to measure the importance on, an array of dim
#'   \code{c(n, T, C)} (not needed for \code{"scores"}).
#' @param y The true responses of \code{newdata} for \code{"permutation"}.
#' @param method \code{"scores"}, \code{"deepactif"}, \code{"permutation"} or
#'   a local method of \code{\link[=explain.scores_activation_sequence]{explain}}.
#' @param n_repeats Shuffles per channel for \code{"permutation"}.
#' @param random_state Seed of the shuffles (\code{"permutation"}) or of
#'   sampled Shapley values: \code{NULL} (drawn from R's random number
#'   generator) or a whole number.
#' @param hook,aggregation DeepACTIF's layer (\code{"input"} or
#'   \code{"encoder"}) and aggregation (\code{"inv"}, \code{"mean"} or
#'   \code{"meanstd"}).
#' @param verbose \code{TRUE} shows the progress of \code{"permutation"}
#'   (shuffles done) and \code{"shapley"} (rows done), with the time left, in
#'   interactive sessions.
#' @param ... Arguments of \code{explain} for the local methods
#'   (\code{baseline}, \code{target}, \code{background}, ...).
#' @return A numeric vector named after the channels.
#' @references Hosp (2025), DeepACTIF: efficient feature attribution via
#'   activation traces in neural sequence models, arXiv:2509.19362.
#' @examples
#' set.seed(1)
#' x <- array(rnorm(200 * 6 * 3), c(200, 6, 3), dimnames = list(NULL, NULL, c("a", "b", "c")))
#' y <- rowSums(x[, , "a"]) + x[, 6, "b"]
#' fit <- scores_activation_sequence(x, y, units = 6, max_epochs = 20,
#'                                   random_state = 1, n_threads = 2)
#' global_importance(fit)
#' global_importance(fit, x, method = "deepactif")
#' global_importance(fit, x, y, "permutation", random_state = 1)
#' @export
global_importance.scores_activation_sequence <- function(object, newdata = NULL, y = NULL, method = "scores",
                                                         lengths = NULL, n_repeats = 5, random_state = NULL,
                                                         hook = "input", aggregation = "mean", verbose = FALSE,
                                                         ...) {
  .check_sequence_fit(object)
  .check_verbose(verbose)
  method <- .choice(method, .sequence_global_methods(), "method")
  if (method != "permutation" && !missing(n_repeats)) {
    .stop("n_repeats does not apply to method = '", method, "'; it is the shuffles per channel of ",
          "method = 'permutation'")
  }
  if (method != "deepactif" && (!missing(hook) || !missing(aggregation))) {
    .stop(paste(c("hook", "aggregation")[c(!missing(hook), !missing(aggregation))], collapse = ", "),
          " only appl", if (!missing(hook) && !missing(aggregation)) "y" else "ies", " to method = 'deepactif'")
  }
  if (method == "scores") {
    .no_extra_args(...)
    if (!is.null(random_state)) .stop("random_state does not apply to method = 'scores' (the learned scores ",
                                      "involve no sampling)")
    if (!is.null(lengths)) .stop("lengths does not apply to method = 'scores' (it needs no data)")
    return(scores(object))
  }
  if (is.null(newdata)) .stop("method = '", method, "' needs newdata")
  if (method %in% .local_methods("sequence")) {
    values <- explain(object, newdata, method, lengths = lengths, random_state = random_state, verbose = verbose,
                      ...)
    a <- abs(values)
    d <- dim(a)
    # (n, [T,] C[, K]): sum over the steps, mean over the rows and classes
    per_channel <- if (method == "shapley") {
      apply(a, 2L, mean)
    } else {
      apply(apply(a, c(1L, 3L, seq_along(d)[-(1:3)]), sum), 2L, mean)
    }
    out <- as.vector(per_channel)
    names(out) <- .feature_labels(object)
    return(out)
  }
  .no_extra_args(...)
  input <- .sequence_input(object, newdata, lengths)
  core <- .sequence_core(object)
  threads <- .resolve_threads(object$params$n_threads)
  if (method == "deepactif") {
    if (!is.null(random_state)) .stop("random_state does not apply to method = 'deepactif' (no sampling)")
    hook <- .choice(hook, c("input", "encoder"), "hook")
    aggregation <- .choice(aggregation, c("inv", "mean", "meanstd"), "aggregation")
    out <- .core(sa_sequence_deepactif(core$params, core$sequence, core$state, input$x, input$steps, input$lengths,
                                       hook, aggregation, threads))
  } else {
    y_core <- .true_responses(object, y, input$n, "sequence")
    n_repeats <- .count_arg(n_repeats, "n_repeats", .sequence_max_count("n_repeats"))
    seed <- .resolve_seed(random_state)
    progress <- .run_progress(verbose, "permutation", "shuffles")
    on.exit(progress$close(), add = TRUE)
    result <- .core(sa_sequence_permutation_importance(core$params, core$sequence, core$state, input$x, input$steps,
                                                       input$lengths, y_core, numeric(0), n_repeats, seed, threads,
                                                       progress$on_progress))
    out <- result$importances_mean
  }
  names(out) <- .feature_labels(object)
  out
}
