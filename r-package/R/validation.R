# validation_data: rows early stopping watches instead of holding out
# validation_fraction of the training rows (the core's ValidationInput,
# core/include/scoresactivation/training.hpp), as the Python package's
# fit(validation_data = (X_val, y_val[, w_val])). The rows are read as
# predict() reads newdata (R/predict.R: the same column matching and
# categorical encoding, handle_unknown included), the response as the
# training response (class labels mapped onto the training classes), the
# weights as the training weights (class_weight applies to them too). The
# core puts them on the training rows' scale and records the validation loss
# and score (accuracy, or R^2) of each epoch: arrays$validation_loss_curve
# and arrays$validation_score_curve.

# An error raised while reading validation_data, prefixed with its name.
.in_validation_data <- function(expr) {
  tryCatch(expr, error = function(e) {
    msg <- conditionMessage(e)
    if (startsWith(msg, "validation_data")) .stop(msg)
    .stop("validation_data: ", msg)
  })
}

.validation_form <- function(sequences) {
  if (sequences) {
    "list(x = <array of dim c(n, T, C)>, y = <vector or factor>), with optional weights (or sample_weight) and lengths"
  } else {
    "list(x = <matrix or data.frame>, y = <vector or factor>), with optional weights (or sample_weight)"
  }
}

# validation_data of the x/y interfaces -> list(x, y, weights, lengths), or
# NULL. Named elements (x, y, weights or sample_weight, and for sequences
# lengths), or unnamed ones in that order (Python's tuple).
.validation_parts <- function(validation_data, sequences = FALSE) {
  if (is.null(validation_data)) return(NULL)
  form <- .validation_form(sequences)
  if (!is.list(validation_data) || is.data.frame(validation_data)) {
    .stop("validation_data must be ", form, "; got ",
          if (is.data.frame(validation_data)) {
            "a data.frame (a data.frame of the variables, response included, is the formula interface's validation_data)"
          } else {
            paste("an object of class", paste(class(validation_data), collapse = "/"))
          })
  }
  fields <- c("x", "y", "weights", if (sequences) "lengths")
  nm <- names(validation_data)
  if (is.null(nm)) {
    if (length(validation_data) < 2L || length(validation_data) > length(fields)) {
      .stop("validation_data must be ", form, "; got an unnamed list of ", length(validation_data), " element",
            if (length(validation_data) != 1L) "s")
    }
    parts <- stats::setNames(vector("list", length(fields)), fields)
    for (i in seq_along(validation_data)) {
      if (!is.null(validation_data[[i]])) parts[[fields[i]]] <- validation_data[[i]]
    }
    return(parts)
  }
  if (anyNA(nm) || any(!nzchar(nm))) {
    .stop("validation_data: name every element (", paste(fields, collapse = ", "), ") or none")
  }
  known <- c(fields, "sample_weight")
  unknown <- setdiff(nm, known)
  if (length(unknown)) {
    .stop("validation_data has unknown element(s) ", paste(unknown, collapse = ", "), "; it takes ",
          paste(known, collapse = ", "))
  }
  twice <- unique(nm[duplicated(nm)])
  if (length(twice)) .stop("validation_data has element(s) given twice: ", paste(twice, collapse = ", "))
  if (all(c("weights", "sample_weight") %in% nm)) {
    .stop("validation_data: pass weights or sample_weight (its alias), not both")
  }
  for (need in c("x", "y")) {
    if (!need %in% nm || is.null(validation_data[[need]])) .stop("validation_data lacks ", need, "; it must be ", form)
  }
  list(x = validation_data$x, y = validation_data$y,
       weights = if (is.null(validation_data$weights)) validation_data$sample_weight else validation_data$weights,
       lengths = validation_data$lengths)
}

