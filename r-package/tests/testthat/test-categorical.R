# Categorical variables (R/categorical.R): factor and character columns are
# one-hot encoded (every level, no baseline dropped) and each variable gets
# one score; the encoding rule is shared with the Python package.

make_categorical_data <- function(n = 800, seed = 1) {
  set.seed(seed)
  g <- factor(sample(c("lo", "mlo", "mhi", "hi"), n, TRUE), levels = c("lo", "mlo", "mhi", "hi"))
  effect <- c(lo = -2, mlo = -0.5, mhi = 0.5, hi = 2)
  df <- data.frame(g = g, x = rnorm(n), noise1 = rnorm(n), noise2 = rnorm(n))
  df$y <- unname(effect[as.character(df$g)]) + 1.5 * df$x + 0.3 * rnorm(n)
  df
}

cat_fit <- function(formula = y ~ ., data = make_categorical_data(), ...) {
  args <- utils::modifyList(list(random_state = 1, max_epochs = 40, refine_epochs = 5), list(...))
  do.call(scores_activation, c(list(formula, data = data), args))
}

test_that("a factor gets one score; the factor and the numeric signal outrank the noise (regression)", {
  df <- make_categorical_data()
  fit <- cat_fit(data = df)
  w <- scores(fit)
  expect_length(w, 4L)  # one per predictor variable
  expect_identical(names(w), c("g", "x", "noise1", "noise2"))
  expect_equal(sum(w), 1, tolerance = 1e-12)
  expect_true(min(w[c("g", "x")]) > max(w[c("noise1", "noise2")]))
  expect_identical(coef(fit), w)
  expect_identical(fit$feature_names, c("g=lo", "g=mlo", "g=mhi", "g=hi", "x", "noise1", "noise2"))
  expect_identical(fit$n_features, 7L)
  expect_identical(fit$variables[[1L]], list(name = "g", levels = c("lo", "mlo", "mhi", "hi")))
  expect_null(fit$variables[[2L]]$levels)
  expect_equal(as.vector(fit$arrays$score_groups), c(4, 1, 1, 1))
  expect_identical(ncol(fit$arrays$scores_history), 4L)
  # the fit explains y well
  expect_gt(cor(predict(fit, df), df$y), 0.95)
  out <- capture.output(print(fit))
  expect_true(any(grepl("4 variables, 1 categorical", out)))
  expect_true(any(grepl("top variables:", out)))
  s <- summary(fit)
  expect_identical(sort(s$scores$variable), sort(names(w)))
})

test_that("classification with a factor: one score per variable, the signal first", {
  df <- make_categorical_data(seed = 2)
  df$y <- factor(ifelse(df$y > 0, "pos", "neg"))
  fit <- cat_fit(data = df)
  w <- scores(fit)
  expect_length(w, 4L)
  expect_true(min(w[c("g", "x")]) > max(w[c("noise1", "noise2")]))
  expect_gt(mean(predict(fit, df) == df$y), 0.85)
  p <- predict(fit, df[1:5, ], type = "prob")
  expect_equal(unname(rowSums(p)), rep(1, 5), tolerance = 1e-12)
})

test_that("character columns are factors with code-point sorted levels; the default method takes a data.frame", {
  df <- make_categorical_data(n = 300)
  df$g <- as.character(df$g)
  fit <- cat_fit(data = df, max_epochs = 5)
  expect_identical(fit$variables[[1L]]$levels, sort(unique(df$g), method = "radix"))
  expect_identical(fit$variables[[1L]]$levels, c("hi", "lo", "mhi", "mlo"))
  x <- df[c("g", "x", "noise1", "noise2")]
  fit2 <- scores_activation(x, df$y, random_state = 1, max_epochs = 5, refine_epochs = 5)
  expect_identical(fit2$variables, fit$variables)
  expect_identical(names(scores(fit2)), c("g", "x", "noise1", "noise2"))
  # the same data and seed: the same model through either interface
  expect_identical(predict(fit2, df), predict(fit, df))
  # a factor with the same levels (in the sorted order) predicts the same
  df_f <- df
  df_f$g <- factor(df_f$g)
  expect_identical(predict(fit2, df_f), predict(fit2, df))
  # uppercase sorts before lowercase (code points), whatever the locale
  df2 <- df
  df2$g <- ifelse(df2$g == "hi", "Zed", df2$g)
  fit3 <- cat_fit(data = df2, max_epochs = 2)
  expect_identical(fit3$variables[[1L]]$levels, c("Zed", "lo", "mhi", "mlo"))
})

test_that("unused factor levels are kept as constant columns", {
  df <- make_categorical_data(n = 300)
  df$g <- factor(as.character(df$g), levels = c("hi", "lo", "mhi", "mlo", "never"))
  fit <- cat_fit(data = df, max_epochs = 2)
  expect_identical(fit$variables[[1L]]$levels, c("hi", "lo", "mhi", "mlo", "never"))
  expect_true(all(is.finite(predict(fit, df))))
})

