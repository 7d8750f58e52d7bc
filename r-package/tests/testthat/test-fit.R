test_that("classification recovers the relevant features f1..f5", {
  d <- make_classification_data(600, seed = 1)
  fit <- scores_activation(d$x, d$y, random_state = 1)
  w <- scores(fit, sort = TRUE)
  expect_setequal(names(w)[1:5], paste0("f", 1:5))
  expect_equal(sum(w), 1, tolerance = 1e-12)
  expect_true(all(w > 0))
  accuracy <- mean(predict(fit, d$x) == d$y)
  expect_gt(accuracy, 0.9)
})

test_that("regression recovers the relevant features of Friedman #1", {
  d <- make_regression_data(600, seed = 2)
  fit <- scores_activation(d$x, d$y, random_state = 2)
  expect_setequal(names(scores(fit, sort = TRUE))[1:5], paste0("f", 1:5))
  pred <- predict(fit, d$x)
  expect_type(pred, "double")
  expect_length(pred, 600)
  expect_gt(1 - mean((pred - d$y)^2) / stats::var(d$y), 0.8)
})

test_that("the fit object is a plain list with the documented parts", {
  fit <- quick_iris_fit()
  expect_s3_class(fit, "scores_activation")
  expect_identical(fit$task, "classification")
  expect_identical(fit$classes, levels(iris$Species))
  expect_identical(fit$feature_names, names(iris)[1:4])
  expect_identical(fit$seed, 1)
  expect_true(fit$kernel %in% c("avx2", "portable"))
  expect_identical(dim(fit$arrays$dense_0_weight), c(4L, 64L))
  expect_identical(dim(fit$arrays$scores_history), c(fit$n_epochs_run, 4L))
  expect_length(fit$arrays$loss_curve, fit$n_epochs_run)
  expect_true(fit$best_epoch >= 1 && fit$best_epoch <= fit$n_epochs_run)
  expect_false(any(vapply(fit$arrays, function(a) is.environment(a) || is.function(a), logical(1))))
  expect_identical(names(scores(fit)), names(iris)[1:4])
  expect_identical(coef(fit), scores(fit))
})

test_that("the formula and x/y interfaces give the same model", {
  f1 <- scores_activation(Species ~ ., data = iris, random_state = 3, max_epochs = 40)
  f2 <- scores_activation(iris[, 1:4], iris$Species, random_state = 3, max_epochs = 40)
  f3 <- scores_activation(as.matrix(iris[, 1:4]), iris$Species, random_state = 3, max_epochs = 40)
  expect_identical(f1$arrays, f2$arrays)
  expect_identical(f2$arrays, f3$arrays)
  expect_identical(scores(f1), scores(f2))
  expect_identical(predict(f1, iris, type = "prob"), predict(f2, iris, type = "prob"))
  expect_identical(predict(f1, iris), predict(f3, as.matrix(iris[, 1:4])))
})

test_that("the formula method encodes factors and handles subset, na.action and weights", {
  set.seed(4)
  d <- data.frame(a = rnorm(300), g = factor(sample(c("u", "v", "w"), 300, TRUE)), b = rnorm(300))
  d$y <- d$a + (d$g == "v") * 2 + rnorm(300, sd = 0.1)
  fit <- scores_activation(y ~ a + g + b, data = d, random_state = 1, max_epochs = 30)
  # every level a one-hot column (no baseline dropped), one score per variable
  expect_identical(fit$feature_names, c("a", "g=u", "g=v", "g=w", "b"))
  expect_identical(names(scores(fit)), c("a", "g", "b"))
  expect_identical(fit$task, "regression")
  p <- predict(fit, d[1:5, c("b", "g", "a")])
  expect_length(p, 5)
  # newdata with fewer factor levels present still encodes against the training levels
  expect_length(predict(fit, d[d$g == "u", ][1:3, ]), 3)

  fit_sub <- scores_activation(y ~ a + b, data = d, subset = g != "w", random_state = 1, max_epochs = 5)
  expect_s3_class(fit_sub, "scores_activation")

  d$a[3] <- NA
  expect_error(scores_activation(y ~ ., data = d, max_epochs = 5), "data has missing values.*\\ba\\b")
  fit_na <- scores_activation(y ~ ., data = d, na.action = na.omit, random_state = 1, max_epochs = 5)
  expect_s3_class(fit_na, "scores_activation")

  w <- rep(1, 299)
  fit_w <- scores_activation(y ~ ., data = d[-3, ], sample_weight = w, random_state = 1, max_epochs = 5)
  fit_nw <- scores_activation(y ~ ., data = d[-3, ], random_state = 1, max_epochs = 5)
  expect_identical(fit_w$arrays, fit_nw$arrays)
})

