# validation_data: rows early stopping watches instead of a
# validation_fraction split, as the Python package's fit(validation_data=).

held <- seq(1, 150, by = 3)
x_iris <- as.matrix(iris[, 1:4])

weighted_accuracy <- function(truth, predicted, w = rep(1, length(truth))) sum(w * (truth == predicted)) / sum(w)
weighted_r2 <- function(truth, predicted, w = rep(1, length(truth))) {
  m <- sum(w * truth) / sum(w)
  1 - sum(w * (truth - predicted)^2) / sum(w * (truth - m)^2)
}

test_that("classification: the score curve is the accuracy on the given rows, the loss their log loss", {
  fit <- scores_activation(Species ~ ., data = iris[-held, ], validation_data = iris[held, ],
                           max_epochs = 30, random_state = 1, n_threads = 2)
  curve <- as.vector(fit$arrays$validation_score_curve)
  expect_length(curve, fit$n_epochs_run)
  best <- fit$best_epoch
  expect_equal(curve[best], weighted_accuracy(iris$Species[held], predict(fit, iris[held, ])))
  p <- predict(fit, iris[held, ], type = "prob")
  log_loss <- -mean(log(p[cbind(seq_along(held), as.integer(iris$Species[held]))]))
  expect_equal(as.vector(fit$arrays$validation_loss_curve)[best], log_loss, tolerance = 1e-9)
  # the default method with list(x, y) watches the same rows: the same fit
  xy <- scores_activation(x_iris[-held, ], iris$Species[-held],
                          validation_data = list(x = x_iris[held, ], y = iris$Species[held]),
                          max_epochs = 30, random_state = 1, n_threads = 2)
  expect_identical(xy$arrays$validation_score_curve, fit$arrays$validation_score_curve)
  unnamed <- scores_activation(x_iris[-held, ], iris$Species[-held],
                               validation_data = list(x_iris[held, ], iris$Species[held]),
                               max_epochs = 30, random_state = 1, n_threads = 2)
  expect_identical(unnamed$arrays$loss_curve, xy$arrays$loss_curve)
})

test_that("regression: weighted R^2 of the kept model on the given rows", {
  d <- make_regression_data(400, seed = 3)
  w_val <- c(rep(3, 50), rep(1, 50))
  fit <- scores_activation(d$x[1:300, ], d$y[1:300],
                           validation_data = list(x = d$x[301:400, ], y = d$y[301:400], weights = w_val),
                           max_epochs = 40, random_state = 1, n_threads = 2)
  curve <- as.vector(fit$arrays$validation_score_curve)
  expect_equal(curve[fit$best_epoch], weighted_r2(d$y[301:400], predict(fit, d$x[301:400, ]), w_val),
               tolerance = 1e-9)
  # sample_weight is the alias of weights
  alias <- scores_activation(d$x[1:300, ], d$y[1:300],
                             validation_data = list(x = d$x[301:400, ], y = d$y[301:400], sample_weight = w_val),
                             max_epochs = 40, random_state = 1, n_threads = 2)
  expect_identical(alias$arrays$validation_score_curve, fit$arrays$validation_score_curve)
})

test_that("every training row trains when validation rows are given; without early stopping they are only watched", {
  same <- list(max_epochs = 8, refine_epochs = 0, n_iter_no_change = 1000, random_state = 1, n_threads = 2)
  given <- do.call(scores_activation, c(list(x_iris[-held, ], iris$Species[-held],
                                             validation_data = list(x_iris[held, ], iris$Species[held])), same))
  plain <- do.call(scores_activation, c(list(x_iris[-held, ], iris$Species[-held], early_stopping = FALSE), same))
  expect_identical(given$arrays$loss_curve, plain$arrays$loss_curve)

  watched <- scores_activation(x_iris[-held, ], iris$Species[-held], early_stopping = FALSE, max_epochs = 10,
                               validation_data = list(x_iris[held, ], iris$Species[held]),
                               random_state = 2, n_threads = 2)
  unwatched <- scores_activation(x_iris[-held, ], iris$Species[-held], early_stopping = FALSE, max_epochs = 10,
                                 random_state = 2, n_threads = 2)
  expect_identical(predict(watched, x_iris, type = "prob"), predict(unwatched, x_iris, type = "prob"))
  expect_null(unwatched$arrays$validation_score_curve)
  expect_equal(utils::tail(as.vector(watched$arrays$validation_score_curve), 1L),
               weighted_accuracy(iris$Species[held], predict(watched, x_iris[held, ])))
})

test_that("callbacks see the validation score, and summary shows it", {
  seen <- numeric(0)
  fit <- scores_activation(Species ~ ., data = iris[-held, ], validation_data = iris[held, ], max_epochs = 6,
                           random_state = 1, n_threads = 2,
                           callbacks = function(info) seen <<- c(seen, info$validation_score))
  expect_equal(seen, as.vector(fit$arrays$validation_score_curve))
  s <- summary(fit)
  expect_equal(s$loss$validation_score[s$loss$epoch == fit$best_epoch],
               as.vector(fit$arrays$validation_score_curve)[fit$best_epoch])
  expect_output(print(s), "validation_score")
})

test_that("class_weight applies to the validation rows' weights", {
  labels <- iris$Species
  weighted <- scores_activation(x_iris[-held, ], labels[-held], class_weight = c(virginica = 4),
                                validation_data = list(x_iris[held, ], labels[held]),
                                max_epochs = 6, random_state = 1, n_threads = 2)
  explicit <- scores_activation(x_iris[-held, ], labels[-held], weights = ifelse(labels[-held] == "virginica", 4, 1),
                                validation_data = list(x_iris[held, ], labels[held],
                                                       ifelse(labels[held] == "virginica", 4, 1)),
                                max_epochs = 6, random_state = 1, n_threads = 2)
  expect_identical(weighted$arrays$validation_loss_curve, explicit$arrays$validation_loss_curve)
})

