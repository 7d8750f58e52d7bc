# At most 2 threads in the tests (CRAN's limit): n_threads = NULL, the
# default, resolves to min(cores, 2) while _R_CHECK_LIMIT_CORES_ is set, as
# R CMD check --as-cran sets it.
if (!nzchar(Sys.getenv("_R_CHECK_LIMIT_CORES_"))) Sys.setenv("_R_CHECK_LIMIT_CORES_" = "TRUE")

# Synthetic data sets with known relevant features (f1..f5 of f1..f10).
make_classification_data <- function(n = 600, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * 10), n, 10, dimnames = list(NULL, paste0("f", 1:10)))
  logit <- 1.5 * x[, 1] - 1.5 * x[, 2] + 1.5 * x[, 3] + 2 * x[, 4] * x[, 5] + 1.5 * sin(2 * x[, 4])
  y <- factor(ifelse(logit + rnorm(n, sd = 0.5) > 0, "a", "b"))
  list(x = x, y = y)
}

# Friedman #1 with 5 noise columns.
make_regression_data <- function(n = 600, seed = 1) {
  set.seed(seed)
  x <- matrix(runif(n * 10), n, 10, dimnames = list(NULL, paste0("f", 1:10)))
  y <- 10 * sin(pi * x[, 1] * x[, 2]) + 20 * (x[, 3] - 0.5)^2 + 10 * x[, 4] + 5 * x[, 5] + rnorm(n)
  list(x = x, y = y)
}

# A quick iris fit, shared by several tests.
quick_iris_fit <- function(...) {
  scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 30, ...)
}

rscript <- function() file.path(R.home("bin"), "Rscript")
