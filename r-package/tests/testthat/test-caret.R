# caret::train() with the shipped model list; varImp gives the scores.

# caret loads lubridate, which asks timedatectl for the time zone when TZ is
# unset (and warns on machines without systemd).
if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")

test_that("caret tunes, resamples and predicts a classifier; varImp is the scores", {
  skip_if_not_installed("caret")
  set.seed(1)
  tuned <- caret::train(Species ~ ., data = iris, method = scores_activation_caret(), tuneLength = 2,
                        trControl = caret::trainControl(method = "cv", number = 3),
                        max_epochs = 40, random_state = 1, n_threads = 2)
  expect_identical(nrow(tuned$results), 2L)
  expect_true(tuned$bestTune$snr_budget %in% c(1.5, 0.75))
  expect_gt(max(tuned$results$Accuracy), 0.85)
  expect_s3_class(tuned$finalModel, "scores_activation")
  expect_identical(levels(predict(tuned, iris)), levels(iris$Species))
  probs <- predict(tuned, iris[1:3, ], type = "prob")
  expect_equal(unname(rowSums(probs)), rep(1, 3))
  imp <- caret::varImp(tuned, scale = FALSE)$importance
  expect_equal(imp[names(scores(tuned$finalModel)), "Overall"], unname(scores(tuned$finalModel)) * 100)
})

test_that("caret fits a regression with case weights and random search", {
  skip_if_not_installed("caret")
  set.seed(2)
  w <- rep(c(1, 2), 16)
  tuned <- caret::train(mpg ~ ., data = mtcars, method = scores_activation_caret(), weights = w,
                        tuneLength = 2, trControl = caret::trainControl(method = "cv", number = 2, search = "random"),
                        max_epochs = 30, random_state = 1, n_threads = 2)
  expect_identical(nrow(tuned$results), 2L)
  expect_true(all(tuned$results$snr_budget > 0.3 & tuned$results$snr_budget < 8))
  expect_type(predict(tuned, mtcars), "double")
  expect_length(predict(tuned, mtcars), 32L)
  expect_identical(scores_activation_caret()$predictors(tuned$finalModel), colnames(mtcars)[-1])
})
