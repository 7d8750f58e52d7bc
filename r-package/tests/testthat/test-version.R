test_that("DESCRIPTION repeats the core's version (version.hpp, the one place it is written)", {
  expect_identical(as.character(utils::packageVersion("scoresactivation")), scoresactivation:::sa_library_version())
  fit <- scores_activation(Species ~ ., data = iris, random_state = 1, max_epochs = 2, n_threads = 1)
  path <- tempfile(fileext = ".json")
  on.exit(unlink(path))
  save_model(fit, path)
  expect_identical(jsonlite::read_json(path)$library_version, scoresactivation:::sa_library_version())
})

test_that("citation() names the paper and the package (not 'authors s')", {
  text <- paste(format(citation("scoresactivation"), style = "text"), collapse = " ")
  expect_match(text, "2511.13809", fixed = TRUE)
  expect_match(text, "The scoresactivation authors (2026)", fixed = TRUE)
  expect_false(grepl("authors s", text, fixed = TRUE))
})