# validation_data of the formula interfaces (a data.frame holding the
# formula's variables, response included, or list(data = <data.frame>,
# weights = <numeric>)) -> list(x = the data.frame, y = the response
# evaluated in it through the terms, weights), or NULL.
.formula_validation_parts <- function(validation_data, mt) {
  if (is.null(validation_data)) return(NULL)
  form <- "a data.frame holding the variables of the formula (the response included), or list(data = <data.frame>, weights = <numeric>)"
  weights <- NULL
  if (is.data.frame(validation_data)) {
    data <- validation_data
  } else if (is.list(validation_data) && !is.null(names(validation_data)) && "data" %in% names(validation_data)) {
    nm <- names(validation_data)
    unknown <- setdiff(nm, c("data", "weights", "sample_weight"))
    if (anyNA(nm) || any(!nzchar(nm)) || length(unknown)) {
      .stop("validation_data must be ", form, "; its list takes data, weights (or sample_weight), not ",
            paste(setdiff(nm, c("data", "weights", "sample_weight")), collapse = ", "))
    }
    if (all(c("weights", "sample_weight") %in% nm)) {
      .stop("validation_data: pass weights or sample_weight (its alias), not both")
    }
    data <- validation_data$data
    weights <- if (is.null(validation_data$weights)) validation_data$sample_weight else validation_data$weights
    if (!is.data.frame(data)) .stop("validation_data$data must be a data.frame; got ", .describe(data))
  } else {
    .stop("validation_data must be ", form, "; got ", .describe(validation_data))
  }
  if (nrow(data) == 0L) .stop("validation_data has 0 rows")
  # The response as model.frame() evaluates it (log(y) ~ . included), in the
  # rows of validation_data and else the formula's environment.
  env <- environment(mt) %||% globalenv()
  vars <- attr(mt, "predvars") %||% attr(mt, "variables")
  response <- vars[[attr(mt, "response") + 1L]]
  absent <- setdiff(all.vars(response), names(data))
  absent <- absent[!vapply(absent, exists, logical(1), envir = env)]
  if (length(absent)) {
    .stop("validation_data lacks the response column(s) ", paste(absent, collapse = ", "), " of the formula")
  }
  y <- tryCatch(eval(response, data, env),
                error = function(e) .stop("validation_data: the response: ", conditionMessage(e)))
  list(x = data, y = y, weights = weights, lengths = NULL)
}

# The validation response as the core takes it: class indices into the
# training classes (target: .core_target's result for the training y), or
# regression targets.
.validation_target <- function(y, n, target) {
  if (is.data.frame(y)) {
    if (ncol(y) != 1L) .stop("y must be a vector or a one-column data.frame")
    y <- y[[1L]]
  }
  if (is.matrix(y)) {
    if (ncol(y) != 1L) .stop("y must be a vector; got a matrix with ", ncol(y), " columns")
    y <- drop(y)
  }
  if (is.null(y) || !is.null(dim(y)) || length(y) != n) .stop("y has ", length(y), " values but x has ", n, " rows")
  if (anyNA(y)) .stop("y contains missing values (NA)")
  if (identical(target$task, "classification")) {
    if (!(is.factor(y) || is.character(y) || is.logical(y) || is.numeric(y))) {
      .stop("y must hold class labels (a factor, character or logical vector); got ", paste(class(y), collapse = "/"))
    }
    labels <- as.character(y)
    index <- match(labels, target$classes)
    if (anyNA(index)) {
      unknown <- unique(labels[is.na(index)])
      .stop("y holds label(s) the training response does not: ",
            paste0("'", utils::head(unknown, 5L), "'", collapse = ", "), if (length(unknown) > 5L) ", ...",
            " (the classes: ", paste0("'", utils::head(target$classes, 10L), "'", collapse = ", "),
            if (length(target$classes) > 10L) ", ...", ")")
    }
    return(as.double(index - 1L))
  }
  if (!is.numeric(y) || is.factor(y)) {
    .stop("y must be numeric (the model is a regression); got ", paste(class(y), collapse = "/"))
  }
  if (any(is.infinite(y))) .stop("y contains infinite values")
  as.double(y)
}

# The validation rows of a tabular fit as the core takes them (sa_fit's and
# sa_senn_fit's validation argument): list(x, lengths, y, sample_weight), or
# NULL. parts: .validation_parts' or .formula_validation_parts' list; model:
# what .newdata_matrix reads of a fitted model (n_features, feature_names,
# variables, params, and for a formula fit terms, xlevels, contrasts); arg
# names the rows in messages ("x", or "data" for a formula fit).
.validation_rows <- function(parts, model, target, params, arg = "x") {
  if (is.null(parts)) return(NULL)
  rows <- .in_validation_data({
    x <- .newdata_matrix(model, parts$x, arg)
    n <- nrow(x)
    list(x = x, y = .validation_target(parts$y, n, target),
         w = .core_weights(parts$weights, n, "weights", "row"))
  })
  w <- .class_weighted(params, list(classes = target$classes, y = rows$y), rows$w)
  list(x = rows$x, lengths = numeric(0), y = rows$y, sample_weight = w)
}

# The same for a sequence fit: x an array of dim c(n, T, C) with the training
# T and channels (matched by name as in predict), lengths as at fit.
.validation_sequences <- function(parts, model, steps, target, params) {
  if (is.null(parts)) return(NULL)
  rows <- .in_validation_data({
    x <- .as_sequence_array(parts$x, "x")
    if (dim(x)[2L] != steps) {
      .stop("x has ", dim(x)[2L], " time steps, but the training x has ", steps,
            " (give the validation sequences the training T: pad them and pass lengths)")
    }
    input <- .sequence_input(model, x, parts$lengths, "x")
    list(x = input$x, lengths = input$lengths, y = .validation_target(parts$y, input$n, target),
         w = .core_weights(parts$weights, input$n, "weights", "sequence"))
  })
  w <- .class_weighted(params, list(classes = target$classes, y = rows$y), rows$w)
  list(x = rows$x, lengths = rows$lengths, y = rows$y, sample_weight = w)
}
