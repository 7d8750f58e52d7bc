"""The main demo: fit on scikit-learn's breast-cancer data, print the learned
feature ranking beside SHAP's ranking of the same fitted model."""

import time

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from scoresactivation import ScoresActivationClassifier

data = load_breast_cancer(as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.25, random_state=0)

start = time.perf_counter()
est = ScoresActivationClassifier(random_state=0).fit(X_train, y_train)
fit_seconds = time.perf_counter() - start
print(f"ScoresActivationClassifier: test accuracy {est.score(X_test, y_test):.3f}, "
      f"{est.n_epochs_} epochs, fit in {fit_seconds:.2f} s (the scores come with the fit)")

try:
    import shap
except ImportError:  # pragma: no cover - the Makefile installs shap
    shap = None

table = pd.DataFrame({"feature": est.feature_names_in_, "score": est.scores()})
table["rank"] = table["score"].rank(ascending=False, method="first").astype(int)
if shap is not None:
    background = shap.kmeans(X_train.to_numpy(), 20)
    explain_rows = X_test.to_numpy()[:100]

    def positive_class_probability(X):
        # shap passes plain arrays; give them back their column names
        return est.predict_proba(pd.DataFrame(X, columns=X_train.columns))[:, 1]

    start = time.perf_counter()
    explainer = shap.KernelExplainer(positive_class_probability, background)
    values = explainer.shap_values(explain_rows, nsamples=300, silent=True)
    shap_seconds = time.perf_counter() - start
    table["mean|SHAP|"] = np.abs(values).mean(axis=0)
    table["SHAP rank"] = table["mean|SHAP|"].rank(ascending=False, method="first").astype(int)
    rho = spearmanr(table["score"], table["mean|SHAP|"]).statistic
    print(f"KernelExplainer on {len(explain_rows)} rows took {shap_seconds:.1f} s; "
          f"Spearman(scores, mean|SHAP|) = {rho:.2f}")

table = table.sort_values("rank").reset_index(drop=True)
with pd.option_context("display.width", 120, "display.max_rows", 40, "display.float_format", "{:.4f}".format):
    print(table.head(15).to_string(index=False))
