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
  expect_named(seen[[1]], c("epoch", "train_loss", "validation_loss", "improved", "scores"))
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
