# Categorical variables of the tabular models: the encoding shared with the
# Python package (python-package/src/scoresactivation/_categorical.py). A
# factor or character column is a categorical variable with k levels (a
# factor's levels() in order; a character column's distinct values sorted by
# code point), encoded as k one-hot columns named "name=level" that share one
# score (the core's score groups); other columns are numeric (one column).
# A model keeps its variables as fit$variables: NULL (every column numeric)
# or a list of list(name, levels), levels NULL for a numeric variable.

.is_categorical_column <- function(col) (is.factor(col) || is.character(col)) && is.null(dim(col))

# The levels of a categorical column, as strings.
.column_levels <- function(col) {
  if (is.factor(col)) return(as.character(levels(col)))
  sort(unique(as.character(col[!is.na(col)])), method = "radix")
}

# Whether a data.frame (or named list of columns) holds a categorical column.
.has_categorical <- function(df) any(vapply(df, .is_categorical_column, logical(1)))

.variable_widths <- function(variables) {
  vapply(variables, function(v) if (is.null(v$levels)) 1L else length(v$levels), integer(1))
}

.encoded_names <- function(variables) {
  unlist(lapply(variables, function(v) if (is.null(v$levels)) v$name else paste0(v$name, "=", v$levels)),
         use.names = FALSE)
}

.variable_names <- function(variables) vapply(variables, function(v) v$name, character(1))

# The variables of a data.frame at fit (arg names it in errors).
.variables_of <- function(df, arg) {
  nm <- names(df)
  if (is.null(nm) || anyNA(nm) || any(!nzchar(nm))) .stop(arg, ": every column needs a name")
  variables <- vector("list", length(df))
  for (j in seq_along(df)) {
    col <- df[[j]]
    if (.is_categorical_column(col)) {
      if (anyNA(col)) {
        .stop(arg, ": categorical variable '", nm[j], "' has missing values (NA); remove those rows ",
              "(na.action = na.omit) or make NA a level of its own")
      }
      lv <- .column_levels(col)
      if (!length(lv)) .stop(arg, ": categorical variable '", nm[j], "' has no levels")
      variables[[j]] <- list(name = nm[j], levels = lv)
    } else {
      if (!(is.numeric(col) || is.logical(col)) || !is.null(dim(col)) || is.factor(col)) {
        .stop(arg, ": column '", nm[j], "' must be numeric, logical, a factor or character; got ",
              paste(class(col), collapse = "/"))
      }
      variables[[j]] <- list(name = nm[j], levels = NULL)
    }
  }
  encoded <- .encoded_names(variables)
  owner <- rep(nm, .variable_widths(variables))
  dup <- which(duplicated(encoded))
  if (length(dup)) {
    clash <- encoded[dup[1L]]
    who <- unique(owner[encoded == clash])
    .stop(arg, ": the encoded column name '", clash, "' comes from ",
          if (length(who) > 1L) paste0("both variable '", who[1L], "' and variable '", who[2L], "'")
          else paste0("variable '", who[1L], "' twice"),
          " (a categorical variable's columns are named variable=level); rename one of them")
  }
  variables
}

# The training x of a fit as a numeric matrix: a data.frame with factor or
# character columns has them encoded as categorical variables (their levels
# learnt here). Returns list(x, variables), variables NULL when all numeric.
.training_matrix <- function(x, x_arg) {
  variables <- NULL
  if (is.data.frame(x) && ncol(x) > 0L && .has_categorical(x)) {
    if (nrow(x) == 0L) .stop(x_arg, " has 0 rows")
    variables <- .variables_of(x, x_arg)
    x <- .encode_variables(x, variables, "error", x_arg)
  }
  list(x = .as_feature_matrix(x, x_arg), variables = variables)
}

