# verbose = TRUE and callbacks: the core's per-epoch hook, as in Python.

test_that("callbacks see every epoch, with the losses the fit records", {
  seen <- list()
  also <- 0L
  fit <- scores_activation(Species ~ ., data = iris, max_epochs = 6, random_state = 1, n_threads = 2,
                           callbacks = list(function(info) seen[[length(seen) + 1L]] <<- info,
                                            function(info) also <<- also + 1L))
  expect_length(seen, fit$n_epochs_run)
  expect_identical(also, fit$n_epochs_run)
  expect_identical(vapply(seen, function(i) i$epoch, integer(1)), seq_len(fit$n_epochs_run))
  expect_equal(vapply(seen, function(i) i$train_loss, numeric(1)), as.vector(fit$arrays$loss_curve))
  expect_equal(vapply(seen, function(i) i$validation_loss, numeric(1)), as.vector(fit$arrays$validation_loss_curve))
  expect_named(seen[[1]], c("epoch", "train_loss", "validation_loss", "validation_score", "improved", "scores"))
  expect_length(seen[[1]]$scores, 4L)
  plain <- list()
  scores_activation(Species ~ ., data = iris, max_epochs = 2, early_stopping = FALSE, scores_layer = FALSE,
                    random_state = 1, n_threads = 2, callbacks = function(info) plain[[length(plain) + 1L]] <<- info)
  expect_true(is.na(plain[[1]]$validation_loss))
  expect_null(plain[[1]]$scores)
  n <- 0L
  senn(Species ~ ., data = iris, max_epochs = 3, random_state = 1, n_threads = 2, callbacks = function(i) n <<- n + 1L)
  expect_gt(n, 0L)
  m <- 0L
  x <- array(rnorm(40 * 4 * 2), c(40, 4, 2))
  scores_activation_sequence(x, rowSums(x[, , 1]), units = 4, max_epochs = 2, random_state = 1, n_threads = 2,
                             callbacks = function(i) m <<- m + 1L)
  expect_gt(m, 0L)
})

test_that("an error in a callback ends the fit with that error", {
  stop_at_two <- function(info) if (info$epoch == 2L) stop("stop at epoch two")
  expect_error(scores_activation(Species ~ ., data = iris, max_epochs = 5, random_state = 1, n_threads = 2,
                                 callbacks = stop_at_two), "stop at epoch two")
  expect_error(scores_activation(Species ~ ., data = iris, max_epochs = 2, callbacks = list(1)),
               "callbacks must be a function or a list of functions")
  expect_error(scores_activation(as.matrix(iris[, 1:4]), iris$Species, max_epochs = 2, callbacks = "f"),
               "callbacks must be")
})

test_that("verbose prints one line per epoch, or a progress bar when interactive", {
  expect_output(scores_activation(Species ~ ., data = iris, max_epochs = 2, refine_epochs = 1, random_state = 1,
                                  n_threads = 2, verbose = TRUE),
                "epoch    1/3  loss [0-9.]+  validation [0-9.]+( \\*)?  top: [A-Za-z.]+ 0[.][0-9]{3}, ")
  skip_if_not_installed("progress")
  # interactive() is FALSE under Rscript: replace the package's binding of it for this test.
  ns <- asNamespace("scoresactivation")
  original <- get(".interactive", ns)
  unlockBinding(".interactive", ns)
  assign(".interactive", function() TRUE, ns)
  on.exit({
    assign(".interactive", original, ns)
    lockBinding(".interactive", ns)
  }, add = TRUE)
  out <- capture.output(type = "message", printed <- capture.output(
    scores_activation(Species ~ ., data = iris, max_epochs = 2, refine_epochs = 1, random_state = 1, n_threads = 2,
                      verbose = TRUE)))
  expect_true(any(grepl("epoch 3/3", out)))
})

# Replaces the package's binding of interactive() (FALSE under Rscript) for one test.
local_interactive <- function(env = parent.frame()) {
  ns <- asNamespace("scoresactivation")
  original <- get(".interactive", ns)
  unlockBinding(".interactive", ns)
  assign(".interactive", function() TRUE, ns)
  withr_defer <- function() {
    assign(".interactive", original, ns)
    lockBinding(".interactive", ns)
  }
  do.call(on.exit, list(substitute(withr_defer()), add = TRUE), envir = env)
  invisible(withr_defer)
}

