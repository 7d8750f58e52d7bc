x <- as.matrix(iris[, 1:4])
y <- iris$Species

test_that("bad x stops with an error naming x", {
  bad <- x; bad[2, 3] <- NA
  expect_error(scores_activation(bad, y), "x contains missing values.*Petal.Length")
  bad <- x; bad[1, 1] <- Inf
  expect_error(scores_activation(bad, y), "x contains infinite values.*Sepal.Length")
  bad <- x; bad[1, 1] <- NaN
  expect_error(scores_activation(bad, y), "x contains missing values")
  expect_error(scores_activation(matrix(letters[1:8], 4), factor(c(1, 2, 1, 2))),
               "x must be numeric; got a character matrix")
  # factor and character columns are categorical variables; other types are refused by name
  expect_error(scores_activation(data.frame(d = Sys.Date() + 1:150, a = iris[, 1]), y),
               "x has column\\(s\\) that are not numeric, logical, factor or character: d")
  expect_error(scores_activation(data.frame(d = Sys.Date() + 1:150, g = iris$Species), y), "column 'd'")
  expect_error(scores_activation(x[0, ], y[0]), "x has 0 rows")
  expect_error(scores_activation(x[, 0], y), "x has 0 columns")
  expect_error(scores_activation(list(1, 2), y), "x must be a numeric matrix or a data.frame")
  expect_error(scores_activation(y = y), "x is missing")
})

test_that("bad y stops with an error naming y", {
  expect_error(scores_activation(x, y[-1]), "y has 149 values but x has 150 rows")
  expect_error(scores_activation(x, factor(rep("a", 150))), "y has only one class \\('a'\\)")
  yy <- y; yy[5] <- NA
  expect_error(scores_activation(x, yy), "y contains missing values")
  expect_error(scores_activation(x, c(Inf, rnorm(149))), "y contains infinite values")
  expect_error(scores_activation(x, as.list(1:150)), "y must be a factor")
  expect_error(scores_activation(x), "y is missing")
  # one class left after dropping unused levels
  expect_error(scores_activation(x[1:50, ], y[1:50]), "y has only one class \\('setosa'\\)")
})

test_that("bad sample_weight stops with an error naming it", {
  expect_error(scores_activation(x, y, sample_weight = rep(1, 3)), "sample_weight must be a numeric vector")
  expect_error(scores_activation(x, y, sample_weight = c(-1, rep(1, 149))), "sample_weight must be finite and non-negative")
  expect_error(scores_activation(x, y, sample_weight = rep(0, 150)), "sample_weight sums to zero")
})

test_that("formula fits report problems with data", {
  expect_error(scores_activation(Species ~ ., data = iris[0, ]), "data has 0 rows")
  d <- iris; d$Sepal.Width[7] <- NA
  expect_error(scores_activation(Species ~ ., data = d), "data has missing values \\(NA\\) in: Sepal.Width")
  expect_error(scores_activation(Species ~ nothing_here, data = iris), "data:.*nothing_here")
  expect_error(scores_activation(~ Sepal.Length, data = iris), "formula needs a response")
  one <- iris[iris$Species == "setosa", ]
  expect_error(scores_activation(Species ~ ., data = one), "the response has only one class")
})

test_that("bad newdata stops with an error naming newdata", {
  fit <- scores_activation(x, y, random_state = 1, max_epochs = 5)
  expect_identical(predict(fit), predict(fit, x))  # without newdata: the fitted values
  expect_error(predict(fit, iris[, c(1, 2, 4)]), "newdata lacks the column\\(s\\) Petal.Length")
  expect_error(predict(fit, unname(x[, 1:3])), "newdata has 3 columns, but the model expects 4")
  bad <- x; bad[3, 2] <- NA
  expect_error(predict(fit, bad), "newdata contains missing values")
  bad <- x; bad[3, 2] <- -Inf
  expect_error(predict(fit, bad), "newdata contains infinite values")
  expect_error(predict(fit, matrix(as.character(x), 150, dimnames = dimnames(x))),
               "newdata must be numeric; got a character matrix")
  expect_error(predict(fit, x[0, ]), "newdata has 0 rows")
  expect_error(predict(fit, x, type = "nonsense"))
  # columns are matched by name: order and extra columns do not matter
  expect_identical(predict(fit, iris[, c(5, 4, 3, 2, 1)], type = "prob"), predict(fit, x, type = "prob"))
  expected <- predict(fit, x, type = "prob")
  rownames(expected) <- NULL
  expect_identical(predict(fit, unname(x), type = "prob"), expected)

  ffit <- scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 5)
  expect_error(predict(ffit, iris[, -4]), "newdata lacks the column\\(s\\) Petal.Width")
  d <- iris; d$Petal.Width[1] <- NA
  expect_error(predict(ffit, d), "newdata contains missing values")
  expect_error(predict(ffit, iris[0, ]), "newdata has 0 rows")
  expect_error(scores(list()), "no applicable method")
  expect_error(scoresactivation:::predict.scores_activation(list(), iris), "object must be a fitted model")
})