# Columns (a data.frame or named list) -> the encoded double matrix of the
# model's variables. handle_unknown: "error" or "ignore" (all the variable's
# columns 0 for the row); a categorical variable none of whose values is a
# known level is an error either way.
.encode_variables <- function(df, variables, handle_unknown, arg) {
  vn <- .variable_names(variables)
  absent <- setdiff(vn, names(df))
  if (length(absent)) {
    .stop(arg, " lacks the column(s) ", paste(utils::head(absent, 10L), collapse = ", "),
          " that the model was fitted on")
  }
  n <- if (is.data.frame(df)) nrow(df) else length(df[[vn[1L]]])
  widths <- .variable_widths(variables)
  x <- matrix(0, n, sum(widths), dimnames = list(NULL, .encoded_names(variables)))
  at <- 0L
  for (v in variables) {
    col <- df[[v$name]]
    if (length(col) != n || (!is.null(dim(col)) && NCOL(col) != 1L)) {
      .stop(arg, ": column '", v$name, "' has ", NROW(col), " values for ", n, " rows")
    }
    if (is.null(v$levels)) {
      if (.is_categorical_column(col)) {
        .stop(arg, ": variable '", v$name, "' is numeric in the model, but a ", class(col)[1L], " column here")
      }
      if (!(is.numeric(col) || is.logical(col)) || is.factor(col)) {
        .stop(arg, ": column '", v$name, "' must be numeric; got ", paste(class(col), collapse = "/"))
      }
      x[, at + 1L] <- as.double(col)
      at <- at + 1L
      next
    }
    if (!(is.factor(col) || is.character(col))) {
      .stop(arg, ": variable '", v$name, "' is categorical in the model (levels ",
            paste0("'", utils::head(v$levels, 5L), "'", collapse = ", "), if (length(v$levels) > 5L) ", ...",
            "); pass it as a factor or character column, not ", paste(class(col), collapse = "/"))
    }
    s <- as.character(col)
    if (anyNA(s)) .stop(arg, ": categorical variable '", v$name, "' has missing values (NA)")
    idx <- match(s, v$levels)
    unseen <- is.na(idx)
    if (n > 0L && all(unseen)) {
      .stop(arg, ": no value of categorical variable '", v$name, "' is one of its levels (",
            paste0("'", utils::head(v$levels, 5L), "'", collapse = ", "), if (length(v$levels) > 5L) ", ...",
            "); is it the right column? Values: ",
            paste0("'", utils::head(unique(s), 5L), "'", collapse = ", "))
    }
    if (any(unseen) && !identical(handle_unknown, "ignore")) {
      new <- unique(s[unseen])
      .stop(arg, ": categorical variable '", v$name, "' has level(s) not seen in fit: ",
            paste0("'", utils::head(new, 5L), "'", collapse = ", "), if (length(new) > 5L) ", ...",
            "; fit with handle_unknown = \"ignore\" to encode them as all zeros")
    }
    ok <- which(!unseen)
    x[cbind(ok, at + idx[ok])] <- 1
    at <- at + length(v$levels)
  }
  if (is.data.frame(df) && !is.integer(attr(df, "row.names"))) rownames(x) <- rownames(df)
  x
}

# A model frame's predictor columns (the term labels) as a named list, matrix
# columns (poly(), ns() ...) split into one column each, named as
# model.matrix names them.
.predictor_columns <- function(mt, mf) {
  labels <- attr(mt, "term.labels")
  out <- list()
  for (label in labels) {
    col <- mf[[label]]
    if (is.null(col)) .stop("formula: term '", label, "' is not a column of the model frame")
    if (!is.null(dim(col)) && length(dim(col)) == 2L) {
      cn <- colnames(col)
      if (is.null(cn)) cn <- as.character(seq_len(ncol(col)))
      for (j in seq_len(ncol(col))) out[[paste0(label, cn[j])]] <- as.vector(col[, j])
    } else {
      out[[label]] <- col
    }
  }
  structure(out, class = "data.frame", row.names = attr(mf, "row.names"))
}

# The variables of a model frame (formula fit): interactions involving a
# categorical variable are refused.
.check_formula_terms <- function(mt) {
  order <- attr(mt, "order")
  if (any(order > 1L)) {
    .stop("formula: interaction terms (", paste(attr(mt, "term.labels")[order > 1L], collapse = ", "),
          ") are not supported with categorical variables (factor or character columns); the network ",
          "learns interactions itself: list the variables, e.g. y ~ a + b")
  }
  invisible(mt)
}

# The formula's text as the model document stores it ('.' expanded), or NULL
# when the terms transform the data with fitted values (poly(), scale() ...),
# which the text would not carry.
.formula_text <- function(mt) {
  pv <- attr(mt, "predvars")
  if (!is.null(pv) && !identical(pv, attr(mt, "variables"))) return(NULL)
  f <- stats::formula(mt)
  attributes(f) <- list(class = "formula")
  paste(trimws(deparse(f, width.cutoff = 500L)), collapse = " ")
}

# The labels of a model's scores: the variable names, else the features'.
.score_labels <- function(object) {
  if (!is.null(object$variables)) return(.variable_names(object$variables))
  .feature_labels(object)
}

# Attributions per encoded column -> per variable (the sum over each
# variable's columns; the attributions are additive). values: (n, d) or
# (n, d, k).
.sum_by_variable <- function(values, variables) {
  group <- rep(seq_along(variables), .variable_widths(variables))
  base <- attr(values, "base_values")
  vn <- .variable_names(variables)
  sum_cols <- function(m) {
    out <- matrix(0, nrow(m), length(vn))
    for (g in seq_along(vn)) out[, g] <- rowSums(m[, group == g, drop = FALSE])
    out
  }
  d <- dim(values)
  if (length(d) == 3L) {
    out <- array(0, c(d[1L], length(vn), d[3L]), dimnames = list(dimnames(values)[[1L]], vn, dimnames(values)[[3L]]))
    for (k in seq_len(d[3L])) out[, , k] <- sum_cols(matrix(values[, , k], d[1L], d[2L]))
  } else {
    out <- sum_cols(values)
    dimnames(out) <- list(rownames(values), vn)
  }
  attr(out, "base_values") <- base
  out
}
