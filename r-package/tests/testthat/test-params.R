test_that("the hyperparameter vocabulary is the Python/C++ one", {
  expect_identical(names(default_params()), c(
    "hidden_layer_sizes", "activation", "scores_layer", "gate", "snr_budget", "temperature",
    "entropy_penalty", "solver", "learning_rate", "scores_learning_rate",
    "weight_decay", "momentum", "beta_1", "beta_2", "epsilon", "batch_size",
    "max_epochs", "refine_epochs", "n_bootstrap", "early_stopping", "validation_fraction", "n_iter_no_change",
    "tol", "standardize", "random_state", "n_threads", "kernel"
  ))
})

test_that("scores_activation() defaults are the core's defaults", {
  f <- formals(scoresactivation:::scores_activation.default)
  defaults <- default_params()
  from_formals <- lapply(f[names(defaults)], eval)
  expect_identical(from_formals, defaults)
  # random_state and n_threads are NULL (None in Python), 0 and 1 in params.hpp.
  expect_null(defaults$random_state)
  expect_null(defaults$n_threads)
  core <- scoresactivation:::sa_default_params()
  expect_identical(core$random_state, 0)
  expect_identical(core$n_threads, 1L)
  core["random_state"] <- list(NULL)
  core["n_threads"] <- list(NULL)
  expect_identical(core[names(defaults)], defaults)
})

test_that("the defaults equal the Python estimator's (source tree only)", {
  source_file <- test_path("..", "..", "..", "python-package", "src", "scoresactivation", "_estimator.py")
  skip_if_not(file.exists(source_file), "not run from the source tree")
  lines <- readLines(source_file, warn = FALSE)
  start <- grep("def __init__(", lines, fixed = TRUE)[1L]
  end <- start + grep("^    \\):", lines[-seq_len(start)])[1L]
  body <- trimws(lines[(start + 1L):(end - 1L)])
  body <- sub(",$", "", body[grepl("=", body, fixed = TRUE)])
  python <- list()
  for (entry in body) {
    name <- sub("=.*$", "", entry)
    value <- sub("^[^=]*=", "", entry)
    python[name] <- list(
      if (value == "None") NULL
      else if (value %in% c("True", "False")) value == "True"
      else if (grepl("^\\(", value)) as.double(strsplit(gsub("[() ]", "", value), ",")[[1L]])
      else if (grepl("^\"", value)) gsub("\"", "", value)
      else as.double(value)
    )
  }
  expect_setequal(setdiff(names(python), "verbose"), names(default_params()))
  r <- default_params()
  for (name in names(r)) {
    v <- r[[name]]
    if (is.numeric(v)) v <- as.double(v)
    expect_identical(v, python[[name]], info = name)
  }
})

test_that("n_threads: NULL is all cores, negative counts back, as in Python", {
  resolve <- scoresactivation:::.resolve_threads
  old <- Sys.getenv("_R_CHECK_LIMIT_CORES_", NA)
  on.exit(if (is.na(old)) Sys.unsetenv("_R_CHECK_LIMIT_CORES_") else Sys.setenv("_R_CHECK_LIMIT_CORES_" = old))
  cores <- parallel::detectCores()
  cores <- if (is.na(cores)) 1L else as.integer(cores)
  Sys.unsetenv("_R_CHECK_LIMIT_CORES_")
  expect_identical(resolve(NULL), cores)
  expect_identical(resolve(-1L), cores)
  expect_identical(resolve(-1000L), 1L)
  expect_identical(resolve(3L), 3L)
  Sys.setenv("_R_CHECK_LIMIT_CORES_" = "TRUE")
  expect_identical(resolve(NULL), min(cores, 2L))
  expect_identical(resolve(3L), 3L)
  fit <- scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 2, n_threads = -1)
  expect_identical(fit$params$n_threads, -1L)
  expect_null(scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 2)$params$n_threads)
})

test_that("bad hyperparameters stop with an error naming them", {
  d <- iris[1:100, ]
  d$Species <- droplevels(d$Species)
  expect_error(scores_activation(Species ~ ., d, temperature = -1), "temperature")
  expect_error(scores_activation(Species ~ ., d, temperature = "a"), "temperature")
  expect_error(scores_activation(Species ~ ., d, hidden_layer_sizes = c(8, 0)), "hidden_layer_sizes")
  expect_error(scores_activation(Species ~ ., d, hidden_layer_sizes = 2.5), "hidden_layer_sizes")
  expect_error(scores_activation(Species ~ ., d, activation = "softsign"), "activation")
  expect_error(scores_activation(Species ~ ., d, solver = "lbfgs"), "solver")
  expect_error(scores_activation(Species ~ ., d, kernel = "neon"), "kernel")
  expect_error(scores_activation(Species ~ ., d, gate = "noise"), "gate")
  expect_error(scores_activation(Species ~ ., d, gate = 1), "gate")
  expect_error(scores_activation(Species ~ ., d, snr_budget = 0), "snr_budget")
  expect_error(scores_activation(Species ~ ., d, snr_budget = 1e7), "snr_budget")
  expect_error(scores_activation(Species ~ ., d, refine_epochs = -1), "refine_epochs")
  expect_error(scores_activation(Species ~ ., d, refine_epochs = 2.5), "refine_epochs")
  expect_error(scores_activation(Species ~ ., d, batch_size = 0), "batch_size")
  expect_error(scores_activation(Species ~ ., d, max_epochs = 1.5), "max_epochs")
  expect_error(scores_activation(Species ~ ., d, validation_fraction = 1), "validation_fraction")
  expect_error(scores_activation(Species ~ ., d, early_stopping = NA), "early_stopping")
  expect_error(scores_activation(Species ~ ., d, random_state = -1), "random_state")
  expect_error(scores_activation(Species ~ ., d, random_state = 2^32), "random_state")
  expect_error(scores_activation(Species ~ ., d, n_threads = 0), "n_threads")
  expect_error(scores_activation(Species ~ ., d, n_threads = 1.5), "n_threads")
  expect_error(scores_activation(Species ~ ., d, max_epoch = 10), "unknown argument.*max_epoch")
  expect_error(scores_activation(as.matrix(d[, 1:4]), d$Species, nonsense = 1), "unknown argument.*nonsense")
  expect_error(scores_activation(Species ~ ., d, verbose = "yes"), "verbose")
})
