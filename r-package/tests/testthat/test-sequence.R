# Sequence models: scores_activation_sequence() and its methods. Small
# sizes (the whole file runs in a few seconds on 2 threads).

# n sequences of T steps of channels a..e; the response depends on a and c only.
make_sequences <- function(task = "classification", n = 400, steps = 10, seed = 1) {
  set.seed(seed)
  x <- array(rnorm(n * steps * 5), c(n, steps, 5), dimnames = list(NULL, NULL, letters[1:5]))
  signal <- 2 * rowMeans(x[, , "a"]) - 2 * rowMeans(x[, , "c"])
  y <- if (task == "classification") {
    factor(ifelse(signal + 0.2 * rnorm(n) > 0, "up", "down"))
  } else {
    signal + 0.1 * rnorm(n)
  }
  list(x = x, y = y)
}

fit_sequences <- function(d, units = 8, max_epochs = 40, random_state = 1, ...) {
  scores_activation_sequence(d$x, d$y, units = units, max_epochs = max_epochs, random_state = random_state, ...)
}

cls <- make_sequences()
lstm_fit <- fit_sequences(cls)
conv_fit <- fit_sequences(cls, architecture = "conv", kernel_size = 3)

test_that("the top-2 channel scores are the relevant channels (lstm and conv, both tasks)", {
  for (fit in list(lstm_fit, conv_fit)) {
    expect_s3_class(fit, c("scores_activation_sequence", "scores_activation"), exact = TRUE)
    w <- scores(fit)
    expect_named(w, letters[1:5])
    expect_equal(sum(w), 1, tolerance = 1e-12)
    expect_setequal(names(scores(fit, sort = TRUE))[1:2], c("a", "c"))
    expect_identical(coef(fit), w)
    expect_gt(mean(predict(fit, cls$x) == cls$y), 0.8)
  }
  reg <- make_sequences("regression", seed = 2)
  for (architecture in c("lstm", "conv")) {
    fit <- fit_sequences(reg, architecture = architecture)
    expect_identical(fit$task, "regression")
    expect_setequal(names(scores(fit, sort = TRUE))[1:2], c("a", "c"))
    pred <- predict(fit, reg$x)
    expect_true(is.numeric(pred) && length(pred) == 400L)
    expect_gt(stats::cor(pred, reg$y), 0.8)
  }
})

test_that("the training parameters are the tabular function's, with its defaults and checks", {
  expect_identical(lstm_fit$params[names(default_params())[-1]], {
    p <- default_params()[-1]
    p$max_epochs <- 40L
    p$random_state <- 1
    p
  })
  expect_identical(lstm_fit$params$hidden_layer_sizes, integer(0))
  expect_identical(lstm_fit$sequence_params, list(architecture = "lstm", units = 8L, kernel_size = 5L,
                                                  pooling = "auto"))
  expect_identical(lstm_fit$n_features, 5L)
  expect_identical(lstm_fit$n_steps, 10L)
  expect_identical(lstm_fit$estimator, "ScoresActivationSequenceClassifier")
  expect_error(fit_sequences(cls, learning_rate = "fast"), "learning_rate must be a number in \\(0, inf\\), got 'fast'")
  expect_error(fit_sequences(cls, batch_size = 0), "batch_size")
  expect_error(fit_sequences(cls, lerning_rate = 0.1), "unknown argument\\(s\\): lerning_rate")
  expect_error(scores_activation_sequence(cls$x, cls$y, NULL, "lstm", 8, 5, "auto", integer(0), 0.1), "must be named")
  expect_error(fit_sequences(cls, verbose = "yes"), "verbose must be TRUE or FALSE")
  out <- capture.output(invisible(fit_sequences(cls, max_epochs = 2, refine_epochs = 0, verbose = TRUE)))
  expect_length(out, 2L)
  expect_match(out[1], "epoch    1/2  loss .* top: [a-e] ")
  out <- capture.output(invisible(scores_activation_sequence(unname(cls$x), cls$y, units = 2, max_epochs = 1,
                                                             verbose = TRUE)))
  expect_match(out[1], "top: c[1-5] ")
  # sample_weight: one per sequence
  w <- rep(c(1, 2), 200)
  weighted <- fit_sequences(cls, sample_weight = w, max_epochs = 3)
  expect_false(identical(weighted$arrays, fit_sequences(cls, max_epochs = 3)$arrays))
  expect_error(fit_sequences(cls, sample_weight = 1:3), "one value per sequence \\(400\\)")
})

