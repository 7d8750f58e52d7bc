# Hyperparameters: names, defaults, ranges and checks, all from the C++
# core's one table (core/include/scoresactivation/param_spec.hpp), which the
# Python package reads too.

# The core's table of a family's hyperparameters ("tabular", "sequence",
# "senn"): a named list, one list(name, group, type, default, low, high,
# low_open, high_open, min_length, max_length, choices, doc) per parameter.
# Read once per session.
.param_table <- function(family = "tabular") {
  key <- paste0("spec_", family)
  if (is.null(.cache[[key]])) .cache[[key]] <- sa_param_spec(family)
  .cache[[key]]
}

# The arguments of a family's fitting functions that the table holds
# (verbose, a front-end argument of every call, is left out), in its order.
.param_names <- function(family = "tabular") setdiff(names(.param_table(family)), "verbose")

# Those of one group of the table: "training", "sequence", "senn", "front_end".
.param_group <- function(family, group) {
  spec <- .param_table(family)
  names(spec)[vapply(spec, function(s) identical(s$group, group), logical(1))]
}

#' The table of hyperparameters
#'
#' Every hyperparameter of a model family, as the C++ core checks it: name,
#' type, default, range, choices and a one-line description. The Python
#' package reads the same table (\code{scoresactivation.param_spec()}), so the
#' names, defaults and ranges are the same in both languages.
#'
#' @param family \code{"tabular"} (\code{\link{scores_activation}}),
#'   \code{"sequence"} (\code{\link{scores_activation_sequence}}) or
#'   \code{"senn"} (\code{\link{senn}}).
#' @return A data frame with one row per parameter and the columns
#'   \code{name}, \code{group} (\code{"training"}, \code{"sequence"},
#'   \code{"senn"} or \code{"front_end"}: resolved by the R front end),
#'   \code{type}, \code{default} (a list column), \code{low}, \code{high},
#'   \code{low_open}, \code{high_open} (the range; open ends excluded),
#'   \code{min_length}, \code{max_length} (layer lists), \code{choices} (a
#'   list column) and \code{doc}.
#' @seealso \code{\link{default_params}}.
#' @examples
#' spec <- param_spec()
#' spec[spec$name %in% c("batch_size", "learning_rate"), c("name", "default", "low", "high")]
#' @export
param_spec <- function(family = c("tabular", "sequence", "senn")) {
  family <- match.arg(family)
  spec <- .param_table(family)
  column <- function(field, type) unname(vapply(spec, function(s) s[[field]], type))
  out <- data.frame(name = names(spec), group = column("group", ""), type = column("type", ""),
                    stringsAsFactors = FALSE)
  out$default <- unname(lapply(spec, function(s) s$default))
  out$low <- column("low", 0)
  out$high <- column("high", 0)
  out$low_open <- column("low_open", TRUE)
  out$high_open <- column("high_open", TRUE)
  out$min_length <- column("min_length", 0L)
  out$max_length <- column("max_length", 0L)
  out$choices <- unname(lapply(spec, function(s) s$choices))
  out$doc <- column("doc", "")
  out
}

#' Default hyperparameters
#'
#' The defaults of \code{\link{scores_activation}}, read from the C++ core's
#' table of hyperparameters (\code{\link{param_spec}}), which the Python
#' package uses too. Two defaults are \code{NULL}, as \code{None} in Python:
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
  lapply(.param_table("tabular"), function(s) s$default)[.param_names()]
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

