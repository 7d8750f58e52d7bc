#' Agreement of feature importances across architectures and methods
#'
#' Would another model say the same? Given the importances of several sources
#' (an architecture with an attribution method, say \code{"gated MLP:
#' scores"} or \code{"SENN: contributions"}), each over one or more runs,
#' \code{consistency} reports how well every two sources agree and the
#' consensus ranking they agree on (the harmonizing report of arXiv
#' 2307.02150). The computation is the core's, as Python's
#' \code{scoresactivation.consistency}.
#'
#' Agreement between two sources is the mean over every pair of their runs;
#' a source with itself is its mean over its pairs of distinct runs (its
#' stability over seeds; \code{NA} with one run). Correlations undefined for a
#' constant run are left out. Each source's mean rank per feature (1 = most
#' important, ties share their mean rank) is averaged over the sources, each
#' with the same weight, into the consensus rank; its spread is the standard
#' deviation over the sources.
#'
#' @param importances A named list with one entry per source (at least two): a numeric
#'   matrix (runs x features) or vector (one run), larger meaning more
#'   important (pass absolute attributions). All with the same features;
#'   feature names are taken from the first entry's (column) names.
#' @param top_k The k of the top-k overlap; default \code{min(5, d)}.
#' @return An object of class \code{"sa_consistency"}: a list with the
#'   square matrices \code{spearman}, \code{kendall} and \code{top_k_overlap}
#'   (named by source), \code{mean_rank} (sources x features),
#'   \code{consensus_rank} and \code{consensus_spread} (named by feature),
#'   \code{consensus_ranking} (features from most to least important) and
#'   \code{top_k}. \code{print} shows the agreement and the consensus;
#'   \code{plot} draws a heatmap of one measure.
#' @seealso \code{\link{spearman}}, \code{\link{global_importance}},
#'   \code{\link{scores}}.
#' @examples
#' imp <- list(
#'   "model A" = rbind(c(a = 3, b = 2, c = 1, d = 0), c(3, 2, 0, 1)),
#'   "model B" = c(a = 4, b = 3, c = 2, d = 1)
#' )
#' report <- consistency(imp, top_k = 2)
#' report$spearman
#' report$consensus_ranking
#' plot(report)
#' @export
consistency <- function(importances, top_k = NULL) {
  if (!is.list(importances) || is.data.frame(importances) || length(importances) == 0L) {
    .stop("importances must be a non-empty named list of matrices (runs x features) or vectors")
  }
  sources <- names(importances)
  if (is.null(sources) || any(!nzchar(sources)) || anyDuplicated(sources)) {
    .stop("importances must be a list with a distinct name for every source")
  }
  features <- NULL
  matrices <- lapply(seq_along(importances), function(i) {
    v <- importances[[i]]
    what <- paste0("importances[[\"", sources[i], "\"]]")
    if (!(is.numeric(v) || is.logical(v)) || is.factor(v)) .stop(what, " must be numeric")
    if (is.null(dim(v))) {
      if (i == 1L) features <<- names(v)
      v <- matrix(as.double(v), nrow = 1L)
    } else if (length(dim(v)) == 2L) {
      if (i == 1L) features <<- colnames(v)
      v <- matrix(as.double(v), nrow = nrow(v))
    } else {
      .stop(what, " must be a matrix (runs x features) or a vector")
    }
    if (anyNA(v)) .stop(what, " contains missing values (NA)")
    v
  })
  d <- ncol(matrices[[1L]])
  if (is.null(top_k)) top_k <- min(5L, d)
  if (!.is_whole(top_k) || length(top_k) != 1L) .stop("top_k must be a whole number")
  r <- tryCatch(sa_consistency(matrices, as.integer(top_k)), error = function(e) {
    message <- conditionMessage(e)
    for (i in rev(seq_along(sources))) {  # name the source, not its position
      message <- gsub(paste0("importances[", i - 1L, "]"), paste0("importances[[\"", sources[i], "\"]]"),
                      message, fixed = TRUE)
    }
    .stop(message)
  })
  if (is.null(features)) features <- paste0("x", seq_len(d))
  for (name in c("spearman", "kendall", "top_k_overlap")) dimnames(r[[name]]) <- list(sources, sources)
  dimnames(r$mean_rank) <- list(sources, features)
  names(r$consensus_rank) <- names(r$consensus_spread) <- features
  r$consensus_ranking <- features[order(r$consensus_rank)]
  structure(r, class = "sa_consistency")
}

#' @export
print.sa_consistency <- function(x, digits = 3, ...) {
  cat("Consistency of feature importances:", nrow(x$spearman), "sources,", length(x$consensus_rank),
      "features\n\nSpearman (diagonal: stability over runs)\n")
  print(round(x$spearman, digits))
  cat("\nTop-", x$top_k, " overlap\n", sep = "")
  print(round(x$top_k_overlap, digits))
  cat("\nConsensus ranking (mean rank, spread over sources):\n")
  top <- utils::head(x$consensus_ranking, 10L)
  print(round(rbind(rank = x$consensus_rank[top], spread = x$consensus_spread[top]), digits))
  invisible(x)
}

#' @rdname consistency
#' @param x An \code{"sa_consistency"} object.
#' @param measure What \code{plot} draws: \code{"spearman"},
#'   \code{"kendall"} or \code{"top_k_overlap"}.
#' @param ... Passed to \code{\link[graphics]{image}}.
#' @export
plot.sa_consistency <- function(x, measure = c("spearman", "kendall", "top_k_overlap"), ...) {
  measure <- match.arg(measure)
  values <- x[[measure]]
  m <- nrow(values)
  low <- if (measure == "top_k_overlap") 0 else -1
  colours <- if (low < 0) grDevices::hcl.colors(21, "Blue-Red 3", rev = TRUE) else grDevices::hcl.colors(21, "Blues", rev = TRUE)
  old <- graphics::par(mar = c(8, 8, 3, 1))
  on.exit(graphics::par(old))
  graphics::image(seq_len(m), seq_len(m), t(values[m:1, , drop = FALSE]), zlim = c(low, 1), col = colours,
                  axes = FALSE, xlab = "", ylab = "",
                  main = paste0("Agreement between sources (", measure, ")"), ...)
  graphics::axis(1, seq_len(m), colnames(values), las = 2, cex.axis = 0.8)
  graphics::axis(2, seq_len(m), rev(rownames(values)), las = 1, cex.axis = 0.8)
  labels <- ifelse(is.na(values[m:1, , drop = FALSE]), "n/a", sprintf("%.2f", values[m:1, , drop = FALSE]))
  graphics::text(rep(seq_len(m), times = m), rep(seq_len(m), each = m), t(labels), cex = 0.8)
  invisible(x)
}
