test_that("consistency gives the closed-form agreement and the consensus", {
  r <- consistency(list(a = c(w = 3, x = 2, y = 1, z = 0), b = c(3, 2, 0, 1), reversed = c(0, 1, 2, 3)),
                   top_k = 3)
  # One swap of the last two: rho = 1 - 6 * 2 / (4 * 15), tau = (5 - 1) / 6.
  expect_equal(r$spearman["a", "b"], 0.8)
  expect_equal(r$kendall["a", "b"], 4 / 6)
  expect_equal(r$top_k_overlap["a", "b"], 2 / 3)
  expect_equal(r$spearman["a", "reversed"], -1)
  expect_true(is.na(r$spearman["a", "a"]))
  expect_equal(unname(r$mean_rank["a", ]), c(1, 2, 3, 4))
  expect_equal(r$consensus_rank, c(w = 2, x = 7 / 3, y = 3, z = 8 / 3))
  expect_identical(r$consensus_ranking, c("w", "x", "z", "y"))
  expect_equal(r$consensus_spread[["w"]], sd(c(1, 1, 4)))
  expect_identical(r$top_k, 3L)
})

test_that("runs of one source give its stability; the same numbers as Python's", {
  r <- consistency(list(seeds = rbind(c(3, 2, 1, 0), c(3, 2, 0, 1)), one = c(4, 3, 2, 1)))
  expect_identical(r$top_k, 4L)  # min(5, d)
  expect_equal(r$spearman["seeds", "seeds"], 0.8)
  expect_equal(r$spearman["seeds", "one"], 0.9)
  expect_equal(unname(r$mean_rank["seeds", ]), c(1, 2, 3.5, 3.5))
  expect_identical(names(r$consensus_rank), paste0("x", 1:4))
  out <- capture.output(print(r))
  expect_true(any(grepl("2 sources, 4 features", out)))
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(r, "kendall"), r)
})

test_that("bad importances are refused naming the source", {
  expect_error(consistency(list()), "non-empty named list")
  expect_error(consistency(list(c(1, 2))), "distinct name")
  expect_error(consistency(list(a = c(1, 2, 3))), "at least two sources")  # one model only
  ok <- c(1, 2, 3)
  expect_error(consistency(list(a = c(1, 2, 3), b = c(1, 2))), "importances\\[\\[\"b\"\\]\\]")
  expect_error(consistency(list(ok = ok, a = c(1, NA, 3))), "missing values")
  expect_error(consistency(list(ok = ok, a = c(1, Inf, 3))), "importances\\[\\[\"a\"\\]\\] contains NaN or infinity")
  expect_error(consistency(list(a = letters[1:3])), "must be numeric")
  expect_error(consistency(list(a = array(1, c(2, 2, 2)))), "matrix")
  expect_error(consistency(list(a = ok, b = rev(ok)), top_k = 4), "top_k")
  expect_error(consistency(list(a = ok, b = rev(ok)), top_k = 1.5), "top_k")
  expect_error(consistency(list(a = 1, b = 2)), "2 features")
})
