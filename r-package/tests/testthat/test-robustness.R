# Hardening (issue 11): hostile model files, atomic saves, extreme scales
# and out-of-range arguments end in a clear R error naming the key or the
# argument, and leave the files on disk as they were.

quick_fit <- function(...) {
  scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 15,
                    refine_epochs = 2, hidden_layer_sizes = 8, n_threads = 1, ...)
}

saved_document <- function(fit) {
  path <- tempfile(fileext = ".json")
  save_model(fit, path)
  on.exit(unlink(path))
  jsonlite::parse_json(readChar(path, file.size(path), useBytes = TRUE))
}

expect_rejected <- function(doc, pattern) {
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  writeLines(jsonlite::toJSON(doc, auto_unbox = TRUE, null = "null", digits = NA, na = "null"), path)
  expect_error(load_model(path), pattern)
}

test_that("hostile documents are refused with the key named, before any allocation", {
  fit <- quick_fit()
  doc <- saved_document(fit)
  change <- function(f) { d <- doc; f(d) }
  expect_rejected(change(function(d) { d$arrays$input_mean$data[[1]] <- NULL; d }), "input_mean")
  expect_rejected(change(function(d) { d$arrays$input_mean$data[[1]] <- "NaN"; d }),
                  "'arrays.input_mean.data\\[0\\]' must be a finite number")
  expect_rejected(change(function(d) { d$arrays$input_scale$data[[2]] <- 0; d }), "'input_scale' must be positive")
  expect_rejected(change(function(d) { d$n_outputs <- 4; d }), "'classes' has 3 entries, expected 4")
  expect_rejected(change(function(d) { d$classes <- list("a", "a", "b"); d }), "repeats an earlier label")
  expect_rejected(change(function(d) { d$seed <- -1; d }), "'seed'")
  expect_rejected(change(function(d) { d$params$n_threads <- 1.5; d }), "'params.n_threads'")
  expect_rejected(change(function(d) { d$params$batch_size <- 2^63; d }), "'params.batch_size'")
  expect_rejected(change(function(d) { d$params$hidden_layer_sizes <- list(8, 0); d }),
                  "'params.hidden_layer_sizes' must be a list of at most 64 integers in \\[1, 1048576\\], got \\[8, 0\\]")
  expect_rejected(change(function(d) { d$format_version <- 99; d }), "newer than this library reads")
  expect_rejected(change(function(d) { d$task <- "regression"; d }), "'estimator'")
  for (key in c("task", "params", "seed", "n_features", "arrays", "format_version")) {
    expect_rejected(change(function(d) { d[[key]] <- NULL; d }), paste0("'", key, "' is missing"))
  }
  # A 3 KB file claiming 2e9 features once took 15.7 GB and 33 s.
  elapsed <- system.time(expect_rejected(change(function(d) { d$n_features <- 2e9; d }), "'n_features'"))
  expect_lt(elapsed[["elapsed"]], 2)
  huge <- change(function(d) {
    d$n_features <- 16e6
    d$feature_names <- NULL
    d$arrays$input_mean$shape <- list(16e6)
    d$arrays$dense_0_weight$shape <- list(16e6, 8)
    d
  })
  elapsed <- system.time(expect_rejected(huge, "values for its shape"))
  expect_lt(elapsed[["elapsed"]], 2)
})

test_that("non-JSON files and folders are refused", {
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  writeBin(as.raw(c(0, 255, 123)), path)
  expect_error(load_model(path), "is not a JSON document")
  writeLines("", path)
  expect_error(load_model(path), "JSON")
  expect_error(load_model(tempdir()), "not a readable file")
})

test_that("a file's thread count is capped, not obeyed", {
  fit <- quick_fit()
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(fit, path)
  text <- readChar(path, file.size(path), useBytes = TRUE)
  expect_match(text, '"n_threads":1,', fixed = TRUE)
  writeLines(sub('"n_threads":1,', '"n_threads":40000,', text, fixed = TRUE), path)  # once aborted in libgomp
  loaded <- load_model(path)
  expect_lte(loaded$params$n_threads, scoresactivation:::sa_thread_limit())
  expect_identical(predict(loaded, iris, type = "prob"), predict(fit, iris, type = "prob"))
  expect_silent(scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 2,
                                  hidden_layer_sizes = 4, n_threads = 1e6))
})

