# explain(), global_importance() and the metrics: the axioms each method
# promises, independent R computations, and Python's numbers for the golden
# fixture models (attribution/attribution_expected.json, written by
# attribution/make_attribution_fixtures.py).

# The network's raw output (class logits, or the regression value in the
# response's units) computed in plain R from the fitted arrays.
r_forward <- function(fit, x) {
  a <- fit$arrays
  p <- fit$params
  z <- sweep(sweep(as.matrix(x), 2L, a$input_mean), 2L, a$input_scale, "/")
  if (isTRUE(p$scores_layer)) {
    s <- a$scores / p$temperature
    w <- exp(s - max(s))
    w <- w / sum(w)
    gate <- if (identical(p$gate, "snr")) {
      r <- p$snr_budget * length(w) * w  # docs/model-format.md, prediction step 2
      sqrt(r / (1 + r))
    } else {
      length(w) * w
    }
    z <- sweep(z, 2L, gate, "*")
  }
  act <- switch(p$activation, relu = function(v) pmax(v, 0), tanh = tanh, logistic = stats::plogis,
                identity = identity)
  n_hidden <- length(p$hidden_layer_sizes)
  for (l in 0:n_hidden) {
    z <- sweep(z %*% a[[paste0("dense_", l, "_weight")]], 2L, a[[paste0("dense_", l, "_bias")]], "+")
    if (l < n_hidden) z <- act(z)
  }
  if (identical(fit$task, "regression")) z <- z * a$target_scale + a$target_mean
  unname(z)
}

softmax_rows <- function(z) {
  e <- exp(z - apply(z, 1L, max))
  e / rowSums(e)
}

iris_x <- as.matrix(iris[, 1:4])

iris_fit <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) fit <<- scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 40)
    fit
  }
})

tanh_regressor <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) {
      d <- make_regression_data(400, seed = 3)
      fit <<- list(fit = scores_activation(d$x[, 1:7], d$y, hidden_layer_sizes = 16, activation = "tanh",
                                           max_epochs = 60, random_state = 0), x = d$x[, 1:7], y = d$y)
    }
    fit
  }
})

test_that("the plain-R forward pass reproduces predict (so it can check attributions)", {
  fit <- iris_fit()
  expect_equal(softmax_rows(r_forward(fit, iris_x)), unname(predict(fit, iris, type = "prob")), tolerance = 1e-12)
  reg <- tanh_regressor()
  expect_equal(r_forward(reg$fit, reg$x)[, 1], unname(predict(reg$fit, reg$x)), tolerance = 1e-12)
})

test_that("DeepLIFT sums to f(x) - f(reference) on the logits, per class", {
  fit <- iris_fit()
  x <- iris_x[c(1:5, 51:55, 101:105), ]
  for (rule in c("rescale", "reveal_cancel")) {
    # one reference row (the training mean) and several (averaged)
    values <- explain(fit, x, rule = rule)
    expect_identical(dim(values), c(15L, 4L, 3L))
    expect_identical(dimnames(values)[[2L]], colnames(iris_x))
    expect_identical(dimnames(values)[[3L]], levels(iris$Species))
    mean_row <- matrix(fit$arrays$input_mean, 1L)
    expected <- sweep(r_forward(fit, x), 2L, r_forward(fit, mean_row)[1L, ])
    expect_equal(apply(values, c(1L, 3L), sum), expected, tolerance = 1e-8, ignore_attr = TRUE)
    expect_equal(unname(attr(values, "base_values")), r_forward(fit, mean_row)[1L, ], tolerance = 1e-12)

    refs <- iris_x[c(10, 60, 110), ]
    values <- explain(fit, x, baseline = refs, rule = rule)
    expected <- sweep(r_forward(fit, x), 2L, colMeans(r_forward(fit, refs)))
    expect_lt(max(abs(apply(values, c(1L, 3L), sum) - expected)), 1e-8)

    one <- explain(fit, x, baseline = refs, rule = rule, target = "versicolor")
    expect_identical(dim(one), c(15L, 4L))
    expect_equal(one, values[, , "versicolor"], ignore_attr = TRUE, tolerance = 0)
  }
})

test_that("DeepLIFT on a regression model is in the response's units", {
  reg <- tanh_regressor()
  x <- reg$x[1:30, ]
  values <- explain(reg$fit, x)
  expect_identical(dim(values), c(30L, 7L))
  expected <- predict(reg$fit, x) - predict(reg$fit, matrix(reg$fit$arrays$input_mean, 1L))
  expect_lt(max(abs(rowSums(values) - expected)), 1e-8)
  zeros <- explain(reg$fit, x, baseline = "zeros", rule = "reveal_cancel")
  expect_lt(max(abs(rowSums(zeros) - (predict(reg$fit, x) - predict(reg$fit, matrix(0, 1L, 7L))))), 1e-8)
})

