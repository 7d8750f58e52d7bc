#' Feature scores of a fitted model
#'
#' The learned global importances \eqn{w = \mathrm{softmax}(s / T)}: one
#' non-negative number per input feature, summing to 1, named after the
#' features (\code{x1, x2, ...} when the data had no column names). A
#' categorical variable (a factor or character column) has one score, named
#' after the variable, shared by its levels' columns.
#' \code{coef} is an alias.
#'
#' @param object A fit from \code{\link{scores_activation}} or
#'   \code{\link{load_model}}.
#' @param sort \code{TRUE} orders the scores from the most to the least
#'   important feature (ties keep column order).
#' @param ... Unused.
#' @return A named numeric vector.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' scores(fit, sort = TRUE)
#' sum(scores(fit))
#' @export
scores <- function(object, ...) UseMethod("scores")

#' @rdname scores
#' @export
scores.scores_activation <- function(object, sort = FALSE, ...) {
  .check_fit(object)
  if (!isTRUE(object$params$scores_layer)) {
    .stop("this model was fitted with scores_layer = FALSE and has no feature scores")
  }
  w <- .core(sa_scores(.core_params_of(object), .core_state(object)))
  # one score per variable (a categorical variable's columns share one)
  names(w) <- .score_labels(object)
  if (isTRUE(sort)) w <- w[order(-w)]
  w
}

#' @rdname scores
#' @export
coef.scores_activation <- function(object, ...) scores.scores_activation(object, ...)

# Feature (channel) names: the training column names (channel names: the
# names of x's third dimension), else x1, x2, ... (c1, c2, ... for channels).
.feature_labels <- function(object) {
  if (!is.null(object$feature_names)) return(object$feature_names)
  paste0(if (.is_sequence(object)) "c" else "x", seq_len(object$n_features))
}

# "feature" or "channel": what the scores rank.
.unit_text <- function(object) {
  if (.is_sequence(object)) "channel" else if (!is.null(object$variables)) "variable" else "feature"
}

.title_text <- function(object) {
  if (.is_senn(object)) return("Self-explaining neural network (SENN)")
  if (.is_sequence(object)) "ScoresActivation sequence network" else "ScoresActivation network"
}

.layers_text <- function(object) {
  p <- object$params
  if (.is_sequence(object)) {
    sp <- object$sequence_params
    pooling <- .core(sa_resolved_pooling(sp))
    encoder <- if (sp$architecture == "lstm") {
      paste0("lstm(", sp$units, ")")
    } else {
      paste0("conv(", sp$units, ", kernel ", sp$kernel_size, ")")
    }
    widths <- c(paste(object$n_features, if (object$n_features == 1L) "channel" else "channels"),
                if (isTRUE(p$scores_layer)) "scores", encoder, paste(pooling, "pooling"),
                as.character(p$hidden_layer_sizes),
                paste(object$n_outputs, if (object$n_outputs == 1L) "output" else "outputs"))
    return(paste0(paste(widths, collapse = " -> "), " (", p$activation, ")"))
  }
  if (.is_senn(object)) {
    # f_k(x) = sum_i theta_{k,i}(z) z_i + b_k, theta an MLP of hidden_layer_sizes.
    widths <- c(paste(object$n_features, "inputs"), if (isTRUE(p$scores_layer)) "scores",
                as.character(p$hidden_layer_sizes), paste(object$n_outputs * object$n_features, "relevances"))
    return(paste0("theta: ", paste(widths, collapse = " -> "), " (", p$activation, "); ", object$n_outputs,
                  if (object$n_outputs == 1L) " output" else " outputs", " = theta . z + b; robustness_penalty ",
                  format(object$senn_params$robustness_penalty)))
  }
  inputs <- paste(object$n_features, "inputs")
  if (!is.null(object$variables)) {
    k <- sum(!vapply(object$variables, function(v) is.null(v$levels), logical(1)))
    inputs <- paste0(inputs, " (", length(object$variables), " variables, ", k, " categorical)")
  }
  widths <- c(inputs,
              if (isTRUE(p$scores_layer)) "scores",
              as.character(p$hidden_layer_sizes),
              paste(object$n_outputs, if (object$n_outputs == 1L) "output" else "outputs"))
  paste0(paste(widths, collapse = " -> "), " (", p$activation, ")")
}

