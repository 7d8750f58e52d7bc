#' Save and load a model as JSON
#'
#' \code{save_model} writes the fitted model as the JSON document of the
#' project's model format (\code{docs/model-format.md}), the same document the
#' Python package writes with \code{est.save(path)} and reads with
#' \code{ScoresActivationClassifier.load(path)}. Numbers are written with up
#' to 17 significant digits, so a saved and reloaded model predicts bit for
#' bit as the original. \code{load_model} reads a document written by either
#' package.
#'
#' The document keeps the feature names and, for a formula fit, the
#' formula's text (\code{"formula"}, with \code{.} expanded): a model loaded
#' from JSON predicts from a data.frame as the original fit did. A model with
#' categorical variables (factor or character columns, see
#' \code{\link{scores_activation}}) writes \code{"variables"} (each variable's
#' name and levels) instead of \code{"feature_names"}, so the loaded model
#' encodes a data.frame's factor or character columns as the fit did,
#' matching them by name (also for a model written by the Python package,
#' which stores no formula). Formulas whose terms keep fitted values
#' (\code{poly()}, \code{scale()}) are not written; such a model predicts from
#' the encoded columns after loading. \code{saveRDS} keeps the whole R object,
#' formula included.
#'
#' Sequence models (\code{\link{scores_activation_sequence}}) are saved as
#' format version 3 documents (estimator
#' \code{ScoresActivationSequenceClassifier} or
#' \code{ScoresActivationSequenceRegressor}, as Python's
#' \code{ScoresActivationSequence*} classes write them); \code{load_model}
#' returns a \code{"scores_activation_sequence"} object for those. The
#' number of time steps the model was fitted on is not stored (prediction
#' takes any).
#'
#' SENN models (\code{\link{senn}}) are saved as format version 4
#' documents (estimator \code{SENNClassifier} or \code{SENNRegressor}, as
#' Python's classes of those names write them, with the extra parameter
#' \code{robustness_penalty}); \code{load_model} returns a \code{"senn"}
#' object for those.
#'
#' @param path File name.
#' @param fit A fit from \code{\link{scores_activation}},
#'   \code{\link{scores_activation_sequence}}, \code{\link{senn}} or
#'   \code{load_model}.
#' @return \code{save_model}: \code{path}, invisibly. \code{load_model}: a
#'   \code{"scores_activation"} object, a \code{"scores_activation_sequence"}
#'   one for a sequence model, or a \code{"senn"} one for a SENN model.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' path <- tempfile(fileext = ".json")
#' save_model(fit, path)
#' fit2 <- load_model(path)
#' identical(predict(fit, iris, type = "prob"), predict(fit2, iris, type = "prob"))
#' unlink(path)
#' @export
save_model <- function(fit, path) {
  .check_fit(fit, "fit", allow_sequence = TRUE)
  .check_path(path)
  json <- jsonlite::toJSON(.to_document(fit), auto_unbox = TRUE, null = "null",
                           json_verbatim = TRUE, digits = NA)
  .write_atomically(charToRaw(paste0(enc2utf8(as.character(json)), "\n")), path)
  invisible(path)
}

# Writes to a temporary file in the target's folder and renames it over the
# target, so a failed save leaves an earlier file at path intact. (Base R
# has no fsync: the rename happens after the file is closed and flushed.)
.write_atomically <- function(bytes, path) {
  folder <- dirname(path)
  if (dir.exists(path)) .stop("path: '", path, "' is a folder, not a file name")
  if (!dir.exists(folder)) .stop("path: cannot save to '", path, "': no folder '", folder, "'")
  temporary <- tempfile(pattern = ".tmp-", tmpdir = folder, fileext = ".json")
  ok <- FALSE
  on.exit(if (!ok) unlink(temporary), add = TRUE)
  con <- file(temporary, open = "wb")
  tryCatch(writeBin(bytes, con), finally = close(con))
  if (file.exists(path)) Sys.chmod(temporary, file.info(path)$mode)
  else Sys.chmod(temporary, as.octmode("666") & !Sys.umask(NA))
  if (!file.rename(temporary, path)) .stop("path: cannot write '", path, "'")
  ok <- TRUE
}

#' @rdname save_model
#' @export
load_model <- function(path) {
  .check_path(path)
  if (!file.exists(path)) .stop("path: no such file '", path, "'")
  size <- file.size(path)
  if (is.na(size) || dir.exists(path)) .stop("path: '", path, "' is not a readable file")
  bytes <- readBin(path, "raw", size)
  if (any(bytes == as.raw(0))) .stop("path: '", path, "' is not a JSON document (it holds binary data)")
  text <- rawToChar(bytes)
  Encoding(text) <- "UTF-8"
  doc <- tryCatch(jsonlite::parse_json(text),
                  error = function(e) .stop("path: '", path, "' is not a JSON document: ", conditionMessage(e)))
  .from_document(doc)
}

.check_path <- function(path) {
  if (!is.character(path) || length(path) != 1L || is.na(path) || !nzchar(path)) {
    .stop("path must be a single file name")
  }
}

# Finite doubles as JSON numbers that parse back to the same bits: the
# shortest of 15, 16 or 17 significant digits that round-trips (jsonlite's
# own writer stops at 15). Checked with the JSON parser itself: R's
# as.double() is not correctly rounded (it reads "-0.3847988946649816" as
# -0.38479889466498163, which jsonlite and Python read as its neighbour).
.json_numbers <- function(v) {
  v <- as.double(v)
  if (any(!is.finite(v))) .stop("cannot save a model with non-finite numbers")
  s <- sprintf("%.15g", v)
  parsed <- function(s) as.double(unlist(jsonlite::parse_json(paste0("[", paste(s, collapse = ","), "]"))))
  for (digits in 16:17) {
    bad <- parsed(s) != v
    if (!any(bad)) break
    s[bad] <- sprintf(paste0("%.", digits, "g"), v[bad])
  }
  s[v == 0 & 1 / v < 0] <- "-0.0"
  s
}

