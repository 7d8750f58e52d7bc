# SENN models (senn()): the model's own explanations against what they
# promise (contributions sum to the output, the gradient is the finite
# difference, known coefficients are recovered), the robustness penalty,
# reproducibility, the file round trips and the errors.

# y = 3 x1 - 2 x2 + x3 x4 + noise, with a fifth column of noise.
make_senn_data <- function(n = 500, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * 5), n, 5, dimnames = list(NULL, paste0("x", 1:5)))
  y <- 3 * x[, 1] - 2 * x[, 2] + x[, 3] * x[, 4] + 0.1 * rnorm(n)
  list(x = x, y = y)
}

quick_senn <- function(x, y, ...) {
  senn(x, y, hidden_layer_sizes = c(16, 8), max_epochs = 30, random_state = 3, n_threads = 1, ...)
}

senn_reg <- local({
  d <- make_senn_data(300, seed = 2)
  list(d = d, fit = quick_senn(d$x, d$y))
})
senn_cls <- senn(Species ~ ., data = iris, hidden_layer_sizes = c(16, 8), max_epochs = 30, random_state = 1,
                 n_threads = 1)

test_that("senn() builds a 'senn' model that the shared methods print, summarise and plot", {
  fit <- senn_reg$fit
  expect_s3_class(fit, c("senn", "scores_activation"), exact = TRUE)
  expect_identical(fit$estimator, "SENNRegressor")
  expect_identical(senn_cls$estimator, "SENNClassifier")
  expect_identical(fit$senn_params, list(robustness_penalty = 0.01))
  expect_true(all(c("theta_0_weight", "theta_2_bias", "output_bias") %in% names(fit$arrays)))
  expect_output(print(fit), "Self-explaining neural network \\(SENN\\)")
  expect_output(print(fit), "robustness_penalty 0.01")
  expect_output(print(summary(senn_cls)), "Feature scores")
  expect_equal(sum(scores(fit)), 1, tolerance = 1e-12)
  expect_identical(coef(fit), scores(fit))
  expect_identical(names(scores(senn_cls)), colnames(iris)[1:4])
  expect_identical(global_importance(fit), scores(fit))
  pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, "history"))
})

test_that("contributions plus base values are predict()'s logits and response to 1e-9", {
  x <- senn_reg$d$x[1:40, ]
  ct <- explain(senn_reg$fit, x, "contributions")
  expect_identical(dim(ct), c(40L, 5L))
  expect_identical(colnames(ct), paste0("x", 1:5))
  b <- base_values(senn_reg$fit)
  expect_length(b, 1L)
  expect_identical(attr(ct, "base_values"), b)
  expect_lt(max(abs(rowSums(ct) + b - predict(senn_reg$fit, x))), 1e-9)

  logits <- predict(senn_cls, iris, type = "link")
  expect_identical(dim(logits), c(150L, 3L))
  expect_identical(colnames(logits), levels(iris$Species))
  # softmax of the logits is predict()'s probabilities
  p <- exp(logits - apply(logits, 1, max))
  expect_lt(max(abs(p / rowSums(p) - predict(senn_cls, iris, type = "prob"))), 1e-12)
  all_ct <- explain(senn_cls, iris, "contributions")
  expect_identical(dim(all_ct), c(150L, 4L, 3L))
  expect_identical(dimnames(all_ct)[[3]], levels(iris$Species))
  expect_identical(names(attr(all_ct, "base_values")), levels(iris$Species))
  for (k in 1:3) {
    expect_lt(max(abs(rowSums(all_ct[, , k]) + base_values(senn_cls)[k] - logits[, k])), 1e-9)
  }
  one <- explain(senn_cls, iris, "contributions", target = "virginica")
  expect_identical(dim(one), c(150L, 4L))
  expect_identical(as.vector(one), as.vector(all_ct[, , 3]))
  expect_identical(attr(one, "base_values"), unname(base_values(senn_cls)[3]))
})

test_that("theta times the standardised gated feature is the contribution", {
  fit <- senn_reg$fit
  x <- senn_reg$d$x[1:20, ]
  theta <- explain(fit, x, "theta")
  expect_null(attr(theta, "base_values"))
  z <- scale(x, center = fit$arrays$input_mean, scale = fit$arrays$input_scale)
  ct <- explain(fit, x, "contributions")
  # the gate scales each concept by the same factor on every row: the ratio
  # contribution / (theta z) is one number per feature
  ratio <- ct / (theta * z)
  expect_lt(max(apply(ratio, 2, function(r) diff(range(r)))), 1e-8)
})

