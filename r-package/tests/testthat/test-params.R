test_that("the hyperparameter vocabulary is the core's table", {
  expect_identical(names(default_params()), c(
    "hidden_layer_sizes", "activation", "scores_layer", "gate", "snr_budget", "temperature",
    "entropy_penalty", "solver", "learning_rate", "scores_learning_rate",
    "weight_decay", "momentum", "beta_1", "beta_2", "epsilon", "batch_size",
    "max_epochs", "refine_epochs", "n_bootstrap", "early_stopping", "validation_fraction", "n_iter_no_change",
    "tol", "standardize", "random_state", "n_threads", "kernel", "class_weight", "handle_unknown"
  ))
  spec <- param_spec()
  expect_identical(setdiff(spec$name, "verbose"), names(default_params()))
  expect_identical(spec$default[spec$name == "hidden_layer_sizes"][[1]], c(64L, 32L))
  expect_identical(spec$choices[spec$name == "gate"][[1]], c("snr", "scale"))
  expect_true(spec$low_open[spec$name == "snr_budget"])
  expect_identical(param_spec("sequence")$default[param_spec("sequence")$name == "hidden_layer_sizes"][[1]],
                   integer(0))
})

# The formals of every fitting function against the core's table (the same
# table the Python signatures are tested against in tests/python/test_param_spec.py).
formals_of <- function(f, drop = c("x", "y", "...", "weights", "sample_weight", "verbose", "callbacks",
                                   "validation_data")) {
  f <- formals(f)
  lapply(f[setdiff(names(f), drop)], eval)
}
table_defaults <- function(family, drop = "verbose") {
  spec <- param_spec(family)
  keep <- !spec$name %in% drop
  stats::setNames(spec$default[keep], spec$name[keep])
}

test_that("scores_activation() formals are the core's table", {
  from_formals <- formals_of(scoresactivation:::scores_activation.default)
  expect_identical(from_formals, table_defaults("tabular"))
  expect_identical(default_params(), table_defaults("tabular"))
  expect_null(default_params()$random_state)
  expect_null(default_params()$n_threads)
  expect_false(eval(formals(scoresactivation:::scores_activation.default)$verbose))
  expect_identical(param_spec()$default[param_spec()$name == "verbose"][[1]], 0)
})

test_that("senn() and scores_activation_sequence() formals are the core's table", {
  senn_formals <- formals_of(scoresactivation:::senn.default)
  senn_table <- table_defaults("senn")
  # senn() takes the training parameters through ... (as scores_activation() names them).
  expect_identical(senn_formals, senn_table[names(senn_formals)])
  expect_true(all(setdiff(names(senn_table), names(senn_formals)) %in% names(default_params())))
  seq_formals <- formals_of(scoresactivation::scores_activation_sequence, drop = c("x", "y", "...",
                                                                                          "sample_weight", "verbose", "lengths"))
  seq_table <- table_defaults("sequence")
  expect_identical(seq_formals, seq_table[names(seq_formals)])
  expect_true(all(setdiff(names(seq_table), names(seq_formals)) %in% names(default_params())))
})

test_that("a bad value is refused by the core's rule, naming the parameter and its range", {
  d <- iris[c(1:20, 51:70), ]
  expect_error(scores_activation(Species ~ ., d, batch_size = 0),
               "batch_size must be an integer in [1, 1e+15], got 0", fixed = TRUE)
  expect_error(scores_activation(Species ~ ., d, snr_budget = 0),
               "snr_budget must be a number in (0, 1000000], got 0", fixed = TRUE)
  expect_error(scores_activation(Species ~ ., d, activation = "gelu"),
               "activation must be one of 'relu', 'tanh', 'logistic', 'identity', got 'gelu'", fixed = TRUE)
  expect_error(scores_activation(Species ~ ., d, early_stopping = NA), "early_stopping must be true or false, got null",
               fixed = TRUE)
  expect_error(scores_activation(Species ~ ., d, batch_size = c(8, 16)), "batch_size must be an integer")
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