.json_array <- function(v) structure(paste0("[", paste(.json_numbers(v), collapse = ","), "]"), class = "json")
.json_scalar <- function(v) structure(.json_numbers(v), class = "json")

.to_document <- function(fit) {
  sequence <- .is_sequence(fit)
  senn <- .is_senn(fit)
  family <- if (senn) "senn" else if (sequence) "sequence" else "tabular"
  params <- c(fit$params, fit$sequence_params, fit$senn_params)
  if (family != "tabular") params$handle_unknown <- NULL  # (a tabular-only front-end param)
  front_end <- list(random_state = fit$params$random_state, n_threads = fit$params$n_threads)
  # absent means NULL (and files of earlier versions round-trip as written)
  if (!is.null(fit$params$class_weight)) front_end$class_weight <- .class_weight_core(fit$params$class_weight)
  if (!is.null(fit$params$handle_unknown) && !identical(fit$params$handle_unknown, "error")) {
    front_end$handle_unknown <- fit$params$handle_unknown
  }
  labels <- function(v) if (is.null(v)) NULL else as.list(if (is.factor(v)) as.character(v) else v)
  # Categorical variables (R/categorical.R): "variables" (names and levels)
  # replace "feature_names".
  variables <- if (!is.null(fit$variables)) {
    lapply(fit$variables, function(v) list(name = v$name, levels = if (!is.null(v$levels)) as.list(v$levels)))
  }
  doc <- .core(sa_write_model_document(family, params, front_end, fit$seed, .core_state(fit),
                                       if (is.null(variables)) labels(fit$feature_names), labels(fit$classes),
                                       as.character(utils::packageVersion("scoresactivation")),
                                       variables, fit$formula))
  .json_ready(doc)
}

# The core's document (sa_write_model_document) ready for jsonlite: every
# number written exactly (.json_numbers), arrays of numbers as arrays even
# of length 1.
.json_ready <- function(x) {
  if (inherits(x, "sa_numbers")) return(.json_array(unclass(x)))
  if (inherits(x, "sa_number")) return(.json_scalar(unclass(x)))
  if (is.list(x)) {
    for (i in seq_along(x)) if (!is.null(x[[i]])) x[[i]] <- .json_ready(x[[i]])
    return(x)
  }
  x
}

.from_document <- function(doc) {
  # The core checks the whole document (schema, version, types, finite
  # values, shapes, classes) before anything is built; errors name the key.
  checked <- .core(sa_read_model_document(doc))
  params <- checked$params
  # The front end's own params, as the document has them (checked by the core).
  for (name in c("random_state", "n_threads")) {
    params[name] <- list(if (is.null(doc$params[[name]])) NULL else as.double(doc$params[[name]]))
  }
  cw <- doc$params$class_weight
  params["class_weight"] <- list(if (is.list(cw)) unlist(cw) else cw)
  params["handle_unknown"] <- list(doc$params$handle_unknown %||% "error")
  params <- .normalise_params(params[.param_names()])
  state <- checked$state
  # The variables (checked by the core: names, distinct levels, widths = the score groups).
  variables <- if (!is.null(doc$variables)) {
    lapply(doc$variables, function(v) {
      list(name = as.character(v$name), levels = if (!is.null(v$levels)) as.character(unlist(v$levels)))
    })
  }
  sequence <- isTRUE(checked$sequence)
  sequence_params <- if (sequence) checked$params[.sequence_param_names()]
  senn <- isTRUE(checked$senn)
  senn_params <- if (senn) checked$params[.senn_param_names()]
  fit <- .new_fit(
    task = checked$task, params = params, seed = checked$seed, kernel = NA_character_,
    feature_names = if (is.null(doc$feature_names)) NULL else as.character(unlist(doc$feature_names)),
    classes = if (is.null(doc$classes)) NULL else unlist(doc$classes),
    n_features = state$n_features, n_outputs = state$n_outputs,
    n_epochs_run = state$n_epochs_run, best_epoch = state$best_epoch,
    arrays = .arrays_from_core(state$arrays),
    library_version = if (is.null(doc$library_version)) NA_character_ else as.character(doc$library_version),
    sequence_params = sequence_params, senn_params = senn_params,
    variables = variables
  )
  if (!is.null(variables)) fit$feature_names <- .encoded_names(variables)
  if (!is.null(doc$formula)) {
    # The formula of an R fit: predict() evaluates it in newdata as the
    # original fit did (the terms' environment is the global one).
    f <- tryCatch(stats::as.formula(as.character(doc$formula), env = globalenv()),
                  error = function(e) .stop("model document: formula '", doc$formula, "' does not parse: ",
                                            conditionMessage(e)))
    fit$terms <- stats::terms(f)
    fit$formula <- as.character(doc$formula)
  }
  fit$kernel <- if (sequence) {
    .core(sa_sequence_check_state(.core_params_of(fit), fit$sequence_params, .core_state(fit)))
  } else if (senn) {
    .core(sa_senn_check_state(.core_params_of(fit), fit$senn_params, .core_state(fit)))
  } else {
    .core(sa_check_state(.core_params_of(fit), .core_state(fit)))
  }
  fit
}