test_that("integrated gradients are complete up to the quadrature error", {
  reg <- tanh_regressor()
  x <- reg$x[1:30, ]
  values <- explain(reg$fit, x, "integrated_gradients", baseline = "zeros", n_steps = 64)
  expected <- predict(reg$fit, x) - predict(reg$fit, matrix(0, 1L, 7L))
  expect_lt(max(abs(rowSums(values) - expected)), 1e-6)
  expect_equal(attr(values, "base_values"), unname(predict(reg$fit, matrix(0, 1L, 7L))), tolerance = 1e-12)
  coarse <- explain(reg$fit, x, "integrated_gradients", baseline = "zeros", n_steps = 64,
                    integration = "riemann_trapezoid")
  expect_lt(max(abs(coarse - values)), 1e-2)
  # a ReLU network: piecewise linear paths, so completeness holds to the
  # quadrature error of the kinks
  fit <- iris_fit()
  ig <- explain(fit, iris_x[c(1, 51, 101), ], "integrated_gradients", target = "virginica", n_steps = 200)
  mean_row <- matrix(fit$arrays$input_mean, 1L)
  expected <- r_forward(fit, iris_x[c(1, 51, 101), ])[, 3L] - r_forward(fit, mean_row)[1L, 3L]
  expect_lt(max(abs(rowSums(ig) - expected)), 0.02 * max(abs(expected)))
})

test_that("gradients equal finite differences of the plain-R network", {
  reg <- tanh_regressor()
  x <- reg$x[1:5, ]
  grad <- explain(reg$fit, x, "gradient")
  expect_null(attr(grad, "base_values"))
  h <- 1e-6
  for (j in seq_len(ncol(x))) {
    step <- matrix(0, nrow(x), ncol(x))
    step[, j] <- h
    numeric <- (r_forward(reg$fit, x + step) - r_forward(reg$fit, x - step))[, 1L] / (2 * h)
    expect_equal(unname(grad[, j]), numeric, tolerance = 1e-5)
  }
  expect_equal(explain(reg$fit, x, "gradient_times_input"), grad * x, tolerance = 1e-12, ignore_attr = TRUE)
})

test_that("exact Shapley values are efficient and equal a brute-force R computation", {
  fit <- iris_fit()
  x <- iris_x[c(1, 51, 101), ]
  background <- iris_x[c(5, 25, 75, 125), ]
  values <- explain(fit, x, "shapley", background = background)
  expect_identical(dim(values), c(3L, 4L, 3L))
  base <- colMeans(r_forward(fit, background))
  expect_equal(unname(attr(values, "base_values")), base, tolerance = 1e-12)
  expect_lt(max(abs(apply(values, c(1L, 3L), sum) - sweep(r_forward(fit, x), 2L, base))), 1e-10)

  # Shapley's formula over all 2^4 coalitions, interventional value function
  d <- 4L
  value <- function(row, mask, class) {
    rows <- background
    rows[, mask] <- matrix(row[mask], nrow(background), sum(mask), byrow = TRUE)
    mean(r_forward(fit, rows)[, class])
  }
  brute <- array(0, c(3L, d, 3L))
  for (i in 1:3) for (class in 1:3) for (j in 1:d) {
    for (code in 0:(2^d - 1)) {
      mask <- bitwAnd(code, 2^(0:(d - 1))) > 0
      if (mask[j]) next
      size <- sum(mask)
      weight <- factorial(size) * factorial(d - size - 1) / factorial(d)
      with_j <- mask
      with_j[j] <- TRUE
      brute[i, j, class] <- brute[i, j, class] +
        weight * (value(x[i, ], with_j, class) - value(x[i, ], mask, class))
    }
  }
  expect_equal(unname(values), brute, tolerance = 1e-10, ignore_attr = TRUE)

  # probabilities: efficiency against the mean background probability
  p <- explain(fit, x, "shapley", background = background, target = "setosa", output = "probability")
  probs <- softmax_rows(r_forward(fit, x))[, 1L]
  expect_equal(unname(rowSums(p)), probs - mean(softmax_rows(r_forward(fit, background))[, 1L]),
               tolerance = 1e-10)
})

test_that("sampled Shapley values telescope, follow the seed and ignore n_threads", {
  fit <- iris_fit()
  x <- iris_x[c(1, 51, 101), ]
  background <- iris_x[c(5, 25, 75, 125), ]
  a <- explain(fit, x, "shapley", background = background, exact = FALSE, n_permutations = 8, random_state = 4)
  b <- explain(fit, x, "shapley", background = background, exact = FALSE, n_permutations = 8, random_state = 4)
  expect_identical(a, b)
  base <- colMeans(r_forward(fit, background))
  expect_lt(max(abs(apply(a, c(1L, 3L), sum) - sweep(r_forward(fit, x), 2L, base))), 1e-10)
  exact <- explain(fit, x, "shapley", background = background)
  many <- explain(fit, x, "shapley", background = background, exact = FALSE, n_permutations = 400,
                  random_state = 1)
  expect_lt(max(abs(many - exact)), 0.05 * max(abs(exact)))
  one_thread <- fit
  one_thread$params$n_threads <- 1L
  two_threads <- fit
  two_threads$params$n_threads <- 2L
  expect_identical(
    explain(one_thread, x, "shapley", background = background, exact = FALSE, random_state = 9),
    explain(two_threads, x, "shapley", background = background, exact = FALSE, random_state = 9)
  )
  set.seed(3)
  c1 <- explain(fit, x, "shapley", background = background, exact = FALSE, n_permutations = 4)
  set.seed(3)
  c2 <- explain(fit, x, "shapley", background = background, exact = FALSE, n_permutations = 4)
  expect_identical(c1, c2)
})

