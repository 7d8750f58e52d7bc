# partial_fit: one pass of the core's shared training loop per chunk; a
# model saved mid-stream continues exactly; update(fit, moredata) is the same
# pass; bad chunks are refused and the model is unchanged.

stream_chunk <- function(seed, n = 200) {
  set.seed(seed)
  x <- matrix(rnorm(n * 4) * 4 + 10, n, 4, dimnames = list(NULL, paste0("f", 1:4)))
  signal <- 2 * (x[, 1] - 10) - (x[, 2] - 10) + rnorm(n)
  list(x = x, y = factor(ifelse(signal > 0, "yes", "no"), levels = c("no", "yes")))
}

test_that("streaming chunks learns the signal, one pass per call", {
  fit <- NULL
  for (i in 1:30) {
    ch <- stream_chunk(i)
    fit <- partial_fit(fit, ch$x, ch$y, random_state = 1, n_threads = 2)
  }
  test <- stream_chunk(99, 2000)
  expect_identical(fit$n_epochs_run, 30L)
  expect_identical(fit$best_epoch, 30L)
  expect_equal(dim(fit$arrays$scores_history), c(30L, 4L))
  expect_gt(mean(predict(fit, test$x) == test$y), 0.9)
  s <- scores(fit)
  expect_gt(min(s[c("f1", "f2")]), max(s[c("f3", "f4")]))
  expect_identical(fit$classes, c("no", "yes"))
  # the first chunk's scaling
  expect_equal(as.vector(fit$arrays$input_mean), unname(colMeans(stream_chunk(1)$x)), tolerance = 1e-12)
  expect_output(print(fit), "30 epochs run \\(30 partial_fit passes\\)")
  expect_error(fitted(fit), "trained by partial_fit\\(\\) does not keep")
})

test_that("a model saved mid-stream continues exactly, and the same seed gives the same stream", {
  chunks <- lapply(1:4, stream_chunk)
  pass <- function(fit, ch) partial_fit(fit, ch$x, ch$y, random_state = 3, n_threads = 1)
  straight <- Reduce(pass, chunks, NULL)
  half <- Reduce(pass, chunks[1:2], NULL)
  path <- tempfile(fileext = ".json")
  rds <- tempfile(fileext = ".rds")
  on.exit(unlink(c(path, rds)))
  save_model(half, path)
  saveRDS(half, rds)
  test <- stream_chunk(50, 300)$x
  for (resumed in list(load_model(path), readRDS(rds))) {
    resumed <- Reduce(pass, chunks[3:4], resumed)
    expect_identical(predict(resumed, test, type = "prob"), predict(straight, test, type = "prob"))
  }
  again <- Reduce(pass, chunks, NULL)
  expect_identical(scores(again), scores(straight))
})

test_that("classes come from the first pass (or a factor's levels); a chunk may hold one class", {
  ch <- stream_chunk(5)
  only_no <- ch$y == "no"
  fit <- partial_fit(NULL, ch$x[only_no, ], as.character(ch$y[only_no]), classes = c("no", "yes"),
                     random_state = 1, n_threads = 2)
  expect_identical(fit$classes, c("no", "yes"))
  expect_identical(ncol(predict(fit, ch$x, type = "prob")), 2L)
  expect_error(partial_fit(NULL, ch$x, as.character(ch$y)), "classes must be given on the first pass")
  expect_error(partial_fit(fit, ch$x, ch$y, classes = c("yes", "no")), "classes \\('yes', 'no'\\) differ")
})

test_that("regression keeps the first chunk's target scale and learns", {
  set.seed(6)
  x <- matrix(rnorm(2000 * 3), 2000, 3)
  y <- 100 + 20 * x[, 1] + rnorm(2000)
  fit <- NULL
  for (pass in 1:10) for (start in seq(1, 2000, by = 250)) {
    rows <- start:(start + 249)
    fit <- partial_fit(fit, x[rows, ], y[rows], random_state = 1, n_threads = 2)
  }
  expect_equal(as.vector(fit$arrays$target_mean), mean(y[1:250]))
  p <- predict(fit, x)
  expect_gt(1 - sum((y - p)^2) / sum((y - mean(y))^2), 0.95)
})

