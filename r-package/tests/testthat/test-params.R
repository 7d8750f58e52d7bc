test_that("the hyperparameter vocabulary is the Python/C++ one", {
  expect_identical(names(default_params()), c(
    "hidden_layer_sizes", "activation", "scores_layer", "temperature",
    "entropy_penalty", "solver", "learning_rate", "scores_learning_rate",
    "weight_decay", "momentum", "beta_1", "beta_2", "epsilon", "batch_size",
    "max_epochs", "early_stopping", "validation_fraction", "n_iter_no_change",
    "tol", "standardize", "random_state", "n_threads", "kernel"
  ))
})

test_that("scores_activation() defaults are the core's defaults", {
  f <- formals(scoresactivation:::scores_activation.default)
  defaults <- default_params()
  from_formals <- lapply(f[names(defaults)], eval)
  expect_identical(from_formals, defaults)
  # random_state is the one documented difference from params.hpp (0 there).
  core <- scoresactivation:::sa_default_params()
  expect_identical(core$random_state, 0)
  core["random_state"] <- list(NULL)
  expect_identical(core[names(defaults)], defaults)
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
  expect_error(scores_activation(Species ~ ., d, batch_size = 0), "batch_size")
  expect_error(scores_activation(Species ~ ., d, max_epochs = 1.5), "max_epochs")
  expect_error(scores_activation(Species ~ ., d, validation_fraction = 1), "validation_fraction")
  expect_error(scores_activation(Species ~ ., d, early_stopping = NA), "early_stopping")
  expect_error(scores_activation(Species ~ ., d, random_state = -1), "random_state")
  expect_error(scores_activation(Species ~ ., d, random_state = 2^32), "random_state")
  expect_error(scores_activation(Species ~ ., d, n_threads = 0), "n_threads")
  expect_error(scores_activation(Species ~ ., d, max_epoch = 10), "unknown argument.*max_epoch")
  expect_error(scores_activation(as.matrix(d[, 1:4]), d$Species, nonsense = 1), "unknown argument.*nonsense")
  expect_error(scores_activation(Species ~ ., d, verbose = "yes"), "verbose")
})