.task_text <- function(object) {
  if (identical(object$task, "classification")) {
    cl <- as.character(object$classes)
    shown <- paste(utils::head(cl, 6L), collapse = ", ")
    if (length(cl) > 6L) shown <- paste0(shown, ", ...")
    paste0("classification, ", length(cl), " classes (", shown, ")")
  } else {
    "regression"
  }
}

.training_text <- function(object) {
  p <- object$params
  # The gated models refine after the scores phase (refine_epochs); every
  # epoch of both phases ran when early stopping never ended one.
  refine <- if (isTRUE(p$scores_layer)) p$refine_epochs else 0L
  most <- p$max_epochs + refine
  ran <- object$n_epochs_run
  passes <- object$arrays$partial_fit_counters
  if (!is.null(passes)) {
    # partial_fit (R/partial_fit.R): the counters' third entry is its passes.
    n_passes <- as.integer(passes[3L])
    before <- ran - n_passes
    return(paste0(ran, " epochs run (", if (before > 0L) paste0(before, " of fit, then "), n_passes,
                  " partial_fit pass", if (n_passes != 1L) "es", "), the current weights kept; seed ",
                  format(object$seed, scientific = FALSE), ", kernel ", object$kernel))
  }
  stop_text <- if (!isTRUE(p$early_stopping)) {
    "final weights kept"
  } else if (ran < most) {
    paste0("stopped early (of at most ", most, "), weights of epoch ", object$best_epoch, " kept")
  } else {
    paste0("early stopping did not end it (max_epochs reached), weights of epoch ", object$best_epoch,
           " kept (the best validation loss)")
  }
  paste0(ran, " epochs run, ", stop_text, "; seed ", format(object$seed, scientific = FALSE),
         ", kernel ", object$kernel)
}

#' @export
print.scores_activation <- function(x, digits = 3L, ...) {
  cat(.title_text(x), "\n", sep = "")
  if (!is.null(x$call)) cat("  call:     ", paste(deparse(x$call, width.cutoff = 200L), collapse = " "), "\n", sep = "")
  cat("  task:     ", .task_text(x), "\n", sep = "")
  cat("  layers:   ", .layers_text(x), "\n", sep = "")
  cat("  training: ", .training_text(x), "\n", sep = "")
  if (isTRUE(x$params$scores_layer)) {
    w <- scores(x, sort = TRUE)
    top <- utils::head(w, 5L)
    cat("  top ", .unit_text(x), "s: ", paste0(names(top), " ", formatC(top, digits = digits, format = "f"), collapse = ", "),
        if (length(w) > 5L) ", ..." else "", "\n", sep = "")
  } else {
    cat("  no scores layer (scores_layer = FALSE)\n")
  }
  invisible(x)
}

#' Summarise a ScoresActivation network
#'
#' The scores table (every feature with its importance, raw score \eqn{s} and
#' rank) and a summary of the loss curves.
#'
#' @param object A fit from \code{\link{scores_activation}} or
#'   \code{\link{load_model}}.
#' @param x A \code{"summary.scores_activation"} object.
#' @param digits Digits to print.
#' @param ... Unused.
#' @return An object of class \code{"summary.scores_activation"}: a list with
#'   \code{scores} (a data.frame sorted by importance, or \code{NULL} without
#'   the scores layer), \code{loss} (a data.frame of the training and
#'   validation loss and the validation score (weighted accuracy, or
#'   \eqn{R^2} for regression; \code{NA} without validation rows) at the
#'   first, best and last epoch) and the model's description.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' summary(fit)
#' @export
summary.scores_activation <- function(object, ...) {
  .check_fit(object, allow_sequence = TRUE)
  scores_table <- NULL
  if (isTRUE(object$params$scores_layer)) {
    w <- scores(object)
    s <- object$arrays$scores
    ord <- order(-w)
    scores_table <- data.frame(
      feature = names(w)[ord], score = unname(w[ord]), raw_score = s[ord],
      rank = seq_along(ord), stringsAsFactors = FALSE
    )
    names(scores_table)[1L] <- .unit_text(object)
  }
  loss <- object$arrays$loss_curve
  val <- object$arrays$validation_loss_curve
  val_score <- object$arrays$validation_score_curve
  epochs <- unique(c(1L, object$best_epoch, length(loss)))
  epochs <- epochs[epochs >= 1L & epochs <= length(loss)]
  loss_table <- data.frame(
    epoch = epochs,
    what = c("first", "best", "last")[match(epochs, c(1L, object$best_epoch, length(loss)))],
    training = loss[epochs],
    validation = if (length(val) == length(loss)) val[epochs] else rep(NA_real_, length(epochs)),
    validation_score = if (length(val_score) == length(loss)) val_score[epochs] else rep(NA_real_, length(epochs))
  )
  loss_table$what[loss_table$epoch == object$best_epoch] <- "best (kept)"
  structure(
    list(title = .title_text(object), unit = .unit_text(object),
         call = object$call, task = .task_text(object), layers = .layers_text(object),
         training = .training_text(object), scores = scores_table, loss = loss_table,
         n_epochs_run = object$n_epochs_run, best_epoch = object$best_epoch),
    class = "summary.scores_activation"
  )
}

