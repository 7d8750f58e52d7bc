# Hyperparameters: names, defaults (from the C++ core) and checks.

# In the order of the core's Params (core/include/scoresactivation/params.hpp),
# the same names as in the Python package.
.param_names <- c(
  "hidden_layer_sizes", "activation", "scores_layer", "gate", "snr_budget",
  "temperature", "entropy_penalty", "solver", "learning_rate",
  "scores_learning_rate", "weight_decay", "momentum", "beta_1", "beta_2",
  "epsilon", "batch_size", "max_epochs", "refine_epochs", "n_bootstrap", "early_stopping", "validation_fraction", "n_iter_no_change",
  "tol", "standardize", "random_state", "n_threads", "kernel"
)
.int_params <- c("batch_size", "max_epochs", "refine_epochs", "n_bootstrap", "n_iter_no_change")
.double_params <- c(
  "snr_budget", "temperature", "entropy_penalty", "learning_rate", "scores_learning_rate",
  "weight_decay", "momentum", "beta_1", "beta_2", "epsilon",
  "validation_fraction", "tol"
)
.bool_params <- c("scores_layer", "early_stopping", "standardize")
.string_params <- c("activation", "gate", "solver", "kernel")

#' Default hyperparameters
#'
#' The defaults of \code{\link{scores_activation}}, read from the C++ core
#' (\code{core/include/scoresactivation/params.hpp}), which the Python package
#' uses too. Two defaults are \code{NULL}, as \code{None} in Python:
#' \code{random_state} (a seed is drawn from R's random number generator, so
#' \code{\link{set.seed}} makes a fit reproducible) and \code{n_threads} (all
#' cores).
#'
#' @return A named list with one element per hyperparameter.
#' @seealso \code{\link{scores_activation}} for their meaning.
#' @examples
#' str(default_params())
#' @export
default_params <- function() {
  p <- sa_default_params()
  p["random_state"] <- list(NULL)
  p["n_threads"] <- list(NULL)
  p[.param_names]
}

.stop <- function(...) stop(..., call. = FALSE)

# Runs a call into the core; its std::exception messages become plain R
# errors (without the internal function's call).
.core <- function(expr) {
  tryCatch(expr, error = function(e) .stop(conditionMessage(e)))
}

.is_whole <- function(v) {
  is.numeric(v) && !anyNA(v) && all(is.finite(v)) && all(v == round(v))
}

.describe <- function(v) {
  if (is.null(v)) return("NULL")
  paste(utils::capture.output(utils::str(v, give.head = FALSE)), collapse = " ")
}

# Checks the R types of a named list of hyperparameters and coerces them to
# what the core takes. Ranges are checked by the core (.check_params).
.normalise_params <- function(params) {
  unknown <- setdiff(names(params), .param_names)
  if (length(unknown)) {
    .stop("unknown hyperparameter(s): ", paste(unknown, collapse = ", "))
  }
  out <- default_params()
  for (name in names(params)) out[name] <- list(params[[name]])

  h <- out$hidden_layer_sizes
  if (is.null(h)) h <- integer(0)
  if (!.is_whole(h) || any(h < 1) || any(h > .Machine$integer.max)) {
    .stop("hidden_layer_sizes must be a vector of positive whole numbers, got ", .describe(h))
  }
  out$hidden_layer_sizes <- as.integer(h)
  for (name in .int_params) {
    v <- out[[name]]
    if (length(v) != 1L || !.is_whole(v) || abs(v) > .Machine$integer.max) {
      .stop(name, " must be a single whole number, got ", .describe(v))
    }
    out[[name]] <- as.integer(v)
  }
  for (name in .double_params) {
    v <- out[[name]]
    if (length(v) != 1L || !is.numeric(v) || is.na(v)) {
      .stop(name, " must be a single number, got ", .describe(v))
    }
    out[[name]] <- as.double(v)
  }
  for (name in .bool_params) {
    v <- out[[name]]
    if (length(v) != 1L || !is.logical(v) || is.na(v)) {
      .stop(name, " must be TRUE or FALSE, got ", .describe(v))
    }
  }
  for (name in .string_params) {
    v <- out[[name]]
    if (length(v) != 1L || !is.character(v) || is.na(v)) {
      .stop(name, " must be a single string, got ", .describe(v))
    }
  }
  rs <- out$random_state
  if (!is.null(rs)) {
    if (length(rs) != 1L || !.is_whole(rs) || rs < 0 || rs >= 2^32) {
      .stop("random_state must be NULL or a whole number in [0, 2^32), got ", .describe(rs))
    }
    out$random_state <- as.double(rs)
  }
  nt <- out$n_threads
  if (!is.null(nt)) {
    if (length(nt) != 1L || !.is_whole(nt) || nt == 0) {
      .stop("n_threads must be NULL or a non-zero whole number, got ", .describe(nt))
    }
    # Beyond the core's limit (4 x the cores) more threads only cost.
    out$n_threads <- as.integer(sign(nt) * min(abs(nt), sa_thread_limit()))
  }
  out
}