test_that("equal seeds give identical fits; set.seed makes random_state = NULL reproducible", {
  again <- fit_sequences(cls)
  expect_identical(again$arrays, lstm_fit$arrays)
  expect_identical(predict(again, cls$x, type = "prob"), predict(lstm_fit, cls$x, type = "prob"))
  other <- fit_sequences(cls, random_state = 2, max_epochs = 3)
  expect_false(identical(other$arrays$scores, fit_sequences(cls, max_epochs = 3)$arrays$scores))
  set.seed(7)
  a <- scores_activation_sequence(cls$x, cls$y, units = 4, max_epochs = 3)
  set.seed(7)
  b <- scores_activation_sequence(cls$x, cls$y, units = 4, max_epochs = 3)
  expect_identical(a$seed, b$seed)
  expect_identical(a$arrays, b$arrays)
})

test_that("values past the lengths change nothing, in fit and predict", {
  set.seed(3)
  lengths <- sample(4:10, 400, replace = TRUE)
  padded_zero <- cls$x
  padded_junk <- cls$x
  for (i in seq_len(400)) {
    if (lengths[i] < 10) {
      padded_zero[i, (lengths[i] + 1):10, ] <- 0
      padded_junk[i, (lengths[i] + 1):10, ] <- rep_len(c(NA, NaN, Inf, 1e300), (10 - lengths[i]) * 5)
    }
  }
  for (architecture in c("lstm", "conv")) {
    a <- fit_sequences(list(x = padded_zero, y = cls$y), lengths = lengths, architecture = architecture,
                       max_epochs = 5)
    b <- fit_sequences(list(x = padded_junk, y = cls$y), lengths = lengths, architecture = architecture,
                       max_epochs = 5)
    expect_identical(a$arrays, b$arrays)
    pa <- predict(a, padded_zero, lengths = lengths, type = "prob")
    expect_identical(predict(a, padded_junk, lengths = lengths, type = "prob"), pa)
    # lengths as integers or doubles alike
    expect_identical(predict(a, padded_junk, lengths = as.double(lengths), type = "prob"), pa)
    # a sequence cut to its length predicts as the padded one
    i <- which(lengths == 4L)[1]
    expect_equal(predict(a, padded_junk[i, 1:4, , drop = FALSE], type = "prob"), pa[i, , drop = FALSE],
                 tolerance = 1e-12)
  }
})

test_that("prediction takes any number of steps with the same channels", {
  short <- cls$x[1:20, 1:3, , drop = FALSE]
  long <- array(rnorm(20 * 25 * 5), c(20, 25, 5))
  for (fit in list(lstm_fit, conv_fit)) {
    expect_length(predict(fit, short), 20L)
    p <- predict(fit, long, type = "prob")
    expect_identical(dim(p), c(20L, 2L))
    expect_identical(colnames(p), c("down", "up"))
    expect_equal(rowSums(p), rep(1, 20), tolerance = 1e-12)
  }
  # channels are matched by name when both sides have names
  shuffled <- cls$x[1:20, , c("e", "d", "c", "b", "a")]
  expect_identical(predict(lstm_fit, shuffled, type = "prob"), predict(lstm_fit, cls$x[1:20, , ], type = "prob"))
  expect_identical(predict(lstm_fit, unname(cls$x[1:20, , ]), type = "prob"),
                   predict(lstm_fit, cls$x[1:20, , ], type = "prob"))
  expect_identical(predict(lstm_fit, cls$x[1:5, , ], type = "response"), predict(lstm_fit, cls$x[1:5, , ], type = "prob"))
  rownamed <- cls$x[1:3, , , drop = FALSE]
  dimnames(rownamed)[[1]] <- c("s1", "s2", "s3")
  expect_named(predict(lstm_fit, rownamed), c("s1", "s2", "s3"))
})

