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
#' The document keeps the feature names but not an R formula: a model loaded
#' from JSON predicts from a matrix or data.frame whose columns carry those
#' names (a formula fit on numeric columns therefore still predicts from the
#' original data.frame). \code{saveRDS} keeps the whole R object, formula
#' included.
#'
#' @param fit A fit from \code{\link{scores_activation}} or \code{load_model}.
#' @param path File name.
#' @return \code{save_model}: \code{path}, invisibly. \code{load_model}: a
#'   \code{"scores_activation"} object.
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
  .check_fit(fit, "fit")
  .check_path(path)
  json <- jsonlite::toJSON(.to_document(fit), auto_unbox = TRUE, null = "null",
                           json_verbatim = TRUE, digits = NA)
  con <- file(path, open = "wb")
  on.exit(close(con))
  writeBin(charToRaw(paste0(enc2utf8(as.character(json)), "\n")), con)
  invisible(path)
}

#' @rdname save_model
#' @export
load_model <- function(path) {
  .check_path(path)
  if (!file.exists(path)) .stop("path: no such file '", path, "'")
  text <- readChar(path, file.size(path), useBytes = TRUE)
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

# The model format version this package writes and reads (from the core).
.format_version <- function() sa_model_format_version()
.version_1_params <- list(gate = "scale", snr_budget = 1, refine_epochs = 0L, n_bootstrap = 0L)

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
  p <- fit$params
  params <- list()
  for (name in .param_names) {
    v <- p[[name]]
    params[name] <- list(
      if (is.null(v)) NULL
      else if (name == "hidden_layer_sizes") .json_array(v)
      else if (is.numeric(v)) .json_scalar(v)
      else v
    )
  }
  classes <- fit$classes
  if (!is.null(classes)) classes <- if (is.numeric(classes)) .json_array(classes) else I(classes)
  arrays <- list()
  for (name in sort(names(fit$arrays))) {
    a <- .array_to_core(fit$arrays[[name]])
    arrays[[name]] <- list(shape = I(as.integer(a$shape)), data = .json_array(a$data))
  }
  list(
    format = "scoresactivation",
    format_version = .format_version(),
    library_version = as.character(utils::packageVersion("scoresactivation")),
    estimator = .estimator_name(fit$task),
    task = fit$task,
    params = params,
    seed = .json_scalar(fit$seed),
    n_features = fit$n_features,
    n_outputs = fit$n_outputs,
    n_epochs_run = fit$n_epochs_run,
    best_epoch = fit$best_epoch,
    feature_names = if (is.null(fit$feature_names)) NULL else I(as.character(fit$feature_names)),
    classes = classes,
    arrays = arrays
  )
}

.from_document <- function(doc) {
  if (!is.list(doc) || is.null(names(doc)) || !identical(doc$format, "scoresactivation")) {
    .stop("not a scoresactivation model document (missing \"format\": \"scoresactivation\")")
  }
  version <- doc$format_version
  if (!is.numeric(version) || length(version) != 1L || version < 1 || version != round(version)) {
    .stop("invalid format_version in the model document")
  }
  if (version > .format_version()) {
    .stop("the model's format_version ", version, " is newer than this package reads (",
          .format_version(), "); upgrade scoresactivation")
  }
  required <- c("task", "params", "seed", "n_features", "n_outputs", "n_epochs_run", "best_epoch", "arrays")
  absent <- required[!required %in% names(doc)]
  if (length(absent)) .stop("the model document lacks the field(s) ", paste(absent, collapse = ", "))

  params <- list()
  for (name in intersect(names(doc$params), .param_names)) {
    v <- doc$params[[name]]
    params[name] <- list(if (is.null(v)) NULL else unlist(v))
  }
  if (version == 1) {
    # Params a version-1 document predates: it was written by the scale gate
    # without a refinement phase (docs/model-format.md).
    for (name in names(.version_1_params)) {
      if (is.null(params[[name]])) params[name] <- list(.version_1_params[[name]])
    }
  }
  params <- .normalise_params(params)

  arrays <- lapply(doc$arrays, function(entry) {
    if (!is.list(entry) || is.null(entry$shape)) .stop("the model document has a malformed array")
    list(shape = as.integer(unlist(entry$shape)), data = as.double(unlist(entry$data)))
  })
  task <- doc$task
  if (!identical(task, "classification") && !identical(task, "regression")) {
    .stop("the model document's task must be 'classification' or 'regression'")
  }
  classes <- if (is.null(doc$classes)) NULL else unlist(doc$classes)
  if (identical(task, "classification") && length(classes) != doc$n_outputs) {
    .stop("the model document has ", length(classes), " classes for ", doc$n_outputs, " outputs")
  }
  fit <- .new_fit(
    task = task, params = params, seed = as.double(doc$seed), kernel = NA_character_,
    feature_names = if (is.null(doc$feature_names)) NULL else as.character(unlist(doc$feature_names)),
    classes = classes,
    n_features = doc$n_features, n_outputs = doc$n_outputs,
    n_epochs_run = doc$n_epochs_run, best_epoch = doc$best_epoch,
    arrays = .arrays_from_core(arrays),
    library_version = if (is.null(doc$library_version)) NA_character_ else as.character(doc$library_version)
  )
  # The core checks every array's presence and shape.
  fit$kernel <- .core(sa_check_state(.core_params_of(fit), .core_state(fit)))
  fit
}
