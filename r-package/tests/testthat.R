library(testthat)
library(scoresactivation)

test_check("scoresactivation")