test_that("save_model/load_model (format 3 on) and saveRDS round trips", {
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  for (fit in list(lstm_fit, conv_fit)) {
    save_model(fit, path)
    doc <- jsonlite::read_json(path)
    # Written at the current version; sequence documents are unchanged since 3.
    expect_identical(doc$format_version, 5L)
    expect_identical(doc$estimator, "ScoresActivationSequenceClassifier")
    expect_identical(doc$params$architecture, fit$sequence_params$architecture)
    expect_identical(unlist(doc$params$units), 8L)
    expect_identical(unlist(doc$feature_names), letters[1:5])
    back <- load_model(path)
    expect_s3_class(back, "scores_activation_sequence")
    expect_identical(back$sequence_params, fit$sequence_params)
    expect_identical(back$params, fit$params)
    expect_null(back$n_steps)
    expect_identical(predict(back, cls$x, type = "prob"), predict(fit, cls$x, type = "prob"))
    expect_identical(scores(back), scores(fit))
    rds <- tempfile(fileext = ".rds")
    saveRDS(fit, rds)
    again <- readRDS(rds)
    unlink(rds)
    expect_identical(predict(again, cls$x, type = "prob"), predict(fit, cls$x, type = "prob"))
  }
  # regression, unnamed channels, conv with pooling = "last"
  reg <- make_sequences("regression", n = 100, steps = 6, seed = 4)
  x <- unname(reg$x)
  fit <- scores_activation_sequence(x, reg$y, architecture = "conv", units = c(4, 3), kernel_size = 1,
                                    pooling = "last", hidden_layer_sizes = 5, max_epochs = 3, random_state = 5)
  save_model(fit, path)
  back <- load_model(path)
  expect_identical(back$estimator, "ScoresActivationSequenceRegressor")
  expect_identical(back$sequence_params$units, c(4L, 3L))
  expect_identical(predict(back, x), predict(fit, x))
  expect_named(scores(back), paste0("c", 1:5))
  # a tabular model still loads as one
  tab <- scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 3)
  save_model(tab, path)
  expect_false(inherits(load_model(path), "scores_activation_sequence"))
  # the tabular functions refuse a sequence model
  expect_error(deletion_curve(lstm_fit, cls$x, matrix(0, 400, 5)), "is a sequence model")
})

test_that("print, summary and plot run and show the channel names", {
  out <- capture.output(print(lstm_fit))
  expect_match(out[1], "ScoresActivation sequence network")
  expect_true(any(grepl("5 channels -> scores -> lstm\\(8\\) -> last pooling -> 2 outputs", out)))
  expect_true(any(grepl("top channels: [ac] ", out)))
  s <- summary(conv_fit)
  expect_identical(s$scores$channel, names(scores(conv_fit, sort = TRUE)))
  out <- capture.output(print(s))
  expect_true(any(grepl("conv\\(8, kernel 3\\) -> mean pooling", out)))
  expect_true(any(grepl("Channel scores", out)))
  expect_true(all(vapply(letters[1:5], function(ch) any(grepl(paste0("^ +", ch, " "), out)), logical(1))))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_identical(plot(lstm_fit), lstm_fit)
  expect_identical(plot(lstm_fit, "history"), lstm_fit)
  boot <- fit_sequences(cls, max_epochs = 3, n_bootstrap = 3, architecture = "conv")
  u <- scores_uncertainty(boot)
  expect_identical(u$channel, letters[1:5])
  expect_true(all(u$lower <= u$upper))
  expect_identical(plot(boot), boot)
  expect_error(scores_uncertainty(lstm_fit), "n_bootstrap = 20")
  plain <- fit_sequences(cls, max_epochs = 2, scores_layer = FALSE)
  expect_error(scores(plain), "no channel scores")
  expect_true(any(grepl("no scores layer", capture.output(print(plain)))))
})