#' @rdname summary.scores_activation
#' @export
print.summary.scores_activation <- function(x, digits = 4L, ...) {
  cat(if (is.null(x$title)) "ScoresActivation network" else x$title, "\n", sep = "")
  if (!is.null(x$call)) cat("  call:     ", paste(deparse(x$call, width.cutoff = 200L), collapse = " "), "\n", sep = "")
  cat("  task:     ", x$task, "\n", sep = "")
  cat("  layers:   ", x$layers, "\n", sep = "")
  cat("  training: ", x$training, "\n", sep = "")
  if (!is.null(x$scores)) {
    unit <- if (is.null(x$unit)) "feature" else x$unit
    cat("\n", toupper(substring(unit, 1, 1)), substring(unit, 2), " scores (w = softmax(s / T), sums to 1):\n",
        sep = "")
    tab <- x$scores
    tab$score <- formatC(tab$score, digits = digits, format = "f")
    tab$raw_score <- formatC(tab$raw_score, digits = digits, format = "f")
    print(tab, row.names = FALSE, right = TRUE)
  } else {
    cat("\nNo scores layer (scores_layer = FALSE).\n")
  }
  cat("\nLoss (training; validation on early stopping's held-out rows or validation_data, with their score:",
      "accuracy or R^2):\n")
  tab <- x$loss
  tab$training <- formatC(tab$training, digits = digits, format = "f")
  tab$validation <- ifelse(is.na(x$loss$validation), "-", formatC(x$loss$validation, digits = digits, format = "f"))
  if (!is.null(tab$validation_score)) {
    tab$validation_score <- ifelse(is.na(x$loss$validation_score), "-",
                                   formatC(x$loss$validation_score, digits = digits, format = "f"))
  }
  print(tab, row.names = FALSE, right = TRUE)
  invisible(x)
}

#' Uncertainty of the feature scores
#'
#' From the refits on bootstrap resamples that \code{n_bootstrap} asks for
#' (\code{\link{scores_activation}}): per feature, the main fit's score, the
#' mean and standard deviation of the bootstrap scores and their percentile
#' interval. Two features whose intervals overlap are not reliably ordered by
#' this data.
#'
#' @param object A fit with \code{n_bootstrap > 0}.
#' @param level Coverage of the percentile interval.
#' @return A data.frame with columns \code{feature}, \code{score}, \code{mean},
#'   \code{sd}, \code{lower}, \code{upper}, one row per feature in column
#'   order.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 30, n_bootstrap = 5, n_threads = 2)
#' scores_uncertainty(fit)
#' @export
scores_uncertainty <- function(object, level = 0.95) {
  .check_fit(object, allow_sequence = TRUE)
  b <- object$arrays$scores_bootstrap
  if (!isTRUE(object$params$scores_layer) || is.null(b) || !length(b)) {
    .stop("this model has no bootstrap scores; fit it with n_bootstrap = 20 (or more)")
  }
  if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1) {
    .stop("level must be a single number in (0, 1), got ", .describe(level))
  }
  labels <- .score_labels(object)
  b <- matrix(b, ncol = length(labels))
  alpha <- (1 - level) / 2
  # type 7 is numpy's default (linear) quantile: the same bounds as Python's scores_interval()
  q <- apply(b, 2L, stats::quantile, probs = c(alpha, 1 - alpha), type = 7L, names = FALSE)
  out <- data.frame(feature = labels, score = unname(scores(object)), mean = colMeans(b),
                    sd = if (nrow(b) > 1L) apply(b, 2L, stats::sd) else NA_real_,
                    lower = q[1L, ], upper = q[2L, ], stringsAsFactors = FALSE)
  names(out)[1L] <- .unit_text(object)
  out
}