test_that("the gradient matches central finite differences of predict()", {
  d <- make_senn_data(200, seed = 4)
  fit <- senn(d$x, d$y, hidden_layer_sizes = c(8), activation = "tanh", max_epochs = 15, random_state = 5,
              n_threads = 1)
  x <- d$x[1:10, ]
  g <- explain(fit, x, "gradient")
  expect_identical(dim(g), c(10L, 5L))
  h <- 1e-5
  fd <- sapply(1:5, function(j) {
    up <- x
    down <- x
    up[, j] <- up[, j] + h
    down[, j] <- down[, j] - h
    (predict(fit, up) - predict(fit, down)) / (2 * h)
  })
  expect_lt(max(abs(g - fd)), 1e-6 * max(1, max(abs(g))))

  cls <- senn(Species ~ ., data = iris, hidden_layer_sizes = 8, activation = "tanh", max_epochs = 15,
              random_state = 2, n_threads = 1)
  x <- as.matrix(iris[c(1, 60, 120), 1:4])
  g <- explain(cls, x, "gradient", target = "versicolor")
  fd <- sapply(1:4, function(j) {
    up <- x
    down <- x
    up[, j] <- up[, j] + h
    down[, j] <- down[, j] - h
    (predict(cls, up, type = "link")[, "versicolor"] - predict(cls, down, type = "link")[, "versicolor"]) / (2 * h)
  })
  expect_lt(max(abs(g - fd)), 1e-6 * max(1, max(abs(g))))
  expect_identical(dim(explain(cls, x, "gradient")), c(3L, 4L, 3L))
})

test_that("a known linear truth is recovered: scores rank x1, x2 first; mean gradients near 3 and -2", {
  d <- make_senn_data(800, seed = 1)
  fit <- senn(d$x, d$y, hidden_layer_sizes = c(32, 16), max_epochs = 120, random_state = 1, n_threads = 2)
  w <- scores(fit, sort = TRUE)
  expect_identical(names(w)[1:2], c("x1", "x2"))
  expect_identical(names(w)[5], "x5")
  g <- colMeans(explain(fit, d$x, "gradient"))
  expect_lt(abs(g[["x1"]] - 3), 0.15)
  expect_lt(abs(g[["x2"]] + 2), 0.15)
  expect_lt(abs(g[["x5"]]), 0.2)
  imp <- global_importance(fit, d$x, "contributions")
  expect_identical(names(sort(imp, decreasing = TRUE))[1:2], c("x1", "x2"))
  expect_equal(unname(imp), unname(colMeans(abs(explain(fit, d$x, "contributions")))), tolerance = 0)
  expect_equal(global_importance(fit, d$x, "gradient"), colMeans(abs(explain(fit, d$x, "gradient"))),
               tolerance = 0)
})

test_that("robustness_penalty = 1 gives a lower mean robustness residual than 0", {
  d <- make_senn_data(400, seed = 6)
  loose <- quick_senn(d$x, d$y, robustness_penalty = 0)
  tight <- quick_senn(d$x, d$y, robustness_penalty = 1)
  r_loose <- robustness(loose, d$x)
  r_tight <- robustness(tight, d$x)
  expect_length(r_tight, 400L)
  expect_true(all(r_tight >= 0))
  expect_lt(mean(r_tight), mean(r_loose))
  expect_identical(tight$senn_params$robustness_penalty, 1)
  rn <- d$x[1:3, ]
  rownames(rn) <- c("a", "b", "c")
  expect_identical(names(robustness(tight, rn)), c("a", "b", "c"))
})

test_that("the same seed gives the same model; the formula and x/y fits agree", {
  d <- senn_reg$d
  again <- quick_senn(d$x, d$y)
  expect_identical(again$arrays, senn_reg$fit$arrays)
  expect_identical(explain(again, d$x, "theta"), explain(senn_reg$fit, d$x, "theta"))
  other <- senn(d$x, d$y, hidden_layer_sizes = c(16, 8), max_epochs = 30, random_state = 4, n_threads = 1)
  expect_false(identical(other$arrays, senn_reg$fit$arrays))
  xy <- senn(as.matrix(iris[, 1:4]), iris$Species, hidden_layer_sizes = c(16, 8), max_epochs = 30,
             random_state = 1, n_threads = 1)
  expect_identical(xy$arrays, senn_cls$arrays)
  # different penalties give different models from the same seed
  expect_false(identical(quick_senn(d$x, d$y, robustness_penalty = 0.5)$arrays, senn_reg$fit$arrays))
})

