# Incremental training: the core's Estimator::partial_fit (one pass of the
# shared mini-batch loop per chunk), as the Python package's
# est.partial_fit(X, y, classes=). update(fit, moredata = ) is the biglm-style
# spelling of the same pass.

#' Incremental training: one pass over a chunk of rows
#'
#' Trains a ScoresActivation network on data that arrives in chunks (or does
#' not fit in memory), one pass of mini-batches per call, as the Python
#' package's \code{partial_fit}. The first call (\code{object = NULL}) builds
#' the network and takes the columns, categorical levels and the inputs' (and
#' a regression target's) standardisation from its chunk; later calls read
#' their chunk as \code{predict} reads \code{newdata} and continue training,
#' the optimiser's moments and the gate's noise stream carried on, so a model
#' saved (\code{save_model}, \code{saveRDS}) mid-stream continues exactly.
#' Every pass trains the scores with the network, as the scores phase of
#' \code{\link{scores_activation}}; \code{max_epochs}, \code{refine_epochs},
#' early stopping and \code{n_bootstrap} belong to the full fit (so
#' \code{n_bootstrap > 0} and \code{class_weight = "balanced"}, whose class
#' shares one chunk cannot know, are errors here). After a full fit, a pass
#' continues from its weights. Only the tabular networks train this way.
#'
#' @param object \code{NULL} for the first pass, else a tabular fit (from
#'   \code{partial_fit}, \code{\link{scores_activation}} or
#'   \code{\link{load_model}}).
#' @param x The chunk's rows: a numeric matrix, or a data.frame (factor and
#'   character columns are categorical variables, as in
#'   \code{scores_activation}).
#' @param y Their responses: class labels (a factor, character or logical
#'   vector) or numbers. A chunk may hold a single class.
#' @param weights \code{NULL} or one non-negative weight per row.
#' @param classes Every class label of the stream, on the first pass of a
#'   classifier (in the order the model keeps them); \code{NULL} takes the
#'   levels of a factor \code{y}. Later: \code{NULL}, or the model's classes.
#' @param verbose,callbacks As for \code{\link{scores_activation}}; the
#'   callbacks hear each pass as one epoch.
#' @param ... First pass: hyperparameters, as for
#'   \code{\link{scores_activation}}. Later passes keep the model's own:
#'   the same values may be passed again (as a loop does), others are an
#'   error.
#' @return The fit, one pass further: an object of class
#'   \code{"scores_activation"} (\code{n_epochs_run} counts the passes).
#'   \code{fitted()}, \code{residuals()} and \code{predict()} without
#'   \code{newdata} need the training rows, which a stream does not keep.
#' @seealso \code{\link{update.scores_activation}}
#' @examples
#' set.seed(1)
#' fit <- NULL
#' for (i in 1:20) {
#'   x <- matrix(rnorm(200 * 4), 200, 4, dimnames = list(NULL, paste0("f", 1:4)))
#'   y <- factor(ifelse(x[, 1] > 0, "yes", "no"), levels = c("no", "yes"))
#'   fit <- partial_fit(fit, x, y, random_state = 1, n_threads = 2)
#' }
#' fit$n_epochs_run
#' scores(fit)
#' @export
partial_fit <- function(object, ...) UseMethod("partial_fit")

#' @rdname partial_fit
#' @export
partial_fit.default <- function(object, x, y, weights = NULL, classes = NULL, verbose = FALSE, callbacks = NULL,
                                ...) {
  if (!is.null(object)) {
    .stop("object must be NULL (the first pass) or a fit from scores_activation() or partial_fit(); got ",
          .describe(object))
  }
  if (missing(x)) .stop("x is missing")
  if (missing(y)) .stop("y is missing")
  args <- list(...)
  .no_extra_args_list(args, allowed = .param_names())
  params <- .normalise_params(utils::modifyList(default_params(), args))
  .check_verbose(verbose)
  encoded <- .training_matrix(x, "x")
  x <- encoded$x
  variables <- encoded$variables
  target <- .stream_target(y, nrow(x), classes)
  call <- match.call()
  call[[1L]] <- as.name("partial_fit")
  .stream_pass(NULL, x, target, weights, params, .resolve_seed(params$random_state), variables, verbose, callbacks,
               call)
}

#' @rdname partial_fit
#' @export
partial_fit.scores_activation <- function(object, x, y, weights = NULL, classes = NULL, verbose = FALSE,
                                          callbacks = NULL, ...) {
  .check_fit(object)
  if (.is_sequence(object) || .is_senn(object)) {
    .stop("partial_fit trains the tabular networks only; this is a ", object$estimator)
  }
  # A loop may pass the first pass's hyperparameters every time: the same
  # values are accepted, different ones are an error (the model keeps its own).
  args <- list(...)
  if (length(args)) {
    .no_extra_args_list(args, allowed = .param_names())
    changed <- names(args)[!vapply(names(args), function(name) {
      isTRUE(all.equal(.normalise_params(utils::modifyList(object$params, args[name]))[[name]],
                       object$params[[name]]))
    }, logical(1))]
    if (length(changed)) {
      .stop("partial_fit continues with the model's own hyperparameters; ", paste(changed, collapse = ", "),
            " differ(s) from the model's")
    }
  }
  if (missing(x)) .stop("x is missing")
  if (missing(y)) .stop("y is missing")
  .check_verbose(verbose)
  if (!is.null(classes) && !identical(as.character(classes), as.character(object$classes))) {
    .stop("classes (", paste0("'", classes, "'", collapse = ", "), ") differ from the model's (",
          paste0("'", object$classes, "'", collapse = ", "), ")")
  }
  x <- .newdata_matrix(object, x, "x")
  rownames(x) <- NULL
  target <- list(task = object$task, classes = object$classes,
                 n_classes = if (identical(object$task, "classification")) length(object$classes) else 0L)
  target$y <- .validation_target(y, nrow(x), target)
  out <- .stream_pass(object, x, target, weights, object$params, object$seed, object$variables, verbose, callbacks,
                      object$call)
  # A formula fit keeps what reads its data.
  for (name in c("terms", "xlevels", "contrasts", "formula", "na.action")) out[[name]] <- object[[name]]
  out
}

