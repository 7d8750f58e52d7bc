# The golden files of tests/fixtures (written by the Python package, checked
# by the C++, Python and R suites); tests/testthat/fixtures links to them.

read_fixture_data <- function(task) {
  d <- utils::read.csv(test_path("fixtures", paste0(task, "_data.csv")), stringsAsFactors = FALSE)
  list(x = as.matrix(d[, setdiff(names(d), "y")]), y = d$y)
}

read_expected <- function(task) {
  jsonlite::parse_json(paste(readLines(test_path("fixtures", paste0(task, "_expected.json")), warn = FALSE),
                             collapse = "\n"))
}

fit_like_fixture <- function(data, expected) {
  p <- expected$params
  scores_activation(data$x, data$y, hidden_layer_sizes = unlist(p$hidden_layer_sizes),
                    max_epochs = p$max_epochs, batch_size = p$batch_size, random_state = p$random_state,
                    kernel = p$kernel, n_threads = p$n_threads)
}

test_that("the saved classification fixture loads and predicts as stored", {
  skip_if_not(file.exists(test_path("fixtures", "classification_model.json")))
  data <- read_fixture_data("classification")
  expected <- read_expected("classification")
  model <- load_model(test_path("fixtures", "classification_model.json"))
  expect_identical(model$task, "classification")
  prob <- predict(model, data$x, type = "prob")
  expect_equal(unname(prob), do.call(rbind, lapply(expected$predict_proba, as.double)), tolerance = 1e-12)
  expect_identical(as.character(predict(model, data$x)), as.character(unlist(expected$predict)))
  expect_equal(unname(scores(model)), as.double(unlist(expected$scores)), tolerance = 1e-12)
})

test_that("the saved regression fixture loads and predicts as stored", {
  skip_if_not(file.exists(test_path("fixtures", "regression_model.json")))
  data <- read_fixture_data("regression")
  expected <- read_expected("regression")
  model <- load_model(test_path("fixtures", "regression_model.json"))
  expect_equal(unname(predict(model, data$x)), as.double(unlist(expected$predict)), tolerance = 1e-12)
  expect_equal(unname(scores(model)), as.double(unlist(expected$scores)), tolerance = 1e-12)
})

test_that("training in R with the fixture's data, hyperparameters and seed gives Python's model", {
  skip_if_not(file.exists(test_path("fixtures", "classification_expected.json")))
  for (task in c("classification", "regression")) {
    data <- read_fixture_data(task)
    expected <- read_expected(task)
    fit <- fit_like_fixture(data, expected)
    expect_identical(fit$n_epochs_run, as.integer(expected$n_epochs_run))
    w <- scores(fit)
    expect_equal(unname(w), as.double(unlist(expected$scores)), tolerance = 1e-6)
    expect_identical(unname(order(-w)), order(-as.double(unlist(expected$scores))))
    # The fitted arrays agree with the saved model to rounding (R's Eigen is
    # 3.3 from RcppEigen, Python's is the system's 3.4).
    model <- load_model(test_path("fixtures", paste0(task, "_model.json")))
    for (name in names(model$arrays)) {
      expect_equal(fit$arrays[[name]], model$arrays[[name]], tolerance = 1e-9, info = name)
    }
  }
})

# tests/fixtures/v1: files of format_version 1, written before the snr gate by
# the scale gate without refinement, with the defaults of that time.
read_v1 <- function(task) {
  list(data = read_fixture_data(task),
       expected = jsonlite::parse_json(paste(readLines(test_path("fixtures", "v1", paste0(task, "_expected.json")),
                                                       warn = FALSE), collapse = "\n")),
       model = load_model(test_path("fixtures", "v1", paste0(task, "_model.json"))))
}

test_that("version-1 model files load as scale-gate models and predict as stored", {
  skip_if_not(file.exists(test_path("fixtures", "v1", "classification_model.json")))
  for (task in c("classification", "regression")) {
    v1 <- read_v1(task)
    expect_identical(v1$model$params$gate, "scale")
    expect_identical(v1$model$params$refine_epochs, 0L)
    if (task == "classification") {
      prob <- predict(v1$model, v1$data$x, type = "prob")
      expect_equal(unname(prob), do.call(rbind, lapply(v1$expected$predict_proba, as.double)), tolerance = 1e-12)
    } else {
      expect_equal(unname(predict(v1$model, v1$data$x)), as.double(unlist(v1$expected$predict)), tolerance = 1e-12)
    }
  }
})

test_that("the paper's formulation is reachable through parameters: a version-1 model refits to its scores", {
  skip_if_not(file.exists(test_path("fixtures", "v1", "classification_model.json")))
  for (task in c("classification", "regression")) {
    v1 <- read_v1(task)
    fit <- do.call(scores_activation, c(list(v1$data$x, v1$data$y), v1$model$params))
    expect_identical(fit$n_epochs_run, as.integer(v1$expected$n_epochs_run))
    expect_equal(unname(scores(fit)), as.double(unlist(v1$expected$scores)), tolerance = 1e-6)
  }
})

