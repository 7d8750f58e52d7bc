# class_weight, as scikit-learn's: the core's rule (class_weight.hpp) turns it
# into the rows' weights.

test_that("class_weight is the same fit as the weights it stands for", {
  w <- ifelse(iris$Species == "virginica", 3, 1)
  a <- scores_activation(Species ~ ., data = iris, class_weight = c(virginica = 3), max_epochs = 5,
                         random_state = 1, n_threads = 2)
  b <- scores_activation(Species ~ ., data = iris, weights = w, max_epochs = 5, random_state = 1, n_threads = 2)
  expect_identical(scores(a), scores(b))
  d <- iris[c(1:50, 51:70, 101:110), ]
  counts <- table(d$Species)
  balanced <- as.numeric(nrow(d) / (3 * counts[as.character(d$Species)]))
  c1 <- scores_activation(Species ~ ., data = d, class_weight = "balanced", weights = rep(2, 80), max_epochs = 5,
                          random_state = 1, n_threads = 2)
  c2 <- scores_activation(Species ~ ., data = d, weights = 2 * balanced, max_epochs = 5, random_state = 1,
                          n_threads = 2)
  expect_identical(scores(c1), scores(c2))
  x <- array(rnorm(60 * 4 * 2), c(60, 4, 2))
  y <- factor(ifelse(x[, 1, 1] > 0.5, "hi", "lo"))
  s1 <- scores_activation_sequence(x, y, units = 4, max_epochs = 3, random_state = 1, n_threads = 2,
                                   class_weight = c(hi = 4))
  s2 <- scores_activation_sequence(x, y, units = 4, max_epochs = 3, random_state = 1, n_threads = 2,
                                   weights = ifelse(y == "hi", 4, 1))
  expect_identical(scores(s1), scores(s2))
})

test_that("class_weight round trips through the model file and bad values are refused by name", {
  fit <- scores_activation(Species ~ ., data = iris, class_weight = c(setosa = 0.5, virginica = 2), max_epochs = 3,
                           random_state = 1, n_threads = 2)
  path <- tempfile(fileext = ".json")
  save_model(fit, path)
  expect_identical(load_model(path)$params$class_weight, c(setosa = 0.5, virginica = 2))
  expect_equal(jsonlite::fromJSON(path)$params$class_weight, list(setosa = 0.5, virginica = 2))
  expect_error(scores_activation(Species ~ ., data = iris, class_weight = c(zz = 3), max_epochs = 2),
               "class_weight names 'zz', which is not a class of y")
  expect_error(scores_activation(mpg ~ ., data = mtcars, class_weight = "balanced", max_epochs = 2),
               "class_weight applies to classifiers only")
  expect_error(scores_activation(Species ~ ., data = iris, class_weight = 3, max_epochs = 2),
               "class_weight must be NULL, 'balanced' or a named numeric vector")
  expect_error(scores_activation(Species ~ ., data = iris, class_weight = c(setosa = -1), max_epochs = 2),
               "class_weight must be None/NULL, 'balanced' or a mapping class -> positive weight")
  expect_error(scores_activation(Species ~ ., data = iris, class_weight = "equal", max_epochs = 2), "class_weight")
})