test_that("save_model/load_model and saveRDS/readRDS round trips explain identically", {
  for (fit in list(senn_reg$fit, senn_cls)) {
    newdata <- if (identical(fit$task, "classification")) iris else senn_reg$d$x
    path <- tempfile(fileext = ".json")
    save_model(fit, path)
    doc <- jsonlite::read_json(path)
    expect_identical(doc$format_version, 5L)
    expect_identical(doc$estimator, fit$estimator)
    expect_identical(doc$params$robustness_penalty, 0.01)
    loaded <- load_model(path)
    unlink(path)
    expect_s3_class(loaded, "senn")
    expect_identical(loaded$arrays, fit$arrays)
    expect_identical(loaded$senn_params, fit$senn_params)
    rds <- tempfile(fileext = ".rds")
    saveRDS(fit, rds)
    restored <- readRDS(rds)
    unlink(rds)
    x <- if (identical(fit$task, "classification")) as.matrix(iris[, 1:4]) else newdata
    for (method in c("theta", "contributions", "gradient")) {
      expect_identical(explain(loaded, x, method), explain(fit, x, method), info = method)
      expect_identical(explain(restored, newdata, method), explain(fit, newdata, method), info = method)
    }
    expect_identical(predict(loaded, x, type = "response"), predict(fit, x, type = "response"))
    expect_identical(robustness(restored, newdata), robustness(fit, newdata))
    expect_identical(base_values(loaded), base_values(fit))
  }
  # a penalty other than the default survives the file
  tight <- quick_senn(senn_reg$d$x, senn_reg$d$y, robustness_penalty = 2.5)
  path <- tempfile(fileext = ".json")
  save_model(tight, path)
  expect_identical(load_model(path)$senn_params$robustness_penalty, 2.5)
  unlink(path)
})

test_that("bad input gives errors naming the argument", {
  d <- senn_reg$d
  for (bad in list(-1, NA, "a", c(1, 2), NULL, TRUE)) {
    expect_error(quick_senn(d$x, d$y, robustness_penalty = bad), "robustness_penalty", info = .describe_bad(bad))
  }
  expect_error(quick_senn(d$x, d$y, robustness_penalty = 2e6), "robustness_penalty must be a number in \\[0, 1000000\\], got 2000000")
  expect_error(senn(Species ~ ., data = iris, robustness_penalty = -1), "robustness_penalty")
  expect_error(quick_senn(d$x, d$y, no_such = 1), "unknown argument\\(s\\): no_such")
  expect_error(quick_senn(d$x, d$y, max_epochs = -1), "max_epochs")
  fit <- senn_reg$fit
  expect_error(predict(fit, d$x[, 1:4]), "newdata lacks the column\\(s\\) x5")
  expect_error(predict(fit, unname(d$x[, 1:4])), "newdata has 4 columns, but the model expects 5")
  expect_error(explain(fit, unname(d$x[, 1:3]), "theta"), "newdata has 3 columns, but the model expects 5")
  expect_error(robustness(fit, unname(d$x[, 1:2])), "newdata has 2 columns")
  expect_error(explain(fit, d$x, "deeplift"), "method must be one of 'theta', 'contributions', 'gradient'")
  expect_error(global_importance(fit, d$x, "permutation"), "method must be one of 'scores'")
  expect_error(explain(senn_cls, iris, target = "rose"), "target must be NULL or one of the classes.*'rose'")
  expect_error(explain(fit, d$x, target = 1), "target: a regression model has a single output")
  expect_error(explain(fit), "newdata is required")
  expect_error(explain(fit, d$x, baseline = "mean"), "unknown argument\\(s\\): baseline")
  expect_error(predict(fit, d$x, type = "class"), "only available for classification")
  expect_error(global_importance(fit, method = "theta"), "needs newdata")
  # the ScoresActivation-only functions refuse a SENN model, and SENN's refuse the others
  tab <- quick_iris_fit()
  expect_error(robustness(tab, iris), "no applicable method")
  expect_error(base_values(tab), "object must be a fitted SENN model")
  expect_error(explain(senn_cls, iris, "deeplift"), "method")
  no_gate <- quick_senn(d$x, d$y, scores_layer = FALSE)
  expect_error(scores(no_gate), "scores_layer = FALSE")
  expect_error(global_importance(no_gate), "scores_layer = FALSE")
})

.describe_bad <- function(v) paste(deparse(v), collapse = " ")

