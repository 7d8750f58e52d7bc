# What a fit reports after each epoch: the verbose output (a progress bar in
# interactive sessions when the progress package is installed, else one line
# per epoch) and the user's callbacks, all from the core's one per-epoch hook
# (src/rcpp_glue.h, fit_callbacks).

# interactive(), through a binding the tests can replace.
.interactive <- function() interactive()

# callbacks as a list of functions, or an error naming the argument.
.checked_callbacks <- function(callbacks) {
  if (is.null(callbacks)) return(list())
  if (is.function(callbacks)) return(list(callbacks))
  if (!is.list(callbacks) || !all(vapply(callbacks, is.function, logical(1)))) {
    .stop("callbacks must be a function or a list of functions; got ", .describe(callbacks))
  }
  callbacks
}

# The verbose line of one epoch (info: the hook's list).
.epoch_line <- function(info, most, names) {
  line <- sprintf("epoch %4d/%d  loss %.5f", info$epoch, most, info$train_loss)
  if (!is.na(info$validation_loss)) {
    line <- paste0(line, sprintf("  validation %.5f%s", info$validation_loss, if (info$improved) " *" else ""))
  }
  if (!is.null(info$scores)) {
    w <- info$scores
    top <- utils::head(order(-w), 5L)
    labels <- if (length(names) == length(w)) names[top] else paste0("x", top)
    line <- paste0(line, "  top: ", paste0(labels, " ", sprintf("%.3f", w[top]), collapse = ", "))
  }
  line
}

# The hook for one fit: list(on_epoch = the function the core calls, or
# NULL when nothing listens; close = ends the progress bar). params: the
# normalised hyperparameters; names: the feature (channel) labels.
.epoch_reporter <- function(params, verbose, callbacks, names) {
  callbacks <- .checked_callbacks(callbacks)
  most <- params$max_epochs + if (isTRUE(params$scores_layer)) params$refine_epochs else 0L
  bar <- NULL
  if (verbose && .interactive() && requireNamespace("progress", quietly = TRUE)) {
    # shown at once (fits are often shorter than progress's 0.2 s default), on
    # whatever console the interactive session has
    bar <- progress::progress_bar$new(format = "epoch :current/:total [:bar] loss :loss :eta", total = most,
                                      clear = FALSE, show_after = 0, force = TRUE)
  }
  on_epoch <- if (verbose || length(callbacks)) {
    function(info) {
      if (verbose) {
        if (is.null(bar)) {
          cat(.epoch_line(info, most, names), "\n", sep = "")
        } else {
          bar$tick(tokens = list(loss = sprintf("%.4f", info$train_loss)))
        }
      }
      for (cb in callbacks) cb(info)
      invisible(NULL)
    }
  }
  list(on_epoch = on_epoch, close = function() if (!is.null(bar) && !bar$finished) bar$terminate())
}
