# What a fit keeps of its training rows, as lm() and glm() do, for
# predict() without newdata, fitted(), residuals() and nobs(): the core's
# outputs on the training rows (class probabilities, or regression values;
# SENN classifiers also their logits, for type = "link"), the response, the
# number of rows used and the na.action of the formula methods. A model read
# by load_model() keeps none of it (the model file holds the model only).

# fit with $training set; outputs(kind) runs the core on the training rows
# ("proba" or "decision"); rows their names; y the response as given.
.keep_training <- function(fit, outputs, rows, y, weights) {
  classification <- identical(fit$task, "classification")
  fit$training <- list(
    outputs = outputs(if (classification) "proba" else "decision"),
    link = if (classification && .is_senn(fit)) outputs("decision"),
    rows = rows,
    y = y,
    nobs = if (length(weights)) sum(weights > 0) else length(y)
  )
  fit
}

# The training record, or an error saying why there is none.
.training_of <- function(object, what) {
  if (is.null(object$training)) {
    .stop(what, " needs the fitted values, which a model read by load_model() or trained by partial_fit() ",
          "does not keep; pass newdata (e.g. the training data)")
  }
  object$training
}

# predict() without newdata: the fitted values as predict(newdata = the
# training rows) would give them, padded with NA for rows that na.exclude
# set aside.
.fitted_prediction <- function(object, type) {
  tr <- .training_of(object, "predict() without newdata")
  out <- if (identical(type, "link")) {
    l <- tr$link
    dimnames(l) <- list(tr$rows, as.character(object$classes))
    l
  } else {
    .format_prediction(object, tr$outputs, type, tr$rows)
  }
  stats::napredict(object$na.action, out)
}

#' Fitted values, residuals and the number of observations
#'
#' As for \code{lm} and \code{glm}: the model's outputs on its training rows,
#' the residuals, and the number of rows used. A fit keeps them (one forward
#' pass over the training rows at the end of the fit); a model read by
#' \code{\link{load_model}} does not, and these functions then ask for
#' \code{newdata}. Rows that \code{na.action = na.exclude} set aside are
#' \code{NA} in the results; with \code{na.omit} they are left out.
#'
#' @param object A fit from \code{\link{scores_activation}},
#'   \code{\link{senn}} or \code{\link{scores_activation_sequence}}.
#' @param type \code{"response"}: for regression \eqn{y - \hat y}; for
#'   classification the matrix of \eqn{1[y = k] - \hat p_k}, one column per
#'   class.
#' @param ... Unused.
#' @return \code{fitted}: the predicted values (regression) or the class
#'   probability matrix (classification), as \code{predict(object, type =
#'   "prob")}. \code{residuals}: a vector or matrix of the same shape.
#'   \code{nobs}: the number of training rows used (with weights, those with
#'   a positive weight).
#' @examples
#' fit <- scores_activation(mpg ~ ., data = mtcars, max_epochs = 40,
#'                          random_state = 1, n_threads = 2)
#' head(fitted(fit))
#' head(residuals(fit))
#' nobs(fit)
#' cls <- scores_activation(Species ~ ., data = iris, max_epochs = 40,
#'                          random_state = 1, n_threads = 2)
#' head(residuals(cls))
#' @name fitted.scores_activation
#' @importFrom stats fitted residuals nobs
#' @export
fitted.scores_activation <- function(object, ...) {
  .no_extra_args(...)
  .fitted_prediction(object, if (identical(object$task, "classification")) "prob" else "response")
}

#' @rdname fitted.scores_activation
#' @export
residuals.scores_activation <- function(object, type = "response", ...) {
  .no_extra_args(...)
  type <- .choice(type, "response", "type")
  tr <- .training_of(object, "residuals()")
  if (identical(object$task, "classification")) {
    p <- .format_prediction(object, tr$outputs, "prob", tr$rows)
    observed <- outer(as.character(tr$y), colnames(p), "==") + 0
    res <- observed - p
  } else {
    res <- as.numeric(tr$y) - .format_prediction(object, tr$outputs, "response", tr$rows)
  }
  stats::naresid(object$na.action, res)
}

#' @rdname fitted.scores_activation
#' @export
nobs.scores_activation <- function(object, ...) {
  .no_extra_args(...)
  .training_of(object, "nobs()")$nobs
}

# weights, with sample_weight as its alias (the Python name): one of them.
.weights_arg <- function(weights, sample_weight) {
  if (!is.null(weights) && !is.null(sample_weight)) {
    .stop("pass weights or sample_weight (its alias), not both")
  }
  if (is.null(weights)) sample_weight else weights
}
