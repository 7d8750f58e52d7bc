#' Predict with a ScoresActivation network
#'
#' The C++ estimator is rebuilt from the fitted state on each call, so models
#' restored with \code{readRDS} or \code{\link{load_model}} predict as the
#' original did (bit for bit on the same kernel).
#'
#' @param object A fit from \code{\link{scores_activation}} or
#'   \code{\link{load_model}}.
#' @param newdata A data.frame or numeric matrix; omitted, the fitted values
#'   (of the training rows, as \code{\link[=fitted.scores_activation]{fitted}}).
#'   For a formula fit, the
#'   variables of the formula are looked up by name. Otherwise, when the model
#'   knows its feature names and \code{newdata} has column names, the columns
#'   are matched by name (extra columns are ignored); without names
#'   \code{newdata} must have exactly the training columns, in order.
#' @param type \code{"class"} (a factor; the default for classification),
#'   \code{"prob"} (a matrix of class probabilities, one column per class) or
#'   \code{"response"} (the default for regression: the predicted values; for
#'   classification the same as \code{"prob"}).
#' @param ... Unused.
#' @return A factor, a probability matrix or a numeric vector, one entry (row)
#'   per row of \code{newdata}.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' head(predict(fit, iris))
#' head(predict(fit, iris, type = "prob"))
#' @export
predict.scores_activation <- function(object, newdata, type = c("class", "prob", "response"), ...) {
  .check_fit(object)
  type <- .prediction_type(object, type, missing(type))
  if (missing(newdata) || is.null(newdata)) return(.fitted_prediction(object, type))
  x <- .newdata_matrix(object, newdata)
  rn <- rownames(x)  # (the core ignores dimnames: x goes over as it is, without a copy)
  out <- .core(sa_predict(.core_params_of(object), .core_state(object), x,
                          if (identical(object$task, "classification")) "proba" else "decision"))
  .format_prediction(object, out, type, rn)
}

# The type of predict(): "class" or "response" by default; "class" and
# "prob" for classifiers only. Shared by the tabular and sequence models.
.prediction_type <- function(object, type, type_missing) {
  classification <- identical(object$task, "classification")
  type <- if (type_missing) {
    if (classification) "class" else "response"
  } else {
    match.arg(type, c("class", "prob", "response"))
  }
  if (!classification && type != "response") {
    .stop("type = '", type, "' is only available for classification; use type = 'response'")
  }
  type
}

# The core's outputs (probabilities, or regression values) as predict()
# returns them: a factor, a probability matrix or a numeric vector, named by
# rn (the rows of newdata).
.format_prediction <- function(object, out, type, rn) {
  if (!identical(object$task, "classification")) {
    out <- out[, 1L]
    names(out) <- rn
    return(out)
  }
  classes <- as.character(object$classes)
  if (type == "class") {
    pred <- factor(classes[max.col(out, ties.method = "first")], levels = classes)
    names(pred) <- rn
    return(pred)
  }
  dimnames(out) <- list(rn, classes)
  out
}

# newdata -> the model's feature matrix (finite doubles), or an error naming
# the argument (arg: "newdata", or "baseline", "background", ... for the
# other data arguments of explain() and the metrics).
.newdata_matrix <- function(object, newdata, arg = "newdata") {
  d <- object$n_features
  names <- object$feature_names
  if (!is.null(object$variables) && is.list(newdata)) {
    # Categorical variables (R/categorical.R): a data.frame (or list) of the
    # variables, through the formula's terms when the model has them.
    cols <- newdata
    if (!is.null(object$terms)) {
      tt <- .formula_columns_checked(object, newdata, arg)
      mf <- tryCatch(stats::model.frame(tt, newdata, na.action = stats::na.pass),
                     error = function(e) .stop(arg, ": ", conditionMessage(e)))
      cols <- .predictor_columns(tt, mf)
    }
    x <- .encode_variables(cols, object$variables, object$params$handle_unknown %||% "error", arg)
    return(.as_feature_matrix(x, arg))
  }
  if (!is.null(object$terms) && is.null(object$variables)) {
    if (is.matrix(newdata)) newdata <- as.data.frame(newdata)
    if (!is.data.frame(newdata) && !is.list(newdata)) {
      .stop(arg, " must be a data.frame holding the variables of the formula")
    }
    tt <- .formula_columns_checked(object, newdata, arg)
    mf <- tryCatch(
      stats::model.frame(tt, newdata, na.action = stats::na.pass, xlev = object$xlevels),
      error = function(e) .stop(arg, ": ", conditionMessage(e))
    )
    x <- tryCatch(
      stats::model.matrix(tt, mf, contrasts.arg = object$contrasts),
      error = function(e) .stop(arg, ": ", conditionMessage(e))
    )
    x <- x[, colnames(x) != "(Intercept)", drop = FALSE]
    attr(x, "assign") <- NULL
    attr(x, "contrasts") <- NULL
    if (is.data.frame(newdata) && is.integer(attr(newdata, "row.names"))) rownames(x) <- NULL
    if (!is.null(names) && !identical(colnames(x), names)) {
      .stop(arg, " gives the columns ", paste(colnames(x), collapse = ", "),
            " but the model was fitted on ", paste(names, collapse = ", "))
    }
    return(.as_feature_matrix(x, arg))
  }
  if (is.null(dim(newdata)) && !is.data.frame(newdata)) {
    if ((is.numeric(newdata) || is.logical(newdata)) && length(newdata) == d && d > 1L) {
      newdata <- matrix(newdata, nrow = 1L, dimnames = list(NULL, names(newdata)))
    }
  }
  cols <- colnames(newdata)
  if (!is.null(names) && !is.null(cols)) {
    absent <- setdiff(names, cols)
    if (length(absent)) {
      .stop(arg, " lacks the column(s) ", paste(utils::head(absent, 10L), collapse = ", "),
            " that the model was fitted on")
    }
    newdata <- newdata[, names, drop = FALSE]
  }
  x <- .as_feature_matrix(newdata, arg)
  if (ncol(x) != d) {
    .stop(arg, " has ", ncol(x), " columns, but the model expects ", d)
  }
  x
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# The terms without the response, after checking that newdata holds the
# variables of the formula.
.formula_columns_checked <- function(object, newdata, arg) {
  if (!is.data.frame(newdata) && !is.list(newdata)) {
    .stop(arg, " must be a data.frame holding the variables of the formula")
  }
  tt <- stats::delete.response(object$terms)
  vars <- all.vars(tt)
  missing_vars <- setdiff(vars, names(newdata))
  missing_vars <- missing_vars[!vapply(missing_vars, exists, logical(1),
                                       envir = environment(tt) %||% globalenv())]
  if (length(missing_vars)) {
    .stop(arg, " lacks the column(s) ", paste(missing_vars, collapse = ", "),
          " used by the model's formula")
  }
  tt
}