# Checks a named list of hyperparameters against the core's table (types,
# ranges, choices and the rules across parameters; errors name the
# parameter) and returns every one of them in its R type, defaults filled in.
.normalise_params <- function(params) {
  unknown <- setdiff(names(params), .param_names())
  if (length(unknown)) {
    .stop("unknown hyperparameter(s): ", paste(unknown, collapse = ", "))
  }
  out <- default_params()
  for (name in names(params)) out[name] <- list(params[[name]])
  out["class_weight"] <- list(.class_weight_core(out$class_weight))
  checked <- .core(sa_check_params(out, "tabular"))
  checked["random_state"] <- list(if (!is.null(out$random_state)) as.double(out$random_state))
  # (a front-end choice checked by the core above; read by the categorical encoder, R/categorical.R)
  checked["handle_unknown"] <- list(out$handle_unknown)
  # (checked by the core above; kept as a named numeric vector, class = weight)
  checked["class_weight"] <- list(if (is.list(out$class_weight)) unlist(out$class_weight) else out$class_weight)
  # Beyond the core's limit (4 x the cores) more threads only cost.
  nt <- out$n_threads
  checked["n_threads"] <- list(if (!is.null(nt)) as.integer(sign(nt) * min(abs(nt), sa_thread_limit())))
  checked[.param_names()]
}

# The seed the core uses, by the rule the Python package follows: a whole
# number in [0, 2^32) itself, or NULL: one drawn from R's generator in
# [0, 2^31 - 1) (so set.seed() makes it reproducible).
.resolve_seed <- function(random_state, arg = "random_state") {
  if (is.null(random_state)) {
    return(as.double(sample.int(.Machine$integer.max, 1L) - 1L))
  }
  if (length(random_state) != 1L || !.is_whole(random_state) || random_state < 0 || random_state >= 2^32) {
    .stop(arg, " must be NULL or a whole number in [0, 2^32), got ", .describe(random_state))
  }
  as.double(random_state)
}

# Threads the core runs on, by the core's rule (sa_resolve_threads): NULL is
# all cores, a negative number counts back from them (-1: all, -2: all but
# one). Under R CMD check --as-cran (_R_CHECK_LIMIT_CORES_ set), "all cores" is 2.
.resolve_threads <- function(n_threads) {
  cores <- .cores()
  limit <- toupper(Sys.getenv("_R_CHECK_LIMIT_CORES_", ""))
  if (nzchar(limit) && limit != "FALSE") cores <- min(cores, 2L)
  .core(sa_resolve_threads(n_threads, cores))
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

# The training hyperparameters the sequence models take through `...`:
# every one of scores_activation() but the head's hidden_layer_sizes, which
# scores_activation_sequence() names (with its own default).
.training_param_names <- function() setdiff(.param_names(), c("hidden_layer_sizes", "handle_unknown"))

# What a sequence model adds (SequenceParams), in the table's order.
.sequence_param_names <- function() .param_group("sequence", "sequence")

# Checks the sequence params against the core's table (errors name the parameter).
.normalise_sequence_params <- function(architecture, units, kernel_size, pooling) {
  given <- list(architecture = architecture, units = units, kernel_size = kernel_size, pooling = pooling)
  .core(sa_check_params(given, "sequence"))[.sequence_param_names()]
}

# What a SENN model adds (SennParams), in the table's order.
.senn_param_names <- function() .param_group("senn", "senn")

# Checks the SENN params against the core's table (robustness_penalty in [0, 1e6]).
.normalise_senn_params <- function(robustness_penalty) {
  .core(sa_check_params(list(robustness_penalty = robustness_penalty), "senn"))[.senn_param_names()]
}

# class_weight as the core takes it: NULL, "balanced" or a named list (class
# label -> weight); R users pass a named numeric vector (or list).
.class_weight_core <- function(class_weight) {
  if (is.null(class_weight) || (is.character(class_weight) && length(class_weight) == 1L)) return(class_weight)
  named <- !is.null(names(class_weight)) && all(nzchar(names(class_weight)))
  if ((is.numeric(class_weight) || is.list(class_weight)) && length(class_weight) && named) {
    return(as.list(class_weight))
  }
  .stop("class_weight must be NULL, 'balanced' or a named numeric vector (class = weight); got ",
        .describe(class_weight))
}

# The rows' weights of a fit (w: .core_weights' numeric(0) or n weights)
# under params$class_weight, by the core's rule (class_weight.hpp).
.class_weighted <- function(params, target, w) {
  if (is.null(params$class_weight)) return(w)
  labels <- if (is.null(target$classes)) character(0) else as.character(target$classes)
  .core(sa_class_weighted(.class_weight_core(params$class_weight), labels, target$y, w))
}