#' One more pass for a fitted model, biglm-style
#'
#' \code{update(fit, moredata)} trains \code{fit} one pass further on
#' \code{moredata} (\code{\link{partial_fit}}). Without \code{moredata},
#' \code{update} is R's usual one: the call is evaluated again with the
#' changed arguments.
#'
#' @param object A tabular fit.
#' @param moredata The rows of the pass: for a fit of the x/y interface
#'   \code{list(x = , y = )} with an optional \code{weights}; for a formula
#'   fit a data.frame holding the formula's variables, the response included.
#' @param ... With \code{moredata}: \code{verbose} and \code{callbacks}.
#'   Without it: the arguments to change, as for \code{\link[stats]{update}}.
#' @return The fit, one pass further (with \code{moredata}), or the refitted
#'   model.
#' @examples
#' half <- seq(1, 150, by = 2)
#' fit <- scores_activation(Species ~ ., data = iris[half, ], max_epochs = 20,
#'                          random_state = 1, n_threads = 2)
#' fit <- update(fit, moredata = iris[-half, ])
#' fit$n_epochs_run
#' @importFrom stats update
#' @export
update.scores_activation <- function(object, moredata, ...) {
  if (missing(moredata)) return(NextMethod())
  extra <- list(...)
  unknown <- setdiff(names(extra), c("verbose", "callbacks"))
  if (length(unknown) || (length(extra) && is.null(names(extra)))) {
    .stop("with moredata, update() takes verbose and callbacks; got ", paste(unknown, collapse = ", "))
  }
  parts <- if (!is.null(object$terms)) {
    .formula_validation_parts(moredata, object$terms)
  } else {
    .validation_parts(moredata)
  }
  partial_fit(object, parts$x, parts$y, weights = parts$weights, verbose = isTRUE(extra$verbose),
              callbacks = extra$callbacks)
}

# The first pass's response: the task from y, the classes from `classes` (or
# a factor's levels), y as indices into them.
.stream_target <- function(y, n, classes) {
  if (is.data.frame(y) && ncol(y) == 1L) y <- y[[1L]]
  classification <- is.factor(y) || is.character(y) || is.logical(y) || !is.null(classes)
  if (!classification) return(.core_target(y, n, "y", paste("x has", n, "rows")))
  if (is.null(classes)) {
    if (!is.factor(y)) {
      .stop("classes must be given on the first pass (every class label of the stream), or y a factor ",
            "with every level")
    }
    classes <- levels(y)
  }
  if (anyNA(classes) || anyDuplicated(as.character(classes))) .stop("classes must be distinct labels, without NA")
  classes <- as.character(classes)
  if (length(classes) < 2L) .stop("classes must hold at least 2 labels; got ", length(classes))
  target <- list(task = "classification", classes = classes, n_classes = length(classes))
  target$y <- .validation_target(y, n, target)
  target
}

# One pass through the core: object NULL (a new model) or the fit to continue.
.stream_pass <- function(object, x, target, weights, params, seed, variables, verbose, callbacks, call) {
  if (identical(params$class_weight, "balanced")) {
    .stop("class_weight = \"balanced\" is not supported by partial_fit: a chunk's class counts are not the ",
          "stream's; give class_weight as named weights")
  }
  w <- .class_weighted(params, target, .core_weights(weights, nrow(x), "weights", "row"))
  groups <- if (is.null(variables)) integer(0) else .variable_widths(variables)
  feature_names <- if (is.null(object)) colnames(x) else object$feature_names
  reporter <- .epoch_reporter(utils::modifyList(params, list(max_epochs = 1L, refine_epochs = 0L)), verbose,
                              callbacks, if (is.null(variables)) feature_names else .variable_names(variables))
  on.exit(reporter$close(), add = TRUE)
  state <- if (is.null(object)) NULL else .core_state(object)
  result <- .core(sa_partial_fit(x, target$y, w, target$n_classes, target$task, .core_params(params, seed), state,
                                 reporter$on_epoch, groups))
  if (isTRUE(result$interrupted)) .interrupted()
  s <- result$state
  .new_fit(
    task = target$task, params = params, seed = seed, kernel = result$kernel,
    feature_names = feature_names, classes = target$classes,
    n_features = s$n_features, n_outputs = s$n_outputs, n_epochs_run = s$n_epochs_run, best_epoch = s$best_epoch,
    arrays = .arrays_from_core(s$arrays), call = call, variables = variables
  )
}