test_that("the core reports Shapley rows and permutation shuffles done, up to the total", {
  fit <- quick_iris_fit(n_threads = 2)
  params <- scoresactivation:::.core_params_of(fit)
  state <- scoresactivation:::.core_state(fit)
  x <- unname(as.matrix(iris[1:12, 1:4]))
  heard <- list()
  hook <- function(done, total) heard[[length(heard) + 1L]] <<- c(done, total)
  options <- list(method = "shapley", given = character(0), targets = 0L, output = "raw", n_threads = 2L,
                  exact = 1L, background = "rows", background_rows = x[1:5, ])
  with_hook <- scoresactivation:::sa_explain(params, state, x, options, hook)
  without <- scoresactivation:::sa_explain(params, state, x, options, NULL)
  expect_identical(with_hook$values, without$values)
  done <- vapply(heard, `[`, numeric(1), 1L)
  expect_true(all(vapply(heard, `[`, numeric(1), 2L) == 12))
  expect_identical(tail(done, 1L), 12)
  expect_false(is.unsorted(done))
  # A failing display does not end the computation it shows.
  expect_output(
    failing <- scoresactivation:::sa_explain(params, state, x, options, function(done, total) {
      cat("showing\n")
      stop("display broke")
    }), "showing")
  expect_identical(failing$values, without$values)

  heard <- list()
  y <- as.double(as.integer(iris$Species[1:12]) - 1L)
  p <- scoresactivation:::sa_permutation_importance(params, state, x, y, numeric(0), 3L, 1, 2L, hook)
  q <- scoresactivation:::sa_permutation_importance(params, state, x, y, numeric(0), 3L, 1, 2L, NULL)
  expect_identical(p$importances, q$importances)
  expect_identical(tail(heard, 1L)[[1L]], c(12, 12))  # 4 features x 3 shuffles
})

test_that("verbose shows a Shapley or permutation progress bar in interactive sessions only", {
  fit <- quick_iris_fit(n_threads = 2)
  bg <- iris[seq(1, 150, 10), ]
  quiet <- capture.output(type = "message", a <- explain(fit, iris[1:6, ], "shapley", background = bg, verbose = TRUE))
  expect_identical(quiet, character(0))  # Rscript is not interactive
  expect_error(explain(fit, iris[1:2, ], "shapley", background = bg, verbose = NA), "verbose must be TRUE or FALSE")
  skip_if_not_installed("progress")
  local_interactive()
  shown <- capture.output(type = "message", b <- explain(fit, iris[1:6, ], "shapley", background = bg,
                                                           verbose = TRUE))
  expect_identical(b, a)
  expect_true(any(grepl("shapley \\[.*\\] 18/18 rows \\(100%\\)", shown)))  # 6 rows x 3 classes
  shown <- capture.output(type = "message", g <- global_importance(fit, iris, iris$Species, "permutation",
                                                                   random_state = 1, verbose = TRUE))
  expect_identical(g, global_importance(fit, iris, iris$Species, "permutation", random_state = 1))
  expect_true(any(grepl("permutation \\[.*\\] 20/20 shuffles", shown)))
  x <- array(rnorm(30 * 4 * 2), c(30, 4, 2))
  seq_fit <- scores_activation_sequence(x, rowSums(x[, , 1]), units = 4, max_epochs = 2, random_state = 1,
                                        n_threads = 2)
  shown <- capture.output(type = "message", e <- explain(seq_fit, x[1:3, , ], "shapley", background = x[1:5, , ],
                                                    verbose = TRUE))
  expect_true(any(grepl("shapley \\[.*\\] 3/3 rows", shown)))
  shown <- capture.output(type = "message", g <- global_importance(seq_fit, x, rowSums(x[, , 1]), "permutation",
                                                              random_state = 1, verbose = TRUE))
  expect_true(any(grepl("permutation \\[.*\\] 10/10 shuffles", shown)))
  s <- senn(Species ~ ., data = iris, max_epochs = 3, random_state = 1, n_threads = 2)
  shown <- capture.output(type = "message", e <- explain(s, iris[1:4, ], "shapley", background = bg, verbose = TRUE))
  expect_true(any(grepl("shapley \\[.*\\] 12/12 rows", shown)))
})
