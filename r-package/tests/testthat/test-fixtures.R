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