test_that("a tabular document read as a SENN one, and a SENN one read as tabular, fail naming the arrays", {
  tab <- quick_iris_fit()
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(tab, path)
  doc <- jsonlite::read_json(path)
  doc$estimator <- "SENNClassifier"
  writeLines(jsonlite::toJSON(doc, auto_unbox = TRUE, digits = NA, null = "null"), path)
  expect_error(load_model(path), "model document: .*array '")
  save_model(senn_cls, path)
  doc <- jsonlite::read_json(path)
  doc$estimator <- "ScoresActivationClassifier"
  writeLines(jsonlite::toJSON(doc, auto_unbox = TRUE, digits = NA, null = "null"), path)
  expect_error(load_model(path), "model document: .*array '")
  # a SENN document of version 3 (before SENN) is not a SENN model
  save_model(senn_cls, path)
  doc <- jsonlite::read_json(path)
  doc$format_version <- 3L
  writeLines(jsonlite::toJSON(doc, auto_unbox = TRUE, digits = NA, null = "null"), path)
  expect_error(load_model(path), "estimator|format_version|theta_")
  # a bad penalty in a document names the parameter
  save_model(senn_cls, path)
  doc <- jsonlite::read_json(path)
  doc$params$robustness_penalty <- -3
  writeLines(jsonlite::toJSON(doc, auto_unbox = TRUE, digits = NA, null = "null"), path)
  expect_error(load_model(path), "robustness_penalty")
})

test_that("senn() returns new objects: a failed fit leaves nothing changed", {
  # The R API never refits in place; a failing call has no model to damage.
  before <- senn_reg$fit
  expect_error(quick_senn(senn_reg$d$x, senn_reg$d$y[-1]), "y has 299 values but x has 300 rows")
  expect_identical(senn_reg$fit, before)
})

test_that("the perturbation measures take SENN models: faithful contributions, curves at the model's outputs", {
  d <- senn_reg$d
  fit <- senn_reg$fit
  rows <- d$x[1:40, ]
  contributions <- explain(fit, rows, "contributions")
  f <- faithfulness(fit, rows, contributions, x_train = d$x)
  expect_gt(f, 0.8)
  set.seed(1)
  expect_lt(abs(faithfulness(fit, rows, matrix(rnorm(length(rows)), nrow(rows)), x_train = d$x)), 0.3)
  curve <- deletion_curve(fit, rows[1:5, ], contributions[1:5, ], baseline = "zeros")
  expect_equal(unname(curve$curves[, 1]), unname(predict(fit, rows[1:5, ])), tolerance = 1e-12)
  zero <- matrix(0, 1, ncol(rows), dimnames = list(NULL, colnames(rows)))
  expect_equal(unname(curve$curves[, ncol(curve$curves)]), rep(unname(predict(fit, zero)), 5), tolerance = 1e-12)
  # classification: the class's probability
  cls <- explain(senn_cls, iris[1:10, ], "contributions", target = "setosa")
  p <- insertion_curve(senn_cls, iris[1:10, ], cls, target = "setosa", output = "probability")
  expect_equal(unname(p$curves[, ncol(p$curves)]), unname(predict(senn_cls, iris[1:10, ], type = "prob")[, "setosa"]),
               tolerance = 1e-12)
})

test_that("Shapley values of a SENN model: efficiency, sampling, options", {
  d <- senn_reg$d
  fit <- senn_reg$fit
  rows <- d$x[1:6, ]
  background <- d$x[101:120, ]
  sv <- explain(fit, rows, "shapley", background = background)
  expect_equal(unname(rowSums(sv)), unname(predict(fit, rows) - mean(predict(fit, background))), tolerance = 1e-9)
  expect_equal(attr(sv, "base_values"), mean(predict(fit, background)), tolerance = 1e-12)
  sampled <- explain(fit, rows, "shapley", background = background, exact = FALSE, n_permutations = 200,
                     random_state = 1)
  expect_equal(unname(rowSums(sampled)), unname(rowSums(sv)), tolerance = 1e-9)
  expect_identical(sampled, explain(fit, rows, "shapley", background = background, exact = FALSE,
                                    n_permutations = 200, random_state = 1))
  per_class <- explain(senn_cls, iris[1:4, ], "shapley")
  expect_identical(dim(per_class), c(4L, 4L, 3L))
  expect_error(explain(fit, rows, "theta", n_permutations = 10), "n_permutations does not apply")
  expect_error(explain(fit, rows, "shapley", background = matrix(0, 2, 2)), "background")
  expect_length(global_importance(fit, rows, "shapley"), ncol(rows))
})