test_that("bad input: clear errors naming the argument", {
  x <- cls$x
  y <- cls$y
  seq_fit <- function(...) scores_activation_sequence(..., max_epochs = 2)
  expect_error(seq_fit(x[, , 1], y), "x must be a 3-d numeric array .* got a matrix of dim c\\(400, 10\\)")
  expect_error(seq_fit(as.data.frame(x[, , 1]), y), "x must be a 3-d numeric array .* data.frame")
  expect_error(seq_fit(as.vector(x), y), "x must be a 3-d numeric array")
  expect_error(seq_fit(array(0, c(4, 2, 2, 2)), y[1:4]), "got an array with 4 dimensions")
  expect_error(seq_fit(array("a", c(4, 2, 2)), y[1:4]), "x must be numeric")
  expect_error(seq_fit(x[, 0, , drop = FALSE], y), "x has 0 time steps \\(T = 0")
  expect_error(seq_fit(x[0, , , drop = FALSE], y[0]), "x has 0 sequences")
  expect_error(seq_fit(x[, , 0, drop = FALSE], y), "x has 0 channels")
  expect_error(seq_fit(x, y[-1]), "y has 399 values but x has 400 sequences")
  bad <- x
  bad[3, 2, 4] <- NA
  expect_error(seq_fit(bad, y), "x contains missing or infinite values .* sequence 3, step 2, channel 'd'")
  expect_error(seq_fit(bad, y, lengths = rep(2, 400)), "sequence 3, step 2")
  expect_error(seq_fit(bad, y, lengths = rep(1, 400)), NA)
  expect_error(seq_fit(x, y, lengths = c(NaN, rep(5, 399))), "lengths contains NA/NaN \\(at position 1\\)")
  expect_error(seq_fit(x, y, lengths = c(rep(5, 399), NA)), "lengths contains NA/NaN \\(at position 400\\)")
  expect_error(seq_fit(x, y, lengths = rep(5, 10)), "lengths has 10 values but x has 400 sequences")
  expect_error(seq_fit(x, y, lengths = c(11, rep(5, 399))), "lengths must hold whole numbers in 1..10 .* lengths\\[1\\] is 11")
  expect_error(seq_fit(x, y, lengths = c(rep(5, 399), 0)), "lengths\\[400\\] is 0")
  expect_error(seq_fit(x, y, lengths = c(2.5, rep(5, 399))), "lengths\\[1\\] is 2.5")
  expect_error(seq_fit(x, y, lengths = rep(TRUE, 400)), "lengths must be NULL or a numeric vector")
  expect_error(seq_fit(x, y, lengths = as.character(rep(5, 400))), "lengths must be NULL or a numeric vector")
  expect_error(seq_fit(x, y, architecture = "gru"), "architecture must be one of 'lstm', 'conv', got 'gru'")
  expect_error(seq_fit(x, y, architecture = c("lstm", "conv")), "architecture must be one of 'lstm', 'conv'")
  expect_error(seq_fit(x, y, units = 0), "units must be a list of 1 to 64 integers in \\[1, 1048576\\]")
  expect_error(seq_fit(x, y, units = 2.5), "units must be a list of 1 to 64 integers in \\[1, 1048576\\]")
  expect_error(seq_fit(x, y, units = integer(0)), "units must be a list of 1 to 64 integers")
  expect_error(seq_fit(x, y, units = "8"), "units must be a list of 1 to 64 integers in \\[1, 1048576\\]")
  expect_error(seq_fit(x, y, units = rep(2, 65)), "units must be a list of 1 to 64 integers")
  expect_error(seq_fit(x, y, architecture = "conv", kernel_size = 4), "kernel_size must be odd for architecture='conv'")
  expect_error(seq_fit(x, y, architecture = "conv", kernel_size = 1027), "kernel_size must be an integer in \\[1, 1025\\]")
  expect_error(seq_fit(x, y, kernel_size = 0), "kernel_size must be an integer in \\[1, 1025\\]")
  expect_error(seq_fit(x, y, kernel_size = c(3, 5)), "kernel_size must be an integer in \\[1, 1025\\]")
  expect_error(seq_fit(x, y, pooling = "max"), "pooling must be one of 'auto', 'last', 'mean'")
  expect_error(seq_fit(x, y, hidden_layer_sizes = -1), "hidden_layer_sizes must be a list of at most 64 integers")
  expect_error(seq_fit(x, y, max_epochs = 2), "given twice: max_epochs")
  expect_error(scores_activation_sequence(x), "y is missing")

  # predict
  expect_error(predict(lstm_fit, lengths = 2), "lengths applies to newdata")
  expect_error(predict(lstm_fit, x[, , 1]), "newdata must be a 3-d numeric array")
  expect_error(predict(lstm_fit, unname(x[, , 1:4])), "newdata has 4 channels, but the model expects 5")
  expect_error(predict(lstm_fit, x[, , 1:4]), "newdata lacks the channel\\(s\\) e")
  expect_error(predict(lstm_fit, x[, 0, , drop = FALSE]), "newdata has 0 time steps")
  expect_error(predict(lstm_fit, x, lengths = rep(11, 400)), "lengths must hold whole numbers in 1..10")
  expect_error(predict(lstm_fit, x, lengths = c(NaN, rep(1, 399))), "lengths contains NA/NaN")
  expect_error(predict(lstm_fit, x, lengths = 1:3), "lengths has 3 values but newdata has 400 sequences")
  expect_error(predict(lstm_fit, bad), "newdata contains missing or infinite values")
  expect_error(predict(lstm_fit, x, lenghts = 3), "unknown argument")
  expect_error(predict(lstm_fit, x, type = "nonsense"))
  reg <- scores_activation_sequence(x[1:50, , ], rnorm(50), units = 2, max_epochs = 2, random_state = 1)
  expect_error(predict(reg, x, type = "class"), "only available for classification")
})