test_that("explain gives Python's numbers for the golden fixture models", {
  path <- test_path("attribution", "attribution_expected.json")
  skip_if_not(file.exists(path))
  expected <- jsonlite::parse_json(paste(readLines(path, warn = FALSE), collapse = "\n"))
  as_r_array <- function(v) {
    if (!is.list(v[[1L]])) return(as.double(unlist(v)))
    if (!is.list(v[[1L]][[1L]])) return(do.call(rbind, lapply(v, function(row) as.double(unlist(row)))))
    n <- length(v)
    d <- length(v[[1L]])
    k <- length(v[[1L]][[1L]])
    aperm(array(as.double(unlist(v)), dim = c(k, d, n)), c(3L, 2L, 1L))
  }
  for (task in c("classification", "regression")) {
    data <- utils::read.csv(test_path("fixtures", paste0(task, "_data.csv")), stringsAsFactors = FALSE)
    x_all <- as.matrix(data[, setdiff(names(data), "y")])
    x <- x_all[seq_len(expected$n_rows), ]
    background <- utils::tail(x_all, expected$n_background)
    model <- load_model(test_path("fixtures", paste0(task, "_model.json")))
    model$params$n_threads <- 2L
    cases <- expected[[task]]
    for (case in cases$explain) {
      args <- case[setdiff(names(case), "values")]
      for (key in c("baseline", "background")) if (identical(args[[key]], "background")) args[[key]] <- background
      label <- paste(task, jsonlite::toJSON(case[setdiff(names(case), c("values", "baseline", "background"))],
                                            auto_unbox = TRUE))
      values <- do.call(explain, c(list(model, x), args))
      expect_equal(unname(values), as_r_array(case$values), tolerance = 1e-9, ignore_attr = TRUE, info = label)
    }
    for (case in cases$global_importance) {
      # n_repeats is permutation importance's option only
      values <- do.call(global_importance, c(list(model, x_all, data$y, case$method, random_state = case$random_state),
                                             if (!is.null(case$n_repeats)) list(n_repeats = case$n_repeats)))
      expect_equal(unname(values), as_r_array(case$values), tolerance = 1e-9, info = paste(task, case$method))
    }
    m <- cases$metrics
    target <- m$target
    attributions <- explain(model, x, target = target)
    deletion <- deletion_curve(model, x, attributions, target = target)
    expect_equal(unname(deletion$curves), as_r_array(m$deletion_curves), tolerance = 1e-9)
    expect_equal(deletion$auc, m$deletion_auc, tolerance = 1e-9)
    insertion <- insertion_curve(model, x, scores(model), target = target)
    expect_equal(unname(insertion$curves), as_r_array(m$insertion_curves), tolerance = 1e-9)
    expect_equal(insertion$auc, m$insertion_auc, tolerance = 1e-9)
    expect_equal(faithfulness(model, x, attributions, x_train = x_all, target = target), m$faithfulness,
                 tolerance = 1e-9)
    lipschitz <- local_lipschitz(function(rows) explain(model, rows, "gradient", target = target), x,
                                 n_samples = 5, random_state = 7)
    expect_equal(unname(lipschitz), as_r_array(m$local_lipschitz), tolerance = 1e-7)
  }
})