test_that("update(fit, moredata) is one pass; update without it refits as stats::update does", {
  half <- seq(1, 150, by = 2)
  fit <- scores_activation(Species ~ ., data = iris[half, ], max_epochs = 10, random_state = 1, n_threads = 2)
  more <- update(fit, moredata = iris[-half, ])
  expect_identical(more$n_epochs_run, fit$n_epochs_run + 1L)
  expect_length(more$arrays$validation_loss_curve, 0L)  # it described the fitted model
  expect_identical(more$formula, fit$formula)
  expect_identical(dim(predict(more, iris, type = "prob")), c(150L, 3L))
  expect_output(print(more), "then 1 partial_fit pass\\)")
  refit <- update(fit, max_epochs = 3)
  expect_lte(refit$n_epochs_run, 3L + refit$params$refine_epochs)
  x <- as.matrix(iris[, 1:4])
  xy <- scores_activation(x[half, ], iris$Species[half], max_epochs = 5, random_state = 1, n_threads = 2)
  step <- update(xy, moredata = list(x = x[-half, ], y = iris$Species[-half]))
  direct <- partial_fit(xy, x[-half, ], iris$Species[-half])
  expect_identical(step$arrays$dense_0_weight, direct$arrays$dense_0_weight)
  expect_error(update(xy, moredata = list(x = x[-half, ], y = iris$Species[-half]), max_epochs = 3),
               "with moredata, update\\(\\) takes verbose and callbacks; got max_epochs")
})

test_that("factor columns keep the first pass's levels", {
  d <- data.frame(x = rnorm(300), city = sample(c("oslo", "rome"), 300, TRUE))
  y <- ifelse(d$city == "rome", 1, -1) + d$x
  fit <- partial_fit(NULL, d[1:150, ], y[1:150], random_state = 1, n_threads = 2)
  fit <- partial_fit(fit, d[151:300, ], y[151:300])
  expect_named(scores(fit), c("x", "city"))
  unknown <- d[151:300, ]
  unknown$city <- "lima"
  expect_error(partial_fit(fit, unknown, y[151:300]), "lima")
})

test_that("bad chunks and fit-only settings are refused by name, the model unchanged", {
  ch <- stream_chunk(7)
  fit <- partial_fit(NULL, ch$x, ch$y, random_state = 1, n_threads = 2)
  before <- predict(fit, ch$x, type = "prob")
  expect_error(partial_fit(fit, ch$x[, 1:3], ch$y), "x lacks the column\\(s\\) f4")
  expect_error(partial_fit(fit, ch$x, factor(rep("maybe", 200))), "y holds label\\(s\\) the training response does not: 'maybe'")
  bad <- ch$x
  bad[2, 2] <- NA
  expect_error(partial_fit(fit, bad, ch$y), "missing")
  expect_error(partial_fit(fit, ch$x, ch$y, learning_rate = 0.5), "learning_rate differ\\(s\\) from the model's")
  expect_identical(predict(fit, ch$x, type = "prob"), before)
  expect_error(partial_fit(NULL, ch$x, ch$y, n_bootstrap = 3), "n_bootstrap applies to fit")
  expect_error(partial_fit(NULL, ch$x, ch$y, class_weight = "balanced"), "not supported by partial_fit")
  expect_error(partial_fit(NULL, ch$x, ch$y, max_epoch = 3), "max_epoch")
  expect_error(partial_fit(list(), ch$x, ch$y), "object must be NULL \\(the first pass\\) or a fit")
  s <- senn(Species ~ ., data = iris, max_epochs = 3, random_state = 1, n_threads = 2)
  expect_error(partial_fit(s, iris[, 1:4], iris$Species), "object is a SENN model")
})