test_that("integrated gradients: completeness, zero at padding, class axis", {
  x <- cls$x[1:6, , ]
  lengths <- c(10, 3, 7, 10, 1, 5)
  logits <- function(fit, x, lengths) {
    log(predict(fit, x, lengths = lengths, type = "prob"))  # logits up to a per-row constant
  }
  for (fit in list(lstm_fit, conv_fit)) {
    ig <- explain(fit, x, lengths = lengths, target = "up", n_steps = 64)
    expect_identical(dim(ig), c(6L, 10L, 5L))
    expect_identical(dimnames(ig)[[3]], letters[1:5])
    for (i in seq_along(lengths)) {
      if (lengths[i] < 10) expect_true(all(ig[i, (lengths[i] + 1):10, ] == 0))
    }
    all_classes <- explain(fit, x, lengths = lengths, n_steps = 64)
    expect_identical(dim(all_classes), c(6L, 10L, 5L, 2L))
    expect_identical(dimnames(all_classes)[[4]], c("down", "up"))
    expect_identical(unname(all_classes[, , , "up"]), unname(ig), ignore_attr = "base_values")
    base <- attr(all_classes, "base_values")
    expect_identical(dim(base), c(6L, 2L))
    # completeness: the logit difference between the classes is what the attributions explain
    lp <- logits(fit, x, lengths)
    total <- apply(all_classes, c(1, 4), sum) + base
    # (the conv layers' relu has kinks on the path: quadrature converges slowly there)
    expect_equal(total[, "up"] - total[, "down"], lp[, "up"] - lp[, "down"],
                 tolerance = if (fit$sequence_params$architecture == "lstm") 1e-10 else 1e-2)
    expect_equal(unname(apply(ig, 1, sum) + attr(ig, "base_values")), unname(total[, "up"]), tolerance = 1e-12)
  }
  # regression: against the predicted values themselves, with baselines given as arrays
  reg <- make_sequences("regression", n = 200, steps = 6, seed = 5)
  fit <- scores_activation_sequence(reg$x, reg$y, units = 6, max_epochs = 10, random_state = 1)
  xs <- reg$x[1:4, , ]
  for (baseline in list("mean", "zeros", reg$x[5, , ], reg$x[5:8, , ])) {
    ig <- explain(fit, xs, "integrated_gradients", lengths = c(6, 2, 4, 6), baseline = baseline)
    expect_equal(unname(apply(ig, 1, sum) + attr(ig, "base_values")),
                 unname(predict(fit, xs, lengths = c(6, 2, 4, 6))), tolerance = 1e-6)
  }
  # gradients: zero at padding, times input = x * gradient
  g <- explain(fit, xs, "gradient", lengths = c(6, 2, 4, 6))
  gx <- explain(fit, xs, "gradient_times_input", lengths = c(6, 2, 4, 6))
  expect_null(attr(g, "base_values"))
  expect_true(all(g[2, 3:6, ] == 0))
  expect_equal(gx, g * xs, ignore_attr = TRUE)
  # the gradient matches finite differences
  h <- 1e-5
  up <- xs[1, , , drop = FALSE]
  up[1, 4, 2] <- up[1, 4, 2] + h
  down <- xs[1, , , drop = FALSE]
  down[1, 4, 2] <- down[1, 4, 2] - h
  expect_equal(unname(g[1, 4, 2]), unname((predict(fit, up) - predict(fit, down)) / (2 * h)), tolerance = 1e-5)
  expect_error(explain(fit, xs, baseline = reg$x[1:2, 1:3, ]), "baseline has 3 time steps, but newdata has 6")
  expect_error(explain(fit, xs, baseline = "median"), "baseline must be 'mean', 'zeros'")
  expect_error(explain(fit, xs, "gradient", n_steps = 10), "n_steps does not apply to method = 'gradient'")
  expect_error(explain(fit, xs, target = "up"), "regression model has a single output")
  expect_error(explain(fit, xs, method = "lrp"), "method must be one of")
  expect_error(explain(fit, xs, method = "deeplift", rule = "reveal_cancel"), "rule must be 'rescale'")
  expect_error(explain(fit, xs, rule = "rescale"), "rule does not apply to method = 'integrated_gradients'")
  expect_error(explain(lstm_fit, x, output = "probability"), "method = 'shapley' only")
})

