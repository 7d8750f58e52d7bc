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

# A long computation's progress (Shapley values, permutation importance):
# list(on_progress = the function(done, total) the core calls on R's thread,
# or NULL when nothing is shown; close = ends the display). Shown with
# verbose = TRUE in interactive sessions only: a progress bar with the ETA
# when the progress package is installed, else one line rewritten in place.
# label names the work ("shapley", "permutation"); unit what is counted.
.run_progress <- function(verbose, label, unit) {
  .check_verbose(verbose)
  none <- list(on_progress = NULL, close = function() invisible(NULL))
  if (!verbose || !.interactive()) return(none)
  bar <- NULL
  started <- Sys.time()
  shown <- FALSE
  use_bar <- requireNamespace("progress", quietly = TRUE)
  on_progress <- function(done, total) {
    # A display error must not end the computation it shows.
    tryCatch({
      if (use_bar) {
        if (is.null(bar)) {
          bar <<- progress::progress_bar$new(
            format = paste0(label, " [:bar] :current/:total ", unit, " (:percent) eta :eta"),
            total = total, clear = FALSE, show_after = 0, force = TRUE)
        }
        if (!bar$finished) bar$update(min(done / total, 1))
      } else {
        elapsed <- as.double(difftime(Sys.time(), started, units = "secs"))
        eta <- if (done > 0 && done < total) sprintf(", eta %.0fs", elapsed * (total - done) / done) else ""
        cat(sprintf("\r%s: %d/%d %s (%.0f%%)%s", label, as.integer(done), as.integer(total), unit,
                    100 * done / total, eta), file = stderr())
        shown <<- TRUE
      }
    }, error = function(e) NULL)
    invisible(NULL)
  }
  close <- function() {
    if (!is.null(bar) && !bar$finished) bar$terminate()
    if (shown) cat("\n", file = stderr())
    invisible(NULL)
  }
  list(on_progress = on_progress, close = close)
}