test_that("a failed save leaves the earlier file intact and no temporary behind", {
  fit <- quick_fit()
  folder <- tempfile("models")
  dir.create(folder)
  on.exit(unlink(folder, recursive = TRUE))
  path <- file.path(folder, "model.json")
  save_model(fit, path)
  before <- readBin(path, "raw", file.size(path))
  broken <- fit
  broken$arrays$input_mean[1] <- NaN
  expect_error(save_model(broken, path), "'arrays.input_mean.data\\[0\\]' must be a finite number")
  expect_identical(readBin(path, "raw", file.size(path)), before)
  expect_identical(list.files(folder, all.files = TRUE, no.. = TRUE), "model.json")
  Sys.chmod(path, "640")
  save_model(fit, path)
  expect_identical(format(file.info(path)$mode), "640")
  expect_error(save_model(fit, file.path(folder, "missing", "m.json")), "no folder")
  expect_error(save_model(fit, folder), "is a folder")
})

test_that("tiny and huge scales train like unit scale; unrepresentable spans are refused", {
  x <- as.matrix(iris[, 1:4])
  reference <- scores_activation(x, iris$Species, random_state = 1, max_epochs = 15, n_threads = 1)
  for (factor in c(1e-13, 1e154)) {
    fit <- scores_activation(x * factor, iris$Species, random_state = 1, max_epochs = 15, n_threads = 1)
    expect_equal(predict(fit, x * factor, type = "prob"), predict(reference, x, type = "prob"), tolerance = 1e-6)
  }
  y <- iris$Sepal.Length
  big <- scores_activation(x[, 2:4], y * 1e300, random_state = 1, max_epochs = 15, n_threads = 1)
  small <- scores_activation(x[, 2:4], y, random_state = 1, max_epochs = 15, n_threads = 1)
  expect_true(all(is.finite(predict(big, x[, 2:4]))))
  expect_equal(predict(big, x[, 2:4]) / 1e300, predict(small, x[, 2:4]), tolerance = 1e-6)
  span <- x
  span[, 1] <- -1.7e308
  span[1, 1] <- 1.7e308
  expect_error(scores_activation(span, y, max_epochs = 2, n_threads = 1), "spans more than double precision")
})

test_that("every hyperparameter out of range or of the wrong type is refused by name", {
  x <- as.matrix(iris[, 1:4])
  y <- iris$Species
  wrong <- list(
    int = list("3", 2.5, TRUE, NA, 2^63, -2^63, c(1, 2)),
    double = list("0.1", NA, NaN, Inf, TRUE, c(0.1, 0.2)),
    bool = list("yes", 1, NA, c(TRUE, FALSE)),
    string = list(1, NA_character_, "nonsense", c("a", "b"))
  )
  spec <- param_spec()
  kind_of <- c(integer = "int", number = "double", boolean = "bool", string = "string")
  scalar <- spec$type %in% names(kind_of)
  kinds <- setNames(kind_of[spec$type[scalar]], spec$name[scalar])
  expect_length(kinds, 25L)  # every scalar hyperparameter of the table
  for (name in names(kinds)) {
    for (value in wrong[[kinds[[name]]]]) {
      args <- list(x = x, y = y, max_epochs = 2L, n_threads = 1L)
      args[name] <- list(value)
      expect_error(do.call(scores_activation, args), name, info = paste(name, "=", deparse(value)))
    }
  }
  for (value in list("big", c(8, -1), 8.5, 2^40)) {
    expect_error(scores_activation(x, y, hidden_layer_sizes = value, max_epochs = 2), "hidden_layer_sizes")
  }
  for (value in list("2", 0, 2.5, TRUE)) {
    expect_error(scores_activation(x, y, n_threads = value, max_epochs = 2), "n_threads")
  }
  for (value in list(-1, 2^64, 1.5, "1")) {
    expect_error(scores_activation(x, y, random_state = value, max_epochs = 2), "random_state")
  }
})

test_that("weights and tiny data that cannot be fitted give errors naming the argument", {
  x <- as.matrix(iris[, 1:4])
  y <- iris$Species
  expect_error(scores_activation(x, y, sample_weight = rep(1e308, 150), max_epochs = 2), "sample_weight")
  expect_error(scores_activation(x, y, sample_weight = c(NaN, rep(1, 149)), max_epochs = 2), "sample_weight")
  two <- c(1, 51)
  expect_error(scores_activation(x[two, ], droplevels(y[two]), max_epochs = 2), "no class has 2 or more samples")
  expect_error(scores_activation(x[1:6, ], factor(c("a", "a", "a", "b", "b", "b")), n_bootstrap = 5,
                                 max_epochs = 2, random_state = 3, early_stopping = FALSE),
               "n_bootstrap")
})