test_that("DeepLIFT: completeness to rounding, zero at padding", {
  x <- cls$x[1:6, , ]
  lengths <- c(10, 3, 7, 10, 1, 5)
  for (fit in list(lstm_fit, conv_fit)) {
    for (baseline in list("mean", "zeros", cls$x[7:9, , ])) {
      dl <- explain(fit, x, "deeplift", lengths = lengths, baseline = baseline)
      expect_identical(dim(dl), c(6L, 10L, 5L, 2L))
      expect_true(all(dl[2, 4:10, , ] == 0))
      total <- apply(dl, c(1, 4), sum) + attr(dl, "base_values")
      lp <- log(predict(fit, x, lengths = lengths, type = "prob"))
      expect_equal(total[, "up"] - total[, "down"], lp[, "up"] - lp[, "down"], tolerance = 1e-9)
    }
  }
  imp <- global_importance(lstm_fit, x, method = "deeplift", target = "up")
  expect_named(imp, letters[1:5])
})

test_that("Shapley values over channels: efficiency, exact and sampled", {
  x <- cls$x[1:5, , ]
  background <- cls$x[101:120, , ]
  lengths <- c(10, 4, 7, 1, 10)
  for (fit in list(lstm_fit, conv_fit)) {
    sv <- explain(fit, x, "shapley", lengths = lengths, target = "up", output = "probability",
                  background = background)
    expect_identical(dim(sv), c(5L, 5L))
    expect_identical(colnames(sv), letters[1:5])
    p <- predict(fit, x, lengths = lengths, type = "prob")[, "up"]
    expect_equal(unname(rowSums(sv) + attr(sv, "base_values")), unname(p), tolerance = 1e-10)
    sampled <- explain(fit, x, "shapley", lengths = lengths, background = background, exact = FALSE,
                       n_permutations = 8, random_state = 3)
    expect_identical(dim(sampled), c(5L, 5L, 2L))
    again <- explain(fit, x, "shapley", lengths = lengths, background = background, exact = FALSE,
                     n_permutations = 8, random_state = 3)
    expect_identical(sampled, again)
    raw <- explain(fit, x, "shapley", lengths = lengths, background = background)
    total <- apply(raw, c(1, 3), sum) + attr(raw, "base_values")
    lp <- log(predict(fit, x, lengths = lengths, type = "prob"))
    expect_equal(total[, "up"] - total[, "down"], lp[, "up"] - lp[, "down"], tolerance = 1e-10)
    totals <- apply(sampled, c(1, 3), sum) + attr(sampled, "base_values")
    expect_equal(totals, total, tolerance = 1e-10)
  }
  expect_error(explain(lstm_fit, x, "shapley", exact = TRUE, n_permutations = 8), "does not apply to exact")
  expect_error(explain(lstm_fit, x, "shapley", baseline = "zeros"), "baseline does not apply")
  expect_error(explain(lstm_fit, x, "shapley", background = background[, , 1:3]), "background lacks the channel")
  expect_error(explain(lstm_fit, x, "shapley", n_permutations = 0), "n_permutations must be a positive")
})