test_that("the same seed gives the same bits; set.seed drives random_state = NULL", {
  d <- make_regression_data(300, seed = 5)
  a <- scores_activation(d$x, d$y, random_state = 11, max_epochs = 20)
  b <- scores_activation(d$x, d$y, random_state = 11, max_epochs = 20)
  expect_identical(a$arrays, b$arrays)
  expect_identical(predict(a, d$x), predict(b, d$x))
  c <- scores_activation(d$x, d$y, random_state = 12, max_epochs = 20)
  expect_false(identical(a$arrays$dense_0_weight, c$arrays$dense_0_weight))

  set.seed(99)
  e <- scores_activation(d$x, d$y, max_epochs = 20)
  set.seed(99)
  f <- scores_activation(d$x, d$y, max_epochs = 20)
  expect_identical(e$seed, f$seed)
  expect_identical(e$arrays, f$arrays)
  expect_null(e$params$random_state)
  g <- scores_activation(d$x, d$y, random_state = e$seed, max_epochs = 20)
  expect_identical(g$arrays, e$arrays)
})

test_that("results do not depend on n_threads", {
  d <- make_classification_data(700, seed = 6)
  one <- scores_activation(d$x, d$y, random_state = 3, max_epochs = 15, batch_size = 300, n_threads = 1)
  two <- scores_activation(d$x, d$y, random_state = 3, max_epochs = 15, batch_size = 300, n_threads = 2)
  expect_identical(one$arrays, two$arrays)
  big <- d$x[rep(seq_len(700), 4), ]
  expect_identical(predict(one, big, type = "prob"), predict(two, big, type = "prob"))
})

test_that("both matrix kernels train, and kernel = 'portable' is honoured", {
  fit <- quick_iris_fit(kernel = "portable")
  expect_identical(fit$kernel, "portable")
  if (fit$kernel == "portable" && quick_iris_fit()$kernel == "avx2") {
    avx <- quick_iris_fit(kernel = "avx2")
    expect_identical(avx$kernel, "avx2")
    expect_equal(scores(avx), scores(fit), tolerance = 1e-6)
  }
})

test_that("a network without the scores layer trains and has no scores", {
  fit <- quick_iris_fit(scores_layer = FALSE)
  expect_null(fit$arrays$scores)
  expect_null(fit$arrays$scores_history)
  expect_error(scores(fit), "scores_layer = FALSE")
  expect_length(predict(fit, iris), 150)
  expect_output(print(fit), "no scores layer")
})

test_that("predict types", {
  fit <- quick_iris_fit()
  cls <- predict(fit, iris)
  expect_s3_class(cls, "factor")
  expect_identical(levels(cls), levels(iris$Species))
  prob <- predict(fit, iris, type = "prob")
  expect_identical(dim(prob), c(150L, 3L))
  expect_identical(colnames(prob), levels(iris$Species))
  expect_equal(unname(rowSums(prob)), rep(1, 150), tolerance = 1e-12)
  expect_identical(predict(fit, iris, type = "response"), prob)
  expect_identical(as.integer(cls), unname(max.col(prob, ties.method = "first")))

  reg <- scores_activation(Sepal.Length ~ ., data = iris, random_state = 1, max_epochs = 20)
  expect_error(predict(reg, iris, type = "class"), "only available for classification")
  expect_error(predict(reg, iris, type = "prob"), "only available for classification")
  expect_type(predict(reg, iris), "double")
})

test_that("verbose prints one line per epoch through R's output", {
  expect_output(
    scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 3, refine_epochs = 0, verbose = TRUE),
    "epoch +1/3 +loss [0-9.]+ +validation [0-9.]+.*top: "
  )
  expect_silent(quick_iris_fit())
})