test_that("saved documents are version 2 and carry the gate's params", {
  doc <- jsonlite::read_json(test_path("fixtures", "classification_model.json"))
  expect_identical(doc$format_version, 2L)
  expect_identical(doc$params$gate, "snr")
  expect_identical(doc$params$refine_epochs, 20L)
})

# ------------------------------------------------------------------ sequences
# tests/fixtures/sequence_*: an LSTM classifier on ragged sequences and a conv
# regressor on fixed-length ones (format version 3, written by Python's
# make_fixtures.py). Loaded, never refitted.

read_sequence_fixture <- function(task) {
  expected <- read_expected(paste0("sequence_", task))
  d <- utils::read.csv(test_path("fixtures", paste0("sequence_", task, "_data.csv")), stringsAsFactors = FALSE)
  steps <- expected$n_steps
  channels <- expected$n_channels
  x <- array(NA_real_, c(nrow(d), steps, channels))
  for (t in seq_len(steps)) {
    for (ch in seq_len(channels)) x[, t, ch] <- d[[sprintf("x%d_%d", t - 1L, ch - 1L)]]
  }
  list(x = x, lengths = if (isTRUE(expected$ragged)) d$length else NULL, y = d$y, expected = expected)
}

test_that("the saved sequence classifier (LSTM, ragged) loads and predicts as stored", {
  skip_if_not(file.exists(test_path("fixtures", "sequence_classification_model.json")))
  f <- read_sequence_fixture("classification")
  expect_true(anyNA(f$x))  # NaN past each sequence's length, which must be ignored
  expect_lt(min(f$lengths), dim(f$x)[2])
  model <- load_model(test_path("fixtures", "sequence_classification_model.json"))
  expect_s3_class(model, "scores_activation_sequence")
  expect_identical(model$task, "classification")
  expect_identical(model$sequence_params$architecture, "lstm")
  expect_identical(model$n_epochs_run, as.integer(f$expected$n_epochs_run))
  prob <- predict(model, f$x, lengths = f$lengths, type = "prob")
  expect_equal(unname(prob), do.call(rbind, lapply(f$expected$predict_proba, as.double)), tolerance = 1e-12)
  expect_identical(as.character(predict(model, f$x, lengths = f$lengths)), as.character(unlist(f$expected$predict)))
  expect_equal(unname(scores(model)), as.double(unlist(f$expected$scores)), tolerance = 1e-12)
})

test_that("the saved sequence regressor (conv, fixed length) loads and predicts as stored", {
  skip_if_not(file.exists(test_path("fixtures", "sequence_regression_model.json")))
  f <- read_sequence_fixture("regression")
  expect_null(f$lengths)
  model <- load_model(test_path("fixtures", "sequence_regression_model.json"))
  expect_s3_class(model, "scores_activation_sequence")
  expect_identical(model$sequence_params$architecture, "conv")
  expect_identical(as.integer(model$sequence_params$kernel_size), 3L)
  expected <- as.double(unlist(f$expected$predict))
  expect_equal(unname(predict(model, f$x)), expected, tolerance = 1e-12)
  expect_equal(unname(predict(model, f$x, lengths = rep(dim(f$x)[2], dim(f$x)[1]))), expected, tolerance = 1e-12)
  expect_equal(unname(scores(model)), as.double(unlist(f$expected$scores)), tolerance = 1e-12)
})

test_that("loading then saving a sequence fixture gives back its document", {
  skip_if_not(file.exists(test_path("fixtures", "sequence_classification_model.json")))
  for (task in c("classification", "regression")) {
    source_path <- test_path("fixtures", paste0("sequence_", task, "_model.json"))
    path <- tempfile(fileext = ".json")
    save_model(load_model(source_path), path)
    doc <- jsonlite::read_json(source_path)
    again <- jsonlite::read_json(path)
    unlink(path)
    # The writer stamps its own library_version and format_version (the
    # fixture is version 3; later versions leave sequence documents unchanged).
    expect_identical(doc$format_version, 3L)
    expect_gte(again$format_version, 3L)
    doc$library_version <- doc$format_version <- NULL
    again$library_version <- again$format_version <- NULL
    # Params are an object (order free); "verbose" is the Python front end's
    # own param, which R reads and does not write.
    expect_identical(doc$params$verbose, 0L)
    doc$params$verbose <- NULL
    doc$params <- doc$params[order(names(doc$params))]
    again$params <- again$params[order(names(again$params))]
    # tolerance = 0: the same numbers to the bit (integers and doubles compare by value)
    expect_equal(again, doc, tolerance = 0, info = task)
  }
})

test_that("sequence documents are version 3 with the sequence params", {
  for (task in c("classification", "regression")) {
    doc <- jsonlite::read_json(test_path("fixtures", paste0("sequence_", task, "_model.json")))
    expect_identical(doc$format_version, 3L)
    expect_identical(doc$estimator, if (task == "classification") "ScoresActivationSequenceClassifier"
                                    else "ScoresActivationSequenceRegressor")
  }
})