#' Plot the feature scores or their history
#'
#' \code{type = "scores"} draws a bar chart of the scores, the most important
#' feature on top, with the 95\% bootstrap interval of each score as error bars
#' when the model was fitted with \code{n_bootstrap > 0}
#' (\code{\link{scores_uncertainty}}). \code{type = "history"} draws the score of each feature
#' after every epoch, with a dashed line at the epoch whose weights were kept.
#' Base graphics.
#'
#' @param x A fit from \code{\link{scores_activation}} or \code{\link{load_model}}.
#' @param type \code{"scores"} or \code{"history"}.
#' @param top The number of features to show (bars), or to name in the
#'   legend (history).
#' @param main Title; a default when \code{NULL}.
#' @param ... Passed to \code{\link[graphics]{barplot}} or
#'   \code{\link[graphics]{matplot}}.
#' @return \code{x}, invisibly.
#' @examples
#' fit <- scores_activation(Species ~ ., data = iris, random_state = 1,
#'                          max_epochs = 50, n_threads = 2)
#' plot(fit)
#' plot(fit, "history")
#' @export
plot.scores_activation <- function(x, type = c("scores", "history"), top = 20L, main = NULL, ...) {
  .check_fit(x, "x", allow_sequence = TRUE)
  unit <- if (.is_sequence(x)) "Channel" else if (!is.null(x$variables)) "Variable" else "Feature"
  type <- match.arg(type)
  if (!isTRUE(x$params$scores_layer)) {
    .stop("this model was fitted with scores_layer = FALSE and has no feature scores to plot")
  }
  w <- scores(x)
  if (type == "scores") {
    shown <- utils::head(w[order(-w)], top)
    width <- max(nchar(names(shown)))
    op <- graphics::par(mar = c(4.5, min(20, max(4, 0.6 * width + 1.5)), 3, 1))
    on.exit(graphics::par(op))
    has_intervals <- !is.null(x$arrays$scores_bootstrap) && length(x$arrays$scores_bootstrap) > 0L
    u <- if (has_intervals) scores_uncertainty(x)[match(rev(names(shown)), .score_labels(x)), , drop = FALSE] else NULL
    mids <- graphics::barplot(rev(shown), horiz = TRUE, las = 1, col = "steelblue",
                              xlab = "score w = softmax(s / T)",
                              xlim = c(0, max(c(shown, u$upper)) * 1.04),
                              main = if (is.null(main)) paste(unit, "scores") else main, ...)
    if (has_intervals) {
      graphics::arrows(u$lower, mids, u$upper, mids, angle = 90, code = 3, length = 0.03, col = "grey20")
    }
    graphics::abline(v = 1 / length(w), lty = 3, col = "grey40")
  } else {
    h <- x$arrays$scores_history
    epochs <- seq_len(nrow(h))
    k <- ncol(h)
    colours <- grDevices::hcl.colors(max(k, 2L), "Dark 3")[seq_len(k)]
    graphics::matplot(epochs, h, type = "l", lty = 1, col = colours, xlab = "epoch",
                      ylab = "score w = softmax(s / T)",
                      main = if (is.null(main)) paste(unit, "scores during training") else main, ...)
    graphics::abline(v = x$best_epoch, lty = 2, col = "grey40")
    named <- utils::head(order(-w), min(top, 10L))
    graphics::legend("topleft", legend = names(w)[named], col = colours[named], lty = 1,
                     bty = "n", cex = 0.8)
  }
  invisible(x)
}
