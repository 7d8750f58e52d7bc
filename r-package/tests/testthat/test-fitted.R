# predict() without newdata, fitted(), residuals(), nobs(), weights = and
# na.action = na.exclude, as lm() and glm() users expect.

test_that("fitted values are predict() on the training rows, residuals y minus them", {
  fit <- scores_activation(mpg ~ ., data = mtcars, max_epochs = 20, random_state = 1, n_threads = 2)
  expect_identical(fitted(fit), predict(fit, mtcars))
  expect_identical(predict(fit), predict(fit, mtcars))
  expect_identical(names(fitted(fit)), rownames(mtcars))
  expect_equal(residuals(fit), mtcars$mpg - predict(fit, mtcars), ignore_attr = TRUE)
  expect_identical(names(residuals(fit)), rownames(mtcars))
  expect_identical(nobs(fit), 32L)
  expect_error(residuals(fit, type = "deviance"), "type must be one of 'response'")
})

test_that("a classifier's fitted values are the class probabilities; residuals 1[y = k] - p", {
  fit <- scores_activation(Species ~ ., data = iris, max_epochs = 20, random_state = 1, n_threads = 2)
  p <- predict(fit, iris, type = "prob")
  expect_identical(fitted(fit), p)
  expect_identical(predict(fit), predict(fit, iris))
  expect_identical(predict(fit, type = "prob"), p)
  r <- residuals(fit)
  expect_identical(dim(r), c(150L, 3L))
  expect_equal(unname(rowSums(r)), rep(0, 150), tolerance = 1e-12)
  expect_equal(r[1, "setosa"], 1 - p[1, "setosa"])
  expect_equal(r[51, "setosa"], -p[51, "setosa"])
})

test_that("na.exclude pads fitted values and residuals with NA; na.omit leaves the rows out", {
  d <- mtcars
  d$hp[c(3, 10)] <- NA
  ex <- scores_activation(mpg ~ ., data = d, na.action = na.exclude, max_epochs = 10, random_state = 1,
                          n_threads = 2)
  om <- scores_activation(mpg ~ ., data = d, na.action = na.omit, max_epochs = 10, random_state = 1,
                          n_threads = 2)
  expect_length(fitted(ex), 32L)
  expect_true(all(is.na(fitted(ex)[c(3, 10)])))
  expect_true(all(is.na(residuals(ex)[c(3, 10)])))
  expect_identical(fitted(ex)[-c(3, 10)], predict(ex, d[-c(3, 10), ]))
  expect_length(fitted(om), 30L)
  expect_identical(nobs(ex), 30L)
  expect_identical(unname(fitted(om)), unname(fitted(ex)[-c(3, 10)]))  # the same fit
  cls <- scores_activation(Species ~ ., data = transform(iris, Sepal.Width = replace(Sepal.Width, 5, NA)),
                           na.action = na.exclude, max_epochs = 10, random_state = 1, n_threads = 2)
  expect_identical(dim(fitted(cls)), c(150L, 3L))
  expect_true(all(is.na(fitted(cls)[5, ])))
  expect_true(is.na(predict(cls)[5]))
  expect_identical(levels(predict(cls)), levels(iris$Species))
})

test_that("weights is the argument, sample_weight its alias, both an error", {
  w <- rep(c(1, 2), 16)
  a <- scores_activation(mpg ~ ., data = mtcars, weights = w, max_epochs = 10, random_state = 1, n_threads = 2)
  b <- scores_activation(mpg ~ ., data = mtcars, sample_weight = w, max_epochs = 10, random_state = 1,
                         n_threads = 2)
  expect_identical(scores(a), scores(b))
  x <- as.matrix(mtcars[, -1])
  c <- scores_activation(x, mtcars$mpg, weights = w, max_epochs = 10, random_state = 1, n_threads = 2)
  expect_identical(scores(c), scores(a))
  # weights in the formula method are evaluated in data, as lm() does
  d <- transform(mtcars, w = w)
  e <- scores_activation(mpg ~ . - w, data = d, weights = w, max_epochs = 10, random_state = 1, n_threads = 2)
  expect_identical(scores(e), scores(a))
  expect_error(scores_activation(x, mtcars$mpg, weights = w, sample_weight = w, max_epochs = 2),
               "pass weights or sample_weight \\(its alias\\), not both")
  expect_error(scores_activation(mpg ~ ., data = mtcars, weights = w, sample_weight = w, max_epochs = 2),
               "not both")
  expect_error(scores_activation(x, mtcars$mpg, weights = -w, max_epochs = 2), "weights must be finite and non-negative")
  zero <- replace(w, 1:4, 0)
  z <- scores_activation(x, mtcars$mpg, weights = zero, max_epochs = 5, random_state = 1, n_threads = 2)
  expect_identical(nobs(z), 28L)
  s <- senn(x, mtcars$mpg, weights = w, max_epochs = 5, random_state = 1, n_threads = 2)
  expect_identical(nobs(s), 32L)
})

test_that("SENN and sequence models keep their fitted values too", {
  s <- senn(Species ~ ., data = iris, max_epochs = 10, random_state = 1, n_threads = 2)
  expect_identical(predict(s, type = "link"), predict(s, iris, type = "link"))
  expect_identical(fitted(s), predict(s, iris, type = "prob"))
  set.seed(2)
  x <- array(rnorm(60 * 5 * 2), c(60, 5, 2))
  y <- rowSums(x[, , 1])
  lengths <- rep(c(3L, 5L), 30)
  q <- scores_activation_sequence(x, y, lengths = lengths, units = 4, max_epochs = 5, random_state = 1,
                                  n_threads = 2)
  expect_identical(predict(q), predict(q, x, lengths = lengths))
  expect_equal(residuals(q), y - predict(q, x, lengths = lengths))
  expect_identical(nobs(q), 60L)
  expect_error(predict(q, lengths = lengths), "lengths applies to newdata")
})

test_that("a model read from a file keeps no fitted values and says so; saveRDS keeps them", {
  fit <- scores_activation(Species ~ ., data = iris, max_epochs = 5, random_state = 1, n_threads = 2)
  path <- tempfile(fileext = ".json")
  save_model(fit, path)
  loaded <- load_model(path)
  expect_error(predict(loaded), "predict\\(\\) without newdata needs the fitted values.*pass newdata")
  expect_error(fitted(loaded), "load_model")
  expect_error(nobs(loaded), "load_model")
  expect_identical(predict(loaded, iris), predict(fit, iris))
  rds <- tempfile(fileext = ".rds")
  saveRDS(fit, rds)
  expect_identical(fitted(readRDS(rds)), fitted(fit))
})

test_that("print says whether early stopping ended the fit", {
  quick <- scores_activation(Species ~ ., data = iris, max_epochs = 3, refine_epochs = 2, random_state = 1,
                             n_threads = 2)
  expect_output(print(quick), "5 epochs run, early stopping did not end it \\(max_epochs reached\\)")
  stopped <- scores_activation(Species ~ ., data = iris, max_epochs = 300, n_iter_no_change = 2,
                               random_state = 1, n_threads = 2)
  expect_lt(stopped$n_epochs_run, 320L)
  expect_output(print(stopped), "stopped early \\(of at most 320\\)")
  off <- scores_activation(Species ~ ., data = iris, max_epochs = 3, early_stopping = FALSE, random_state = 1,
                           n_threads = 2)
  expect_output(print(off), "final weights kept")
})