test_that("formula fits explain the one-hot encoding of their factors, like predict", {
  set.seed(4)
  d <- data.frame(a = rnorm(200), g = factor(sample(c("u", "v", "w"), 200, TRUE)), b = rnorm(200))
  d$y <- d$a + (d$g == "v") * 2 + rnorm(200, sd = 0.1)
  ffit <- scores_activation(y ~ a + g + b, data = d, random_state = 1, max_epochs = 10)
  # every level a column (no baseline dropped), the factor's three sharing one score
  encoded <- cbind(a = d$a, `g=u` = 1 * (d$g == "u"), `g=v` = 1 * (d$g == "v"), `g=w` = 1 * (d$g == "w"), b = d$b)
  xfit <- scores_activation(d[c("a", "g", "b")], d$y, random_state = 1, max_epochs = 10)
  expect_identical(ffit$arrays, xfit$arrays)
  for (method in c("deeplift", "integrated_gradients", "gradient", "shapley")) {
    # background is Shapley's option only (the others refuse it)
    with_background <- function(rows) if (method == "shapley") list(background = rows) else list()
    from_formula <- do.call(explain, c(list(ffit, d[1:6, c("b", "g", "a")], method, per_level = TRUE),
                                       with_background(d[1:5, ])))
    from_matrix <- do.call(explain, c(list(xfit, encoded[1:6, ], method, per_level = TRUE),
                                      with_background(encoded[1:5, ])))
    expect_identical(colnames(from_formula), c("a", "g=u", "g=v", "g=w", "b"))
    expect_equal(from_formula, from_matrix, tolerance = 0, ignore_attr = TRUE, info = method)
    by_variable <- do.call(explain, c(list(ffit, d[1:6, ], method), with_background(d[1:5, ])))
    expect_identical(colnames(by_variable), c("a", "g", "b"))
    expect_equal(unname(by_variable[, "g"]), unname(rowSums(from_formula[, 2:4])), tolerance = 1e-12, info = method)
  }
  # a data.frame baseline is encoded too; a numeric row is in the encoded space
  expect_equal(explain(ffit, d[1:3, ], baseline = d[10, ]), explain(ffit, d[1:3, ], baseline = encoded[10, ]),
               tolerance = 0)
  # permutation importance takes the response from newdata
  expect_identical(global_importance(ffit, d, method = "permutation", random_state = 2),
                   global_importance(ffit, d, d$y, "permutation", random_state = 2))
})

test_that("permutation importance ranks the informative features first", {
  set.seed(7)
  n <- 500
  x <- matrix(rnorm(n * 6), n, 6, dimnames = list(NULL, paste0("v", 1:6)))
  y <- 3 * x[, 1] - 2 * x[, 2] + 2 * sin(2 * x[, 3]) + rnorm(n, sd = 0.2)
  fit <- scores_activation(x, y, hidden_layer_sizes = c(32, 16), max_epochs = 80, random_state = 2)
  imp <- global_importance(fit, x, y, "permutation", n_repeats = 3, random_state = 1)
  expect_named(imp, colnames(x))
  expect_setequal(names(sort(imp, decreasing = TRUE))[1:3], c("v1", "v2", "v3"))
  expect_true(all(imp[4:6] < 0.05 * max(imp)))
  expect_identical(imp, global_importance(fit, x, y, "permutation", n_repeats = 3, random_state = 1))
  dl <- global_importance(fit, x, method = "deeplift")
  expect_setequal(names(sort(dl, decreasing = TRUE))[1:3], c("v1", "v2", "v3"))
  expect_equal(dl, colMeans(abs(explain(fit, x))), tolerance = 1e-12)
  expect_identical(global_importance(fit), scores(fit))
  # classification: labels, mean over rows and classes
  cfit <- iris_fit()
  imp <- global_importance(cfit, iris, iris$Species, "permutation", random_state = 1)
  expect_named(imp, colnames(iris_x))
  expect_identical(imp, global_importance(cfit, iris, as.character(iris$Species), "permutation", random_state = 1))
  expect_equal(global_importance(cfit, iris, method = "gradient"),
               apply(abs(explain(cfit, iris, "gradient")), 2L, mean), tolerance = 1e-12)
})

test_that("rank metrics agree with cor() and with their definitions", {
  set.seed(11)
  for (i in 1:20) {
    a <- round(rnorm(12), 1)
    b <- round(a + rnorm(12), 1)
    b[3] <- b[4]  # ties
    expect_equal(spearman(a, b), cor(a, b, method = "spearman"), tolerance = 1e-12)
    expect_equal(kendall_tau(a, b), cor(a, b, method = "kendall"), tolerance = 1e-12)
  }
  expect_true(is.na(spearman(c(1, 1, 1), c(1, 2, 3))))
  expect_true(is.na(kendall_tau(c(1, 2, 3), c(2, 2, 2))))
  w <- c(f1 = 0.4, f2 = 0.05, f3 = 0.3, f4 = 0.2, f5 = 0.05)
  expect_identical(top_k_precision(w, c(1, 3)), 1)
  expect_identical(top_k_precision(w, c("f1", "f2")), 0.5)
  expect_equal(top_k_precision(w, c(1, 2), k = 3), 1 / 3)
  expect_identical(top_k_precision(w, c(1, 2), k = 4), 0.5)  # ties (f2, f5) keep column order
  m <- rbind(c(1, 2, 3, 4), c(1, 3, 2, 4), c(4, 3, 2, 1))
  pairs <- c(cor(m[1, ], m[2, ], method = "spearman"), cor(m[1, ], m[3, ], method = "spearman"),
             cor(m[2, ], m[3, ], method = "spearman"))
  expect_equal(ranking_stability(m), mean(pairs), tolerance = 1e-12)
  expect_equal(ranking_stability(list(m[1, ], m[2, ], m[3, ])), mean(pairs), tolerance = 1e-12)
})

