#' A caret model for scores_activation()
#'
#' The model list \pkg{caret} takes as a custom \code{method}, so that
#' \code{caret::train()} tunes, resamples and compares a ScoresActivation
#' network like any of its built-in models, and \code{caret::varImp()} reads
#' the learned feature scores.
#'
#' Tuned: \code{snr_budget} (the \code{"snr"} gate's budget per feature),
#' \code{learning_rate} and \code{weight_decay}. The default grid
#' (\code{tuneLength}) varies the budget first, the one parameter that changes
#' the ranking most; random search draws all three on a log scale. Every
#' other argument of \code{\link{scores_activation}} (\code{max_epochs},
#' \code{random_state}, \code{n_threads}, ...) is passed through
#' \code{train(...)}; caret's case weights become \code{weights}.
#' \code{varImp} gives the scores times 100 (caret then rescales them to
#' 0-100 unless \code{scale = FALSE}).
#'
#' @return A list in caret's custom-model format (\code{label},
#'   \code{library}, \code{type}, \code{parameters}, \code{grid},
#'   \code{fit}, \code{predict}, \code{prob}, \code{varImp},
#'   \code{predictors}, \code{levels}, \code{sort}).
#' @seealso \code{\link{scores_activation}}; caret's "Using your own model"
#'   chapter.
#' @examples
#' if (requireNamespace("caret", quietly = TRUE)) {
#'   tuned <- caret::train(Species ~ ., data = iris, method = scores_activation_caret(),
#'                         tuneLength = 2,
#'                         trControl = caret::trainControl(method = "cv", number = 3),
#'                         max_epochs = 40, random_state = 1, n_threads = 2)
#'   tuned$bestTune
#'   caret::varImp(tuned, scale = FALSE)
#' }
#' @export
scores_activation_caret <- function() {
  budgets <- c(1.5, 0.75, 3, 0.4, 6)
  list(
    label = "ScoresActivation network",
    library = "scoresactivation",
    type = c("Classification", "Regression"),
    parameters = data.frame(parameter = c("snr_budget", "learning_rate", "weight_decay"),
                            class = rep("numeric", 3L),
                            label = c("SNR budget per feature", "Learning rate", "Weight decay")),
    grid = function(x, y, len = NULL, search = "grid") {
      len <- if (is.null(len)) 1L else len
      if (search == "grid") {
        data.frame(snr_budget = budgets[seq_len(min(len, length(budgets)))], learning_rate = 2e-3,
                   weight_decay = 0.1)
      } else {
        data.frame(snr_budget = exp(stats::runif(len, log(0.3), log(8))),
                   learning_rate = exp(stats::runif(len, log(3e-4), log(1e-2))),
                   weight_decay = exp(stats::runif(len, log(1e-3), log(1))))
      }
    },
    fit = function(x, y, wts, param, lev, last, weights, classProbs, ...) {
      scores_activation(as.matrix(x), y, snr_budget = param$snr_budget, learning_rate = param$learning_rate,
                        weight_decay = param$weight_decay, weights = wts, ...)
    },
    predict = function(modelFit, newdata, submodels = NULL) {
      out <- stats::predict(modelFit, as.matrix(newdata))
      if (is.factor(out)) as.character(out) else unname(out)
    },
    prob = function(modelFit, newdata, submodels = NULL) {
      as.data.frame(stats::predict(modelFit, as.matrix(newdata), type = "prob"))
    },
    varImp = function(object, ...) {
      w <- scores(object)
      data.frame(Overall = unname(w) * 100, row.names = names(w))
    },
    predictors = function(x, ...) x$feature_names,
    levels = function(x) if (identical(x$task, "classification")) as.character(x$classes) else NULL,
    # From the simplest model: the tightest budget first.
    sort = function(x) x[order(x$snr_budget, x$weight_decay), , drop = FALSE]
  )
}