test_that("unseen levels: an error under handle_unknown = 'error', all-zero columns under 'ignore'", {
  df <- make_categorical_data(n = 400)
  fit <- cat_fit(data = df, max_epochs = 5)
  new <- df[1:4, ]
  new$g <- as.character(new$g)
  new$g[2] <- "brand_new"
  expect_error(predict(fit, new), "categorical variable 'g' has level\\(s\\) not seen in fit: 'brand_new'")
  fit_ignore <- cat_fit(data = df, max_epochs = 5, handle_unknown = "ignore")
  expect_identical(fit_ignore$params$handle_unknown, "ignore")
  p <- predict(fit_ignore, new)
  expect_true(all(is.finite(p)))
  # the same as predicting from the encoded matrix with g's columns all 0
  m <- scoresactivation:::.newdata_matrix(fit_ignore, df[1:4, ])
  m[2, c("g=lo", "g=mlo", "g=mhi", "g=hi")] <- 0
  expect_identical(unname(predict(fit_ignore, m)), unname(p))
  expect_equal(unname(p[-2]), unname(predict(fit_ignore, df[c(1, 3, 4), ])), tolerance = 1e-12)
  # every value unseen: an error even with "ignore" (likely the wrong column)
  all_new <- df[1:3, ]
  all_new$g <- c("p", "q", "r")
  expect_error(predict(fit_ignore, all_new), "no value of categorical variable 'g' is one of its levels")
  expect_error(predict(fit, all_new), "variable 'g'")
  # a numeric column for a categorical variable
  num <- df[1:3, ]
  num$g <- 1:3
  expect_error(predict(fit, num), "'g' is categorical")
  expect_error(cat_fit(data = df, handle_unknown = "maybe"), "handle_unknown")
})

test_that("NA in a categorical variable, zero levels and collisions are errors naming the variable", {
  df <- make_categorical_data(n = 200)
  bad <- df
  bad$g[3] <- NA
  expect_error(cat_fit(data = bad, max_epochs = 2), "NA.*\\bg\\b|\\bg\\b.*NA")
  expect_error(scores_activation(bad[c("g", "x")], bad$y, max_epochs = 2), "categorical variable 'g' has missing values")
  # after na.omit the row is gone and the fit works
  fit <- cat_fit(data = bad, max_epochs = 2, na.action = na.omit)
  expect_length(scores(fit), 4L)
  new <- df[1:3, ]
  new$g[2] <- NA
  expect_error(predict(fit, new), "categorical variable 'g' has missing values")
  # a character column of NA only has no levels
  x <- data.frame(h = rep(NA_character_, 200), x = df$x)
  expect_error(scores_activation(x, df$y, max_epochs = 2), "'h'")
  # a numeric column named like an encoded one
  clash <- data.frame(city = factor(rep(c("rome", "oslo"), 100)), `city=rome` = df$x, check.names = FALSE)
  expect_error(scores_activation(clash, df$y, max_epochs = 2), "'city=rome'.*'city'|'city'.*'city=rome'")
  # interactions of factors are refused with a clear message
  expect_error(cat_fit(y ~ g * x, data = df, max_epochs = 2), "interaction terms .*not supported")
  # other column types
  x <- data.frame(d = as.Date("2020-01-01") + 1:200, g = df$g)
  expect_error(scores_activation(x, df$y, max_epochs = 2), "column 'd'")
})

test_that("transformed numeric terms work beside a factor", {
  df <- make_categorical_data(n = 300)
  df$pos <- exp(df$x)
  fit <- cat_fit(y ~ g + log(pos) + noise1, data = df, max_epochs = 3)
  expect_identical(names(scores(fit)), c("g", "log(pos)", "noise1"))
  expect_identical(fit$formula, "y ~ g + log(pos) + noise1")
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(fit, path)
  expect_identical(predict(load_model(path), df[1:20, ]), predict(fit, df[1:20, ]))
})