test_that("deletion and insertion curves run between f(x) and f(baseline)", {
  fit <- iris_fit()
  x <- iris_x[101:110, ]
  dl <- explain(fit, x, target = "virginica")
  out <- r_forward(fit, x)[, 3L]
  base <- r_forward(fit, matrix(fit$arrays$input_mean, 1L))[1L, 3L]
  del <- deletion_curve(fit, x, dl, target = "virginica")
  expect_identical(dim(del$curves), c(10L, 5L))
  expect_equal(unname(del$curves[, 1L]), out, tolerance = 1e-12)
  expect_equal(unname(del$curves[, 5L]), rep(base, 10), tolerance = 1e-12)
  area <- mean(apply(del$curves, 1L, function(v) sum((v[-1L] + v[-5L]) / 2) / 4))
  expect_equal(del$auc, area, tolerance = 1e-12)
  ins <- insertion_curve(fit, x, dl, target = "virginica")
  expect_equal(unname(ins$curves[, 1L]), rep(base, 10), tolerance = 1e-12)
  expect_equal(unname(ins$curves[, 5L]), out, tolerance = 1e-12)
  # a global ranking applies to every row; probability output
  glob <- deletion_curve(fit, x, scores(fit), target = "virginica", output = "probability")
  expect_equal(unname(glob$curves[, 1L]), softmax_rows(r_forward(fit, x))[, 3L], tolerance = 1e-12)
})

test_that("faithfulness is 1 for the output drops themselves", {
  fit <- iris_fit()
  x <- iris_x[c(1, 51, 101, 120), ]
  reference <- apply(iris_x, 2L, median)
  out <- r_forward(fit, x)[, 1L]
  drops <- sapply(1:4, function(j) {
    z <- x
    z[, j] <- reference[j]
    out - r_forward(fit, z)[, 1L]
  })
  expect_equal(faithfulness(fit, x, drops, x_train = iris, target = "setosa"), 1, tolerance = 1e-12)
  expect_equal(faithfulness(fit, x, drops, reference = reference, target = "setosa"), 1, tolerance = 1e-12)
  expect_equal(faithfulness(fit, x, -drops, x_train = iris_x, target = "setosa"), -1, tolerance = 1e-12)
})

test_that("the local Lipschitz estimate of a linear map is bounded by its norm", {
  a <- matrix(c(2, 0, 0, 0.5, 1, 0), 3, 2)
  x <- matrix(rnorm(12), 4, 3)
  est <- local_lipschitz(function(rows) rows %*% a, x, n_samples = 50, random_state = 1)
  expect_length(est, 4)
  norm <- max(svd(a)$d)
  expect_true(all(est <= norm + 1e-12))
  expect_true(all(est > 0.5 * norm))
  expect_identical(est, local_lipschitz(function(rows) rows %*% a, x, n_samples = 50, random_state = 1))
  # one coordinate times 3: at most 3, reached only along that coordinate
  scaled <- local_lipschitz(function(rows) 3 * rows[, 1, drop = FALSE], x, random_state = 2)
  expect_true(all(scaled <= 3 + 1e-12 & scaled > 0))
})

