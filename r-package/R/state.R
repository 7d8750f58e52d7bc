# The fitted state. The core exchanges arrays as list(shape, data) with data
# in row-major (C) order (docs/model-format.md); a fit object keeps them as
# R vectors (1-d) and matrices (2-d), which is what users look at.

.array_from_core <- function(entry, name = "") {
  shape <- as.integer(entry$shape)
  data <- as.double(entry$data)
  if (length(shape) == 0L || anyNA(shape) || any(shape < 0L) || length(data) != prod(shape)) {
    .stop("array '", name, "' has ", length(data), " values for shape [", paste(shape, collapse = ", "), "]")
  }
  if (length(shape) == 1L) return(data)
  # Row-major data of shape (a, b, ...) is column-major data of shape (..., b, a).
  aperm(array(data, dim = rev(shape)))
}

.array_to_core <- function(a) {
  if (is.null(dim(a))) {
    return(list(shape = length(a), data = as.double(a)))
  }
  list(shape = dim(a), data = as.double(aperm(a)))
}

.arrays_from_core <- function(arrays) {
  out <- mapply(.array_from_core, arrays, names(arrays), SIMPLIFY = FALSE)
  out[sort(names(out))]
}

.arrays_to_core <- function(arrays) lapply(arrays, .array_to_core)

# The state list the C++ glue reads, from a fit object.
.core_state <- function(object) {
  list(
    task = object$task,
    n_features = object$n_features,
    n_outputs = object$n_outputs,
    n_epochs_run = object$n_epochs_run,
    best_epoch = object$best_epoch,
    arrays = .arrays_to_core(object$arrays)
  )
}

.core_params_of <- function(object) .core_params(object$params, object$seed)

.estimator_name <- function(task, sequence = FALSE, senn = FALSE) {
  paste0(if (isTRUE(senn)) "SENN" else if (isTRUE(sequence)) "ScoresActivationSequence" else "ScoresActivation",
         if (identical(task, "classification")) "Classifier" else "Regressor")
}

.is_sequence <- function(object) inherits(object, "scores_activation_sequence")
.is_senn <- function(object) inherits(object, "senn")

# Builds the S3 object from the pieces every constructor (fit, load_model) has.
# A sequence model (sequence_params: list(architecture, units, kernel_size,
# pooling)) is a "scores_activation_sequence", which inherits from
# "scores_activation"; its features are the channels, and n_steps is the T
# it was fitted on (NULL after load_model: documents do not store it).
# A SENN model (senn_params: list(robustness_penalty), R/senn.R) is a
# "senn", which inherits from "scores_activation" too.
.new_fit <- function(task, params, seed, kernel, feature_names, classes, n_features,
                     n_outputs, n_epochs_run, best_epoch, arrays, call = NULL,
                     terms = NULL, xlevels = NULL, contrasts = NULL,
                     library_version = as.character(utils::packageVersion("scoresactivation")),
                     sequence_params = NULL, n_steps = NULL, senn_params = NULL, variables = NULL) {
  sequence <- !is.null(sequence_params)
  senn <- !is.null(senn_params)
  fit <- structure(
    list(
      call = call,
      task = task,
      estimator = .estimator_name(task, sequence, senn),
      params = params,
      seed = seed,
      kernel = kernel,
      feature_names = feature_names,
      classes = classes,
      n_features = as.integer(n_features),
      n_outputs = as.integer(n_outputs),
      n_epochs_run = as.integer(n_epochs_run),
      best_epoch = as.integer(best_epoch),
      arrays = arrays,
      terms = terms,
      xlevels = xlevels,
      contrasts = contrasts,
      library_version = library_version
    ),
    class = "scores_activation"
  )
  # The input variables (R/categorical.R): NULL when every column is numeric.
  if (!is.null(variables)) fit$variables <- variables
  if (sequence) {
    fit$sequence_params <- sequence_params
    fit$n_steps <- if (is.null(n_steps)) NULL else as.integer(n_steps)
    class(fit) <- c("scores_activation_sequence", "scores_activation")
  }
  if (senn) {
    fit$senn_params <- senn_params
    class(fit) <- c("senn", "scores_activation")
  }
  fit
}

# allow_sequence: whether a sequence or SENN model will do (the functions
# every kind shares); the ScoresActivation-only ones refuse them with a
# message saying so.
.check_fit <- function(object, arg = "object", allow_sequence = FALSE) {
  if (!inherits(object, "scores_activation")) {
    .stop(arg, " must be a fitted model from scores_activation() or load_model()")
  }
  if (!allow_sequence && .is_sequence(object)) {
    .stop(arg, " is a sequence model (scores_activation_sequence); this function takes the tabular models of ",
          "scores_activation()")
  }
  if (!allow_sequence && .is_senn(object)) {
    .stop(arg, " is a SENN model (senn); this function takes the models of scores_activation(); ",
          "see ?senn for what a SENN model offers")
  }
  invisible(object)
}

.check_senn_fit <- function(object, arg = "object") {
  if (!.is_senn(object)) .stop(arg, " must be a fitted SENN model from senn() or load_model()")
  invisible(object)
}

.check_sequence_fit <- function(object, arg = "object") {
  if (!.is_sequence(object)) {
    .stop(arg, " must be a fitted sequence model from scores_activation_sequence() or load_model()")
  }
  invisible(object)
}

# The sequence params list the C++ glue reads.
.core_sequence_params_of <- function(object) object$sequence_params