test_that("save_model/load_model and saveRDS round-trip a factor model, bit for bit", {
  df <- make_categorical_data(n = 400)
  new <- make_categorical_data(n = 50, seed = 9)
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  for (f in list(y ~ ., y ~ x + g + noise2)) {
    fit <- cat_fit(f, data = df, max_epochs = 5)
    save_model(fit, path)
    doc <- jsonlite::read_json(path)
    expect_identical(doc$format_version, 5L)
    expect_null(doc$feature_names)
    expect_identical(doc$formula, paste(deparse(formula(fit$terms)), collapse = " "))
    gvar <- Filter(function(v) identical(v$name, "g"), doc$variables)[[1L]]
    expect_identical(unlist(gvar$levels), c("lo", "mlo", "mhi", "hi"))
    expect_identical(vapply(doc$variables, function(v) v$name, ""), names(scores(fit)))
    loaded <- load_model(path)
    expect_identical(predict(loaded, new), predict(fit, new))
    expect_identical(scores(loaded), scores(fit))
    expect_identical(explain(loaded, new[1:3, ]), explain(fit, new[1:3, ]))
    rds <- tempfile(fileext = ".rds")
    saveRDS(fit, rds)
    again <- readRDS(rds)
    unlink(rds)
    expect_identical(predict(again, new), predict(fit, new))
  }
  expect_identical(doc$formula, "y ~ x + g + noise2")
  # the document of y ~ . lists the expanded formula
  fit <- cat_fit(data = df, max_epochs = 2, handle_unknown = "ignore")
  save_model(fit, path)
  doc <- jsonlite::read_json(path)
  expect_identical(doc$formula, "y ~ g + x + noise1 + noise2")
  expect_identical(doc$params$handle_unknown, "ignore")
  expect_identical(load_model(path)$params$handle_unknown, "ignore")
  # the default method writes the variables but no formula; loading matches
  # newdata's columns by the variable names (as for a Python-written model)
  fit <- scores_activation(df[c("g", "x", "noise1", "noise2")], df$y, random_state = 1, max_epochs = 3)
  save_model(fit, path)
  doc <- jsonlite::read_json(path)
  expect_null(doc$formula)
  expect_length(doc$variables, 4L)
  loaded <- load_model(path)
  expect_null(loaded$terms)
  expect_identical(predict(loaded, new[c("noise2", "noise1", "g", "x")]), predict(fit, new))
  expect_error(predict(loaded, new[c("x", "noise1", "noise2")]), "lacks the column\\(s\\) g")
})

test_that("an all-numeric model writes feature_names and no variables, as before", {
  fit <- quick_iris_fit()
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(fit, path)
  doc <- jsonlite::read_json(path)
  expect_null(doc$variables)
  expect_identical(unlist(doc$feature_names), names(iris)[1:4])
  expect_null(fit$variables)
})

test_that("explain(): per-variable attributions are the sums of the per-level ones", {
  df <- make_categorical_data(n = 400)
  fit <- cat_fit(data = df, max_epochs = 5)
  rows <- df[1:6, ]
  by_var <- explain(fit, rows)
  by_level <- explain(fit, rows, per_level = TRUE)
  expect_identical(dim(by_var), c(6L, 4L))
  expect_identical(colnames(by_var), c("g", "x", "noise1", "noise2"))
  expect_identical(dim(by_level), c(6L, 7L))
  expect_identical(colnames(by_level), fit$feature_names)
  expect_equal(by_var[, "g"], rowSums(by_level[, 1:4]), tolerance = 1e-12)
  expect_identical(by_var[, "x"], by_level[, "x"])
  # DeepLIFT: each row sums to f(x) - f(baseline)
  expect_equal(unname(rowSums(by_var) + attr(by_var, "base_values")), unname(predict(fit, rows)), tolerance = 1e-8)
  expect_error(explain(fit, rows, per_level = NA), "per_level")
  # classifier: a class axis
  dfc <- df
  dfc$y <- factor(ifelse(dfc$y > 0, "pos", "neg"))
  fc <- cat_fit(data = dfc, max_epochs = 3)
  a <- explain(fc, dfc[1:3, ])
  b <- explain(fc, dfc[1:3, ], per_level = TRUE)
  expect_identical(dim(a), c(3L, 4L, 2L))
  expect_identical(dim(b), c(3L, 7L, 2L))
  expect_equal(a[, "g", "pos"], rowSums(b[, 1:4, "pos"]), tolerance = 1e-12)
  expect_identical(dimnames(a)[[3L]], c("neg", "pos"))
  # a data.frame baseline is encoded like newdata
  expect_identical(dim(explain(fit, rows, baseline = df[7:9, ])), c(6L, 4L))
})

test_that("global importance is per variable", {
  df <- make_categorical_data(n = 400)
  fit <- cat_fit(data = df, max_epochs = 10)
  imp <- global_importance(fit, df, method = "permutation", random_state = 1)
  expect_identical(names(imp), c("g", "x", "noise1", "noise2"))
  expect_true(min(imp[c("g", "x")]) > max(imp[c("noise1", "noise2")]))
  dl <- global_importance(fit, df[1:50, ], method = "deeplift")
  expect_identical(names(dl), names(imp))
  expect_identical(global_importance(fit), scores(fit))
})

test_that("plot and scores_uncertainty show variables", {
  df <- make_categorical_data(n = 300)
  fit <- cat_fit(data = df, max_epochs = 3, n_bootstrap = 2)
  u <- scores_uncertainty(fit)
  expect_identical(u$variable, c("g", "x", "noise1", "noise2"))
  pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, "history"))
})

test_that("the metrics take per-variable attributions and scores of a categorical model", {
  df <- make_categorical_data(n = 300)
  fit <- cat_fit(data = df, max_epochs = 5)
  rows <- df[1:5, ]
  auc_var <- deletion_curve(fit, rows, explain(fit, rows))$auc
  expect_length(auc_var, 1L)
  expect_true(all(is.finite(auc_var)))
  expect_true(all(is.finite(deletion_curve(fit, rows, scores(fit))$auc)))
  expect_true(all(is.finite(deletion_curve(fit, rows, explain(fit, rows, per_level = TRUE))$auc)))
})
