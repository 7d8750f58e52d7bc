# The R demo (make demo): fit on data with a known answer, print the learned
# ranking beside SHAP's (mean |Shapley value|) for the same fitted model,
# then fit on iris and show the model-file round trip.
library(scoresactivation)

# Ten features, of which f1..f5 drive the class (f4 and f5 through an
# interaction) and f6..f10 are noise.
set.seed(0)
n <- 2000
x <- matrix(rnorm(n * 10), n, 10, dimnames = list(NULL, paste0("f", 1:10)))
logit <- 1.5 * x[, 1] - 1.5 * x[, 2] + 1.5 * x[, 3] + 2 * x[, 4] * x[, 5] + 1.5 * sin(2 * x[, 4])
y <- factor(ifelse(logit + rnorm(n, sd = 0.5) > 0, "yes", "no"))
train <- seq_len(1500)
test <- setdiff(seq_len(n), train)

seconds <- system.time(fit <- scores_activation(x[train, ], y[train], random_state = 0))[["elapsed"]]
accuracy <- mean(predict(fit, x[test, ]) == y[test])
cat(sprintf("scores_activation: test accuracy %.3f, %d epochs, fit in %.2f s (the scores come with the fit)\n",
            accuracy, fit$n_epochs_run, seconds))

# SHAP of the same model, computed by the package's own C++ Shapley values
# (shap's interventional definition: the mean |value| over 100 test rows
# against a background of 50 training rows, exact over all 2^10
# coalitions), and the package's permutation importance as a third opinion.
seconds_shap <- system.time(
  shapley <- global_importance(fit, x[test[1:100], ], method = "shapley", background = x[train[1:50], ])
)[["elapsed"]]
permutation <- global_importance(fit, x[test, ], y[test], method = "permutation", n_repeats = 10,
                                 random_state = 0)

w <- scores(fit)
table <- data.frame(feature = names(w), score = round(w, 4), rank = rank(-w, ties.method = "first"),
                    mean_abs_shap = round(shapley, 4), shap_rank = rank(-shapley, ties.method = "first"),
                    permutation_rank = rank(-permutation, ties.method = "first"),
                    relevant = names(w) %in% paste0("f", 1:5), row.names = NULL)
cat(sprintf("exact Shapley values of 100 rows took %.2f s; Spearman(scores, mean|SHAP|) = %.2f\n",
            seconds_shap, spearman(w, shapley)))
print(table[order(table$rank), ], row.names = FALSE)
top5 <- names(sort(w, decreasing = TRUE))[1:5]
cat("top 5 by score:", paste(top5, collapse = ", "),
    if (setequal(top5, paste0("f", 1:5))) "(exactly the relevant features)\n" else "\n")

# iris, the formula interface, and the JSON model file Python reads too.
cat("\n")
iris_fit <- scores_activation(Species ~ ., data = iris, random_state = 1)
print(iris_fit)
path <- file.path(tempdir(), "iris-model.json")
save_model(iris_fit, path)
reloaded <- load_model(path)
cat("saved to", path, "and reloaded; identical probabilities:",
    identical(predict(iris_fit, iris, type = "prob"), predict(reloaded, iris, type = "prob")), "\n")