test_that("global importance: scores, DeepACTIF, permutation and mean absolute attributions", {
  x <- cls$x[1:100, , ]
  y <- cls$y[1:100]
  expect_identical(global_importance(lstm_fit), scores(lstm_fit))
  for (fit in list(lstm_fit, conv_fit)) {
    for (hook in c("input", "encoder")) {
      for (aggregation in c("inv", "mean", "meanstd")) {
        imp <- global_importance(fit, x, method = "deepactif", hook = hook, aggregation = aggregation)
        expect_named(imp, letters[1:5])
        expect_true(all(is.finite(imp) & imp >= 0))
      }
    }
    # the input hook sees the gate: the relevant channels lead
    expect_setequal(names(sort(global_importance(fit, x, method = "deepactif", aggregation = "mean"),
                               decreasing = TRUE))[1:2], c("a", "c"))
    # mean is the default aggregation (chosen by measurement, docs/sequence.md)
    expect_identical(global_importance(fit, x, method = "deepactif"),
                     global_importance(fit, x, method = "deepactif", aggregation = "mean"))
    perm <- global_importance(fit, x, y, "permutation", n_repeats = 3, random_state = 1)
    expect_identical(perm, global_importance(fit, x, y, "permutation", n_repeats = 3, random_state = 1))
    expect_setequal(names(sort(perm, decreasing = TRUE))[1:2], c("a", "c"))
    ig <- global_importance(fit, x[1:10, , ], method = "integrated_gradients", n_steps = 16)
    values <- explain(fit, x[1:10, , ], n_steps = 16)
    expect_equal(unname(ig), unname(apply(apply(abs(values), c(1, 3, 4), sum), 2, mean)), tolerance = 1e-12)
    sv <- global_importance(fit, x[1:5, , ], method = "shapley", target = "up", background = x[1:10, , ])
    expect_named(sv, letters[1:5])
  }
  lengths <- sample(3:10, 100, replace = TRUE)
  expect_length(global_importance(lstm_fit, x, method = "deepactif", lengths = lengths), 5L)
  expect_length(global_importance(lstm_fit, x, y, "permutation", lengths = lengths, random_state = 1), 5L)
  expect_error(global_importance(lstm_fit, x, method = "deepactif", hook = "output"), "hook must be one of")
  expect_error(global_importance(lstm_fit, x, method = "deepactif", aggregation = "max"), "aggregation must be one of")
  expect_error(global_importance(lstm_fit, x, y, "permutation", hook = "input"), "only applies to method = 'deepactif'")
  expect_error(global_importance(lstm_fit, x, method = "deepactif", n_repeats = 2), "n_repeats does not apply")
  expect_error(global_importance(lstm_fit, x, method = "permutation"), "needs y")
  expect_error(global_importance(lstm_fit, x, y[-1], "permutation"), "one value per sequence of newdata \\(100\\)")
  expect_error(global_importance(lstm_fit, method = "deepactif"), "needs newdata")
  expect_error(global_importance(lstm_fit, method = "scores", random_state = 1), "does not apply")
})