test_that("verbose = TRUE prints each epoch through Rcpp::Rcout, x/y fits included", {
  d <- make_regression_data(200, seed = 8)
  x <- unname(d$x[, 1:3])
  out <- capture.output(
    fit <- scores_activation(x, d$y, max_epochs = 4, refine_epochs = 2, early_stopping = FALSE, random_state = 1,
                             verbose = TRUE)
  )
  expect_length(out, 6)  # 4 epochs learning the scores, 2 refining the network
  expect_length(out, fit$n_epochs_run)
  expect_match(out, "^epoch +[1-6]/6 +loss [0-9.]+ +top: x[1-3] [0-9.]+, x[1-3] [0-9.]+, x[1-3] [0-9.]+$")
  expect_false(any(grepl("validation", out)))
  expect_output(
    scores_activation(x, d$y, max_epochs = 2, scores_layer = FALSE, random_state = 1, verbose = TRUE),
    "epoch +2/2 +loss [0-9.]+ +validation [0-9.]+"
  )
  expect_silent(scores_activation(x, d$y, max_epochs = 2, random_state = 1, verbose = FALSE))
})

test_that("print, summary and plot work", {
  fit <- quick_iris_fit()
  expect_output(print(fit), "classification, 3 classes")
  expect_output(print(fit), "4 inputs -> scores -> 64 -> 32 -> 3 outputs")
  s <- summary(fit)
  expect_s3_class(s, "summary.scores_activation")
  expect_identical(s$scores$feature, names(scores(fit, sort = TRUE)))
  expect_identical(s$scores$rank, 1:4)
  expect_true("best (kept)" %in% s$loss$what)
  expect_output(print(s), "Feature scores")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, "history"))
  expect_error(plot(fit, "nonsense"))
})

test_that("Esc/Ctrl-C interrupts a fit cleanly", {
  skip_on_os("windows")
  skip_if(!nzchar(Sys.which("kill")) || !nzchar(Sys.which("sleep")))
  code <- sprintf('
    .libPaths(c(%s, .libPaths()))
    library(scoresactivation)
    set.seed(1)
    x <- matrix(rnorm(20000 * 10), ncol = 10); y <- rnorm(20000)
    system(sprintf("sleep 1 && kill -INT %%d", Sys.getpid()), wait = FALSE)
    r <- tryCatch(
      scores_activation(x, y, max_epochs = 1000000, early_stopping = FALSE, n_iter_no_change = 1000000),
      interrupt = function(e) paste("caught", paste(class(e), collapse = " "), conditionMessage(e)))
    cat(r, "\\n")
    cat("session alive\\n")
  ', paste(deparse(.libPaths()), collapse = ""))
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  on.exit(unlink(script))
  out <- suppressWarnings(system2(rscript(), c("--vanilla", script), stdout = TRUE, stderr = TRUE, timeout = 120))
  expect_true(any(grepl("caught scoresactivation_interrupt interrupt error condition fit interrupted", out)),
              info = paste(out, collapse = "\n"))
  expect_true(any(grepl("session alive", out)), info = paste(out, collapse = "\n"))
})

test_that("n_bootstrap refits on resamples: scores_uncertainty and error bars", {
  d <- make_regression_data(300, seed = 11)
  x <- d$x[, 1:4]
  fit <- scores_activation(x, d$y, hidden_layer_sizes = 16L, max_epochs = 15L, refine_epochs = 2L,
                           n_bootstrap = 5L, random_state = 3, n_threads = 1L)
  b <- fit$arrays$scores_bootstrap
  expect_identical(dim(b), c(5L, 4L))
  expect_equal(rowSums(b), rep(1, 5), tolerance = 1e-12)
  u <- scores_uncertainty(fit, level = 0.9)
  expect_identical(names(u), c("feature", "score", "mean", "sd", "lower", "upper"))
  expect_identical(u$feature, colnames(x))
  expect_equal(u$sd, apply(b, 2, sd))
  expect_true(all(u$lower <= u$upper))
  # the main fit is unchanged by the bootstrap, and the threads change nothing
  plain <- scores_activation(x, d$y, hidden_layer_sizes = 16L, max_epochs = 15L, refine_epochs = 2L,
                             random_state = 3, n_threads = 1L)
  expect_identical(scores(plain), scores(fit))
  expect_error(scores_uncertainty(plain), "n_bootstrap = 20")
  two <- scores_activation(x, d$y, hidden_layer_sizes = 16L, max_epochs = 15L, refine_epochs = 2L,
                           n_bootstrap = 5L, random_state = 3, n_threads = 2L)
  expect_identical(two$arrays$scores_bootstrap, b)
  expect_error(scores_uncertainty(fit, level = 1), "level")
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(fit, path)
  expect_identical(load_model(path)$arrays$scores_bootstrap, b)
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_identical(plot(fit), fit)
  expect_error(scores_activation(x, d$y, n_bootstrap = -1L), "n_bootstrap")
})