test_that("factor columns of the validation rows are encoded as predict encodes newdata", {
  d <- data.frame(x = iris$Sepal.Length, kind = factor(ifelse(iris$Petal.Length > 4, "long", "short")),
                  y = iris$Petal.Width)
  fit <- scores_activation(y ~ ., data = d[-held, ], validation_data = d[held, ], max_epochs = 10,
                           random_state = 1, n_threads = 2)
  expect_equal(as.vector(fit$arrays$validation_score_curve)[fit$best_epoch],
               weighted_r2(d$y[held], predict(fit, d[held, ])), tolerance = 1e-9)
  unknown <- d[held, ]
  unknown$kind <- factor("mid")
  expect_error(scores_activation(y ~ ., data = d[-held, ], validation_data = unknown, max_epochs = 3),
               "validation_data: .*'mid'")
  expect_error(scores_activation(y ~ ., data = d[-held, ], validation_data = d[held, c("x", "kind")], max_epochs = 3),
               "validation_data lacks the response column\\(s\\) y")
})

test_that("sequences take validation lengths and need the training T", {
  set.seed(4)
  x <- array(rnorm(120 * 6 * 2), c(120, 6, 2))
  lengths <- 3 + (seq_len(120) - 1) %% 4
  y <- vapply(seq_len(120), function(i) mean(x[i, seq_len(lengths[i]), 1]), numeric(1))
  fit <- scores_activation_sequence(x[1:80, , ], y[1:80], lengths = lengths[1:80], architecture = "conv",
                                    units = 6, max_epochs = 15, random_state = 1, n_threads = 2,
                                    validation_data = list(x = x[81:120, , ], y = y[81:120],
                                                           lengths = lengths[81:120]))
  expect_equal(as.vector(fit$arrays$validation_score_curve)[fit$best_epoch],
               weighted_r2(y[81:120], predict(fit, x[81:120, , ], lengths = lengths[81:120])), tolerance = 1e-9)
  expect_error(scores_activation_sequence(x[1:80, , ], y[1:80], architecture = "conv", units = 6, max_epochs = 2,
                                          validation_data = list(x = x[81:120, 1:5, ], y = y[81:120])),
               "validation_data: x has 5 time steps, but the training x has 6")
  expect_error(scores_activation_sequence(x[1:80, , ], y[1:80], architecture = "conv", units = 6, max_epochs = 2,
                                          validation_data = list(x = x[81:120, , ], y = y[81:120], lengths = rep(9, 40))),
               "validation_data: .*lengths")
})

test_that("senn watches the given rows", {
  fit <- senn(Species ~ ., data = iris[-held, ], validation_data = iris[held, ], max_epochs = 5,
              random_state = 1, n_threads = 2)
  expect_equal(as.vector(fit$arrays$validation_score_curve)[fit$best_epoch],
               weighted_accuracy(iris$Species[held], predict(fit, iris[held, ])))
})

test_that("bad validation_data is refused by name and draws no random numbers", {
  bad <- list(
    list(list(x = x_iris[held, 1:3], y = iris$Species[held]), "validation_data: x lacks the column\\(s\\) Petal.Width"),
    list(list(x = x_iris[held, ], y = iris$Species[held][1:10]), "validation_data: y has 10 values but x has 50 rows"),
    list(list(x = x_iris[held, ], y = rep("daisy", 50)), "validation_data: y holds label\\(s\\) the training response does not: 'daisy'"),
    list(list(x = x_iris[held, ], y = iris$Species[held], weights = rep(-1, 50)), "validation_data: .*non-negative"),
    list(list(x = x_iris[held, ]), "validation_data lacks y; it must be list\\(x = <matrix or data.frame>"),
    list(list(x = x_iris[held, ], z = 1, y = iris$Species[held]), "validation_data has unknown element\\(s\\) z"),
    list(iris[held, ], "a data.frame of the variables, response included, is the formula interface's"),
    list(list(x = matrix(NA_real_, 50, 4, dimnames = list(NULL, colnames(x_iris))), y = iris$Species[held]),
         "validation_data: .*missing")
  )
  for (case in bad) {
    set.seed(11)
    before <- runif(1)
    set.seed(11)
    expect_error(scores_activation(x_iris[-held, ], iris$Species[-held], validation_data = case[[1]], max_epochs = 2),
                 case[[2]])
    expect_identical(runif(1), before)
  }
  expect_error(scores_activation(Species ~ ., data = iris, validation_data = as.matrix(iris[, 1:4]), max_epochs = 2),
               "validation_data must be a data.frame holding the variables of the formula")
})

test_that("the validation score curve survives save_model/load_model and saveRDS", {
  fit <- scores_activation(Species ~ ., data = iris[-held, ], validation_data = iris[held, ], max_epochs = 5,
                           random_state = 1, n_threads = 2)
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(fit, path)
  back <- load_model(path)
  expect_equal(back$arrays$validation_score_curve, fit$arrays$validation_score_curve)
  rds <- tempfile(fileext = ".rds")
  on.exit(unlink(rds), add = TRUE)
  saveRDS(fit, rds)
  expect_identical(readRDS(rds)$arrays$validation_score_curve, fit$arrays$validation_score_curve)
})