# The seed the core uses: random_state, or one drawn from R's RNG.
.resolve_seed <- function(random_state) {
  if (is.null(random_state)) {
    return(as.double(sample.int(.Machine$integer.max, 1L)))
  }
  as.double(random_state)
}

# Threads the core runs on, as the Python package resolves them: NULL is all
# cores, a negative number counts back from them (-1: all, -2: all but one).
# Under R CMD check --as-cran (_R_CHECK_LIMIT_CORES_ set), "all cores" is 2.
.resolve_threads <- function(n_threads) {
  cores <- .cores()
  limit <- toupper(Sys.getenv("_R_CHECK_LIMIT_CORES_", ""))
  if (nzchar(limit) && limit != "FALSE") cores <- min(cores, 2L)
  if (is.null(n_threads)) return(cores)
  n_threads <- as.integer(n_threads)
  n_threads <- if (n_threads > 0L) n_threads else max(1L, cores + 1L + n_threads)
  min(n_threads, sa_thread_limit())
}

# detectCores() costs milliseconds (most of a one-row predict): asked once.
.cache <- new.env(parent = emptyenv())
.cores <- function() {
  if (is.null(.cache$cores)) {
    cores <- parallel::detectCores()
    .cache$cores <- if (is.na(cores)) 1L else as.integer(max(1L, cores))
  }
  .cache$cores
}

# The list the C++ glue reads: every hyperparameter with its core type, the
# seed in place of random_state and a thread count in place of NULL.
.core_params <- function(params, seed) {
  p <- params
  p$random_state <- as.double(seed)
  p$n_threads <- .resolve_threads(params$n_threads)
  p
}

# Range checks with the core's own rules (the message names the parameter).
.check_params <- function(core_params) {
  .core(sa_validate_params(core_params))
  invisible(core_params)
}

# The training hyperparameters the sequence models take through `...`:
# every one of scores_activation() but the head's hidden_layer_sizes, which
# scores_activation_sequence() names (with its own default).
.training_param_names <- setdiff(.param_names, "hidden_layer_sizes")

# What a sequence model adds (SequenceParams in
# core/include/scoresactivation/sequence_network.hpp), in document order.
.sequence_param_names <- c("architecture", "units", "kernel_size", "pooling")
.architectures <- c("lstm", "conv")
.poolings <- c("auto", "last", "mean")

# Checks and coerces the sequence params (errors name the parameter), then
# applies the core's rules to them.
.normalise_sequence_params <- function(architecture, units, kernel_size, pooling) {
  if (!is.character(architecture) || length(architecture) != 1L || is.na(architecture) ||
      !architecture %in% .architectures) {
    .stop("architecture must be 'lstm' or 'conv', got ", .describe(architecture))
  }
  if (is.null(units) || length(units) == 0L) {
    .stop("units must list at least one encoder layer (e.g. units = 32), got ", .describe(units))
  }
  if (!.is_whole(units) || any(units < 1) || any(units > .Machine$integer.max)) {
    .stop("units must be a vector of positive whole numbers (one per encoder layer), got ", .describe(units))
  }
  if (length(kernel_size) != 1L || !.is_whole(kernel_size) || kernel_size < 1 || kernel_size > .Machine$integer.max) {
    .stop("kernel_size must be an odd whole number in [1, 1025], got ", .describe(kernel_size))
  }
  if (architecture == "conv" && (kernel_size %% 2 == 0 || kernel_size > 1025)) {
    .stop("kernel_size must be an odd whole number in [1, 1025] (the width of each filter in time steps, ",
          "centred on its step), got ", .describe(kernel_size))
  }
  if (!is.character(pooling) || length(pooling) != 1L || is.na(pooling) || !pooling %in% .poolings) {
    .stop("pooling must be 'auto', 'last' or 'mean', got ", .describe(pooling))
  }
  out <- list(architecture = architecture, units = as.integer(units), kernel_size = as.integer(kernel_size),
              pooling = pooling)
  .core(sa_validate_sequence_params(out))  # the core's ranges (at most 64 layers, widths)
  out
}

# What a SENN model adds (SennParams in
# core/include/scoresactivation/senn_network.hpp), in document order.
.senn_param_names <- "robustness_penalty"

# Checks and coerces the SENN params (errors name the parameter), then
# applies the core's rules to them (robustness_penalty in [0, 1e6]).
.normalise_senn_params <- function(robustness_penalty) {
  v <- robustness_penalty
  if (length(v) != 1L || !is.numeric(v) || is.na(v)) {
    .stop("robustness_penalty must be a single number in [0, 1e6], got ", .describe(v))
  }
  out <- list(robustness_penalty = as.double(v))
  .core(sa_validate_senn_params(out))
  out
}