# ----------------------------------------------------------------------- SENN
# tests/fixtures/senn_*: a SENN classifier (3 classes, snr gate, tanh theta of
# one hidden layer, robustness penalty) and a SENN regressor without the gate
# (format version 4, written by Python's make_fixtures.py senn). Loaded, never
# refitted. expected$theta and $contributions are [row][output][feature].

senn_per_output <- function(values, k) {
  do.call(rbind, lapply(values, function(row) as.double(unlist(row[[k]]))))
}

# An explanation's numbers only (explain's dimnames and "base_values" attribute dropped).
plain <- function(m) {
  m <- as.matrix(m)
  array(as.double(m), dim(m))
}

test_that("the saved SENN classifier loads, predicts and explains as stored", {
  skip_if_not(exists("senn", asNamespace("scoresactivation")), "SENN not in this R build")
  skip_if_not(file.exists(test_path("fixtures", "senn_classification_model.json")))
  data <- read_fixture_data("senn_classification")
  expected <- read_expected("senn_classification")
  model <- load_model(test_path("fixtures", "senn_classification_model.json"))
  expect_s3_class(model, "senn")
  expect_identical(model$task, "classification")
  expect_gt(model$senn_params$robustness_penalty, 0)
  expect_identical(model$n_epochs_run, as.integer(expected$n_epochs_run))
  expect_equal(unname(scores(model)), as.double(unlist(expected$scores)), tolerance = 1e-12)
  prob <- predict(model, data$x, type = "prob")
  expect_equal(unname(prob), do.call(rbind, lapply(expected$predict_proba, as.double)), tolerance = 1e-12)
  expect_identical(as.character(predict(model, data$x)), as.character(unlist(expected$predict)))
  expect_length(unique(unlist(expected$predict)), 3L)
  expect_equal(unname(predict(model, data$x, type = "link")), do.call(rbind, lapply(expected$decision, as.double)),
               tolerance = 1e-12)
  b <- as.double(unlist(expected$base_values))
  expect_equal(unname(base_values(model)), b, tolerance = 1e-12)
  classes <- as.character(unlist(model$classes))
  for (k in seq_along(classes)) {
    theta <- explain(model, data$x, "theta", target = classes[k])
    expect_equal(plain(theta), senn_per_output(expected$theta, k), tolerance = 1e-12, info = classes[k])
    ct <- explain(model, data$x, "contributions", target = classes[k])
    expect_equal(plain(ct), senn_per_output(expected$contributions, k), tolerance = 1e-12,
                 info = classes[k])
    expect_equal(as.double(attr(ct, "base_values")), b[k], tolerance = 1e-12)
  }
  # Every class at once: (n, d, n_classes), as Python's explain.
  all <- explain(model, data$x, "contributions")
  expect_identical(dim(all), c(nrow(data$x), ncol(data$x), length(classes)))
  expect_equal(unname(all[, , 2]), senn_per_output(expected$contributions, 2), tolerance = 1e-12)
})

test_that("the saved SENN regressor (no gate) loads, predicts and explains as stored", {
  skip_if_not(exists("senn", asNamespace("scoresactivation")), "SENN not in this R build")
  skip_if_not(file.exists(test_path("fixtures", "senn_regression_model.json")))
  data <- read_fixture_data("senn_regression")
  expected <- read_expected("senn_regression")
  model <- load_model(test_path("fixtures", "senn_regression_model.json"))
  expect_s3_class(model, "senn")
  expect_false(model$params$scores_layer)
  expect_null(expected$scores)
  expect_error(scores(model), "scores_layer")
  expect_equal(unname(predict(model, data$x)), as.double(unlist(expected$predict)), tolerance = 1e-12)
  b <- as.double(unlist(expected$base_values))
  expect_equal(unname(base_values(model)), b, tolerance = 1e-12)
  expect_equal(plain(explain(model, data$x, "theta")), senn_per_output(expected$theta, 1),
               tolerance = 1e-12)
  ct <- explain(model, data$x, "contributions")
  expect_equal(plain(ct), senn_per_output(expected$contributions, 1), tolerance = 1e-12)
  expect_equal(rowSums(plain(ct)) + b, as.double(unlist(expected$predict)), tolerance = 1e-10)
})

test_that("loading then saving a SENN fixture gives back its document", {
  skip_if_not(exists("senn", asNamespace("scoresactivation")), "SENN not in this R build")
  skip_if_not(file.exists(test_path("fixtures", "senn_classification_model.json")))
  for (task in c("classification", "regression")) {
    source_path <- test_path("fixtures", paste0("senn_", task, "_model.json"))
    path <- tempfile(fileext = ".json")
    save_model(load_model(source_path), path)
    doc <- jsonlite::read_json(source_path)
    again <- jsonlite::read_json(path)
    unlink(path)
    expect_identical(doc$format_version, 4L)
    expect_gte(again$format_version, 4L)
    doc$library_version <- doc$format_version <- NULL
    again$library_version <- again$format_version <- NULL
    expect_identical(doc$params$verbose, 0L)
    doc$params$verbose <- NULL
    doc$params <- doc$params[order(names(doc$params))]
    again$params <- again$params[order(names(again$params))]
    expect_equal(again, doc, tolerance = 0, info = task)
  }
})