test_that("bad arguments stop with errors naming them", {
  fit <- iris_fit()
  reg <- tanh_regressor()
  expect_error(explain(fit), "newdata is required")
  expect_error(explain(fit, iris, "lime"), "method must be one of 'deeplift'")
  expect_error(explain(fit, iris, target = "rose"), "target must be NULL or one of the classes 'setosa'")
  expect_error(explain(fit, iris, target = c("setosa", "virginica")), "target must be")
  expect_error(explain(reg$fit, reg$x[1:2, ], target = 1), "target: a regression model has a single output")
  expect_error(explain(fit, iris[, -4]), "newdata lacks the column\\(s\\) Petal.Width")
  d <- iris
  d$Sepal.Length[3] <- NA
  expect_error(explain(fit, d), "newdata contains missing values")
  expect_error(explain(fit, iris, baseline = "median"), "baseline must be 'mean', 'zeros'")
  expect_error(explain(fit, iris, baseline = c(1, 2)), "baseline has 2 values, but the model expects 4")
  expect_error(explain(fit, iris, baseline = c(1, NA, 3, 4)), "baseline contains missing values")
  expect_error(explain(fit, iris, baseline = iris_x[0, ]), "baseline has 0 rows")
  expect_error(explain(fit, iris, baseline = list(1, 2)), "baseline must be")
  expect_error(explain(fit, iris, output = "probability"), "output = 'probability' is available for method = 'shapley'")
  expect_error(explain(fit, iris, output = "logit"), "output must be one of 'raw', 'probability'")
  expect_error(explain(reg$fit, reg$x[1:2, ], "shapley", output = "probability"), "output = .probability. needs a classifier")
  expect_error(explain(fit, iris, "integrated_gradients", n_steps = 0), "n_steps must be a positive whole number")
  expect_error(explain(fit, iris, "integrated_gradients", n_steps = 2.5), "n_steps")
  expect_error(explain(fit, iris, "integrated_gradients", integration = "simpson"), "integration must be 'gausslegendre', 'riemann_left'")
  expect_error(explain(fit, iris, "integrated_gradients", integration = "riemann_trapezoid", n_steps = 1),
               "n_steps must be at least 2")
  expect_error(explain(fit, iris, rule = "linear"), "rule must be 'rescale' or 'reveal_cancel'")
  expect_error(explain(fit, iris, "shapley", exact = FALSE, n_permutations = 0), "n_permutations")
  expect_error(explain(fit, iris, "shapley", exact = "yes"), "exact must be NULL, TRUE or FALSE")
  expect_error(explain(fit, iris, "shapley", background = iris_x[1:2, 1:3]), "background lacks the column")
  expect_error(explain(fit, iris, "shapley", background = unname(iris_x[1:2, 1:3])),
               "background has 3 columns, but the model expects 4")
  expect_error(explain(fit, iris, "shapley", exact = FALSE, random_state = -1), "random_state must be NULL or")
  expect_error(explain(fit, iris, nonsense = 1), "unknown argument\\(s\\): nonsense")
  expect_error(explain(list(), iris), "no applicable method")

  expect_error(global_importance(fit, method = "permutation"), "needs newdata")
  expect_error(global_importance(fit, iris_x, method = "permutation"), "needs y")
  expect_error(global_importance(fit, iris, rep("rose", 150), "permutation"), "y contains labels the classifier")
  expect_error(global_importance(fit, iris, iris$Species[-1], "permutation"), "y must have one value per row")
  expect_error(global_importance(fit, iris, replace(iris$Species, 2, NA), "permutation"), "y contains missing")
  expect_error(global_importance(fit, iris, iris$Species, "permutation", n_repeats = 0), "n_repeats")
  expect_error(global_importance(fit, iris, method = "nope"), "method must be one of .*'scores', 'permutation'")
  expect_error(global_importance(fit, foo = 1), "unknown argument")
  expect_error(global_importance(reg$fit, reg$x, as.character(reg$y), "permutation"), "y must be numeric")

  expect_error(spearman(1:3, 1:4), "a and b must have the same length")
  expect_error(spearman(c(1, NA), 1:2), "a contains missing values")
  expect_error(kendall_tau(1:3, letters[1:3]), "b must be a numeric vector")
  expect_error(spearman(1, 1), "at least 2 values")
  expect_error(top_k_precision(1:4, 5), "relevant must hold positions in 1..4")
  expect_error(top_k_precision(1:4, "x1"), "relevant holds names, but scores has no names")
  expect_error(top_k_precision(c(a = 1, b = 2), "c"), "relevant names features that scores lacks: c")
  expect_error(top_k_precision(1:4, 1, k = 5), "k must be a whole number in \\[1, 4\\]")
  expect_error(ranking_stability(matrix(1:4, 1)), "at least 2 rows")
  x <- iris_x[1:3, ]
  dl <- explain(fit, x, target = "setosa")
  expect_error(deletion_curve(fit, x, dl), "target: pass the class to follow")
  expect_error(deletion_curve(fit, x, explain(fit, x), target = "setosa"), "attributions has 3 dimensions")
  expect_error(deletion_curve(fit, x, dl[, 1:3], target = "setosa"), "attributions has 3 columns")
  expect_error(deletion_curve(fit, x, dl[1:2, ], target = "setosa"), "one row per row of newdata")
  expect_error(insertion_curve(fit, x, dl, target = "setosa", baseline = "nope"), "baseline must be")
  expect_error(faithfulness(fit, x, dl, target = "setosa"), "reference = 'median' needs x_train")
  expect_error(faithfulness(fit, x, dl[1, ], x_train = iris, target = "setosa"), "one row per row of newdata")
  expect_error(faithfulness(fit, x, dl, reference = 1:3, target = "setosa"), "reference has 3 values")
  expect_error(local_lipschitz("f", x), "explain must be a function")
  expect_error(local_lipschitz(function(r) r, x, radius = 0), "radius must be a positive number")
  expect_error(local_lipschitz(function(r) r, x, n_samples = 0), "n_samples")
  expect_error(local_lipschitz(function(r) r, x, feature_scale = 1:2), "feature_scale must have one value per column")
  expect_error(local_lipschitz(function(r) stop("no explanation today"), x), "no explanation today")
  expect_error(local_lipschitz(function(r) 1:5, x), "one row per input row")
})

test_that("options of other methods are errors naming the option and the method", {
  fit <- iris_fit()
  x <- iris[1:2, ]
  expect_error(explain(fit, x, "integrated_gradients", rule = "rescale"),
               "rule does not apply to method = 'integrated_gradients' \\(its options: baseline, n_steps, integration\\)")
  expect_error(explain(fit, x, "deeplift", n_steps = 10), "n_steps does not apply to method = 'deeplift'")
  expect_error(explain(fit, x, "deeplift", integration = "riemann_left"), "integration does not apply")
  expect_error(explain(fit, x, "deeplift", background = iris[1:3, ]), "background does not apply to method = 'deeplift'")
  expect_error(explain(fit, x, "gradient", baseline = "zeros", n_steps = 4),
               "baseline, n_steps do not apply to method = 'gradient' \\(its options: none\\)")
  expect_error(explain(fit, x, "shapley", baseline = "zeros"), "baseline does not apply to method = 'shapley'")
  expect_error(explain(fit, x, "shapley", rule = "rescale"), "rule does not apply to method = 'shapley'")
  expect_error(explain(fit, x, "integrated_gradients", exact = TRUE), "exact does not apply")
  expect_error(explain(fit, x, "deeplift", random_state = 1), "random_state does not apply to method = 'deeplift'")
  expect_error(explain(fit, x, "shapley", exact = TRUE, n_permutations = 8),
               "n_permutations does not apply to exact Shapley values")
  expect_error(global_importance(fit, x, method = "deeplift", n_repeats = 3),
               "n_repeats does not apply to method = 'deeplift'")
  expect_error(global_importance(fit, random_state = 1), "random_state does not apply to method = 'scores'")
  expect_error(global_importance(fit, x, method = "gradient", random_state = 1),
               "random_state does not apply to method = 'gradient'")
  # each method's own options, defaults and explicit NULL seeds still work
  expect_no_error(explain(fit, x, "deeplift", baseline = "zeros", rule = "reveal_cancel", random_state = NULL))
  expect_no_error(explain(fit, x, "integrated_gradients", baseline = "zeros", n_steps = 5, integration = "riemann_left"))
  expect_no_error(explain(fit, x, "shapley", background = iris[1:4, ], exact = FALSE, n_permutations = 4,
                          random_state = 3))
  expect_no_error(explain(fit, x, "shapley", background = iris[1:4, ], exact = TRUE, random_state = 3))
  expect_no_error(global_importance(fit, x, method = "gradient"))
})

test_that("counts beyond the core's bounds are errors naming them, in R and from the core", {
  fit <- iris_fit()
  x <- iris[1:2, ]
  expect_error(explain(fit, x, "shapley", exact = FALSE, n_permutations = 1e7 + 1),
               "n_permutations must be an integer in \\[1, 10000000\\]; got 10000001")
  expect_error(explain(fit, x, "shapley", exact = FALSE, n_permutations = 2^62),
               "n_permutations must be an integer in \\[1, 10000000\\]")
  expect_error(explain(fit, x, "integrated_gradients", n_steps = 2^63), "n_steps must be an integer in \\[1, 1000000\\]")
  expect_error(explain(fit, x, "integrated_gradients", n_steps = TRUE), "n_steps must be a positive whole number")
  expect_error(explain(fit, x, "shapley", exact = FALSE, n_permutations = NA), "n_permutations must be a positive")
  expect_error(global_importance(fit, iris, iris$Species, "permutation", n_repeats = 1e5 + 1),
               "n_repeats must be an integer in \\[1, 100000\\]")
  expect_error(local_lipschitz(function(r) r, iris_x[1:2, ], n_samples = 1e9), "n_samples must be an integer in \\[1, 100000\\]")
  expect_error(explain(fit, x, "shapley", exact = FALSE, random_state = 2^60), "random_state must be NULL or")
  # The core checks the same bounds whatever the front end passes (2^31 - 1 orders, 0 threads).
  params <- scoresactivation:::.core_params_of(fit)
  state <- scoresactivation:::.core_state(fit)
  rows <- unname(iris_x[1:2, ])
  core_explain <- function(method, n_steps = 50L, exact = -1L, n_permutations = 64L, targets = 0L, threads = 1L) {
    options <- list(method = method, baseline = "rows", baseline_rows = rows, background = "rows",
                    background_rows = rows, targets = targets, n_steps = n_steps, exact = exact,
                    n_permutations = n_permutations, seed = 1, n_threads = threads)
    scoresactivation:::sa_explain(params, state, rows, options, NULL)
  }
  expect_error(core_explain("shapley", exact = 0L, n_permutations = .Machine$integer.max),
               "n_permutations must be an integer in \\[1, 10000000\\]; got 2147483647")
  expect_error(core_explain("integrated_gradients", n_steps = .Machine$integer.max), "n_steps must be an integer")
  expect_error(core_explain("deeplift", threads = 0L), "n_threads must be a positive integer")
  expect_error(core_explain("gradient", targets = 3L), "target must be in \\[0, 3\\)")
  expect_error(core_explain("magic"), "method must be one of")
})

test_that("hostile but well-typed inputs give clear errors", {
  fit <- iris_fit()
  x <- iris[1:3, ]
  expect_error(explain(fit, iris[0, ]), "newdata has 0 rows")
  expect_error(explain(fit, iris[0, ], "shapley"), "newdata has 0 rows")
  expect_error(explain(fit, x, "shapley", background = iris_x[0, ]), "background has 0 rows|background needs at least one row")
  expect_error(explain(fit, x, "integrated_gradients", baseline = c(1, 2, 3)), "baseline has 3 values")
  expect_error(explain(fit, x, "shapley", background = c(1, NaN, 3, 4)), "background contains missing")
  expect_error(explain(fit, x, "gradient", target = "rose"), "target must be NULL or one of the classes")
  expect_error(deletion_curve(fit, x, scores(fit), baseline = c(1, Inf, 1, 1), target = "setosa"),
               "baseline contains")
  expect_error(faithfulness(fit, x, matrix(NaN, 3, 4), x_train = iris, target = "setosa"), "missing or infinite")
  expect_error(local_lipschitz(function(r) if (nrow(r) == 2L) r else r[, 1:2], iris_x[1:2, ], n_samples = 3),
               "same number of attributions")
})

test_that("baseline = 'mean' needs a standardised model and says so", {
  d <- make_regression_data(200, seed = 5)
  fit <- scores_activation(d$x[, 1:5], d$y, hidden_layer_sizes = 8, max_epochs = 5, standardize = FALSE,
                           random_state = 0, n_threads = 1)
  expect_error(explain(fit, d$x[1:3, 1:5], method = "deeplift"), "standardize = FALSE")
  centre <- colMeans(d$x[, 1:5])
  values <- explain(fit, d$x[1:3, 1:5], method = "deeplift", baseline = centre)
  expect_equal(unname(rowSums(values)),
               unname(predict(fit, d$x[1:3, 1:5]) - predict(fit, matrix(centre, 1L))), tolerance = 1e-8)
})

test_that("Esc/Ctrl-C interrupts long attribution runs cleanly", {
  skip_on_os("windows")
  skip_if(!nzchar(Sys.which("kill")) || !nzchar(Sys.which("sleep")))
  code <- sprintf('
    .libPaths(c(%s, .libPaths()))
    library(scoresactivation)
    set.seed(1)
    x <- matrix(rnorm(400 * 8), ncol = 8); y <- factor(x[, 1] > 0)
    fit <- scores_activation(x, y, hidden_layer_sizes = 8, max_epochs = 5, random_state = 0, n_threads = 1)
    system(sprintf("sleep 1 && kill -INT %%d", Sys.getpid()), wait = FALSE)
    r <- tryCatch(explain(fit, x, method = "shapley", background = x[1:100, ], exact = FALSE,
                          n_permutations = 20000, target = "TRUE"),
                  interrupt = function(e) "caught the Shapley interrupt")
    cat(r, "\\n")
    system(sprintf("sleep 1 && kill -INT %%d", Sys.getpid()), wait = FALSE)
    r <- tryCatch(global_importance(fit, x[rep(1:400, 50), ], y[rep(1:400, 50)], method = "permutation",
                                    n_repeats = 2000),
                  interrupt = function(e) "caught the permutation interrupt")
    cat(r, "\\n")
    interrupted <- function(expr, what) {
      system(sprintf("sleep 1 && kill -INT %%d", Sys.getpid()), wait = FALSE)
      cat(tryCatch({ expr; paste(what, "ran to the end") }, interrupt = function(e) paste("caught the", what, "interrupt")),
          "\\n")
    }
    # each many seconds of work uninterrupted, most of it inside one work item
    interrupted(explain(fit, x[1:20, ], "integrated_gradients", n_steps = 1e6, target = "TRUE"), "integrated-gradients")
    interrupted(explain(fit, x[rep(1:400, 50), ], "deeplift", baseline = x[rep(1:400, 5), ], rule = "reveal_cancel",
                        target = "TRUE"), "DeepLIFT")
    wide <- scores_activation(x, y, hidden_layer_sizes = c(64, 64), max_epochs = 2, random_state = 0, n_threads = 1)
    interrupted(explain(wide, x[rep(1:400, 5000), ], "gradient", target = "TRUE"), "gradient")
    interrupted(explain(fit, x[1, , drop = FALSE], "shapley", background = x[1:100, ], exact = FALSE,
                        n_permutations = 1e7, target = "TRUE"), "one-row-Shapley")
    cat("session alive\\n")
  ', paste(deparse(.libPaths()), collapse = ""))
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  on.exit(unlink(script))
  out <- suppressWarnings(system2(rscript(), c("--vanilla", script), stdout = TRUE, stderr = TRUE, timeout = 240))
  expect_true(any(grepl("caught the Shapley interrupt", out)), info = paste(out, collapse = "\n"))
  expect_true(any(grepl("caught the permutation interrupt", out)), info = paste(out, collapse = "\n"))
  for (what in c("integrated-gradients", "DeepLIFT", "gradient", "one-row-Shapley")) {
    expect_true(any(grepl(paste("caught the", what, "interrupt"), out)), info = paste(out, collapse = "\n"))
  }
  expect_true(any(grepl("session alive", out)), info = paste(out, collapse = "\n"))
})
