"""Writes the seed corpus of the model-document fuzzers (tests/fuzz/corpus/).

The seeds are the fixture models (valid documents of every format version),
two minimal valid documents (small, so mutations of them run fast), and
hostile variants of those: claimed sizes far beyond the data, non-finite
numbers, missing keys, wrong types, huge and negative shapes, deep nesting.
Rerun after the format changes:  .venv/bin/python tests/fuzz/make_corpus.py
"""

import copy
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
CORPUS = HERE / "corpus"

NAN, INF = float("nan"), float("inf")

PARAMS = {
    "hidden_layer_sizes": [2], "activation": "relu", "scores_layer": True, "gate": "snr",
    "snr_budget": 1.5, "temperature": 1.0, "entropy_penalty": 0.0, "solver": "adam",
    "learning_rate": 0.002, "scores_learning_rate": 0.01, "weight_decay": 0.1, "momentum": 0.9,
    "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-08, "batch_size": 64, "max_epochs": 1,
    "refine_epochs": 0, "n_bootstrap": 0, "early_stopping": True, "validation_fraction": 0.1,
    "n_iter_no_change": 15, "tol": 0.0001, "standardize": True, "random_state": 0,
    "n_threads": 1, "verbose": 0, "kernel": "portable",
}


def arr(shape, values=None):
    n = 1
    for s in shape:
        n *= s
    return {"shape": list(shape), "data": list(values) if values is not None else [0.25] * n}


def minimal(task):
    """The smallest valid document: 2 features, one hidden layer of 2, one epoch."""
    k = 2 if task == "classification" else 1
    return {
        "format": "scoresactivation", "format_version": 2, "library_version": "0.1.0",
        "estimator": "ScoresActivationClassifier" if task == "classification" else "ScoresActivationRegressor",
        "task": task, "params": copy.deepcopy(PARAMS), "seed": 0,
        "n_features": 2, "n_outputs": k, "n_epochs_run": 1, "best_epoch": 1,
        "feature_names": ["a", "b"], "classes": ["x", "y"] if task == "classification" else None,
        "arrays": {
            "input_mean": arr([2]), "input_scale": arr([2], [1.0, 2.0]),
            "target_mean": arr([1], [0.0]), "target_scale": arr([1], [1.0]),
            "scores": arr([2]), "scores_history": arr([1, 2], [0.5, 0.5]),
            "dense_0_weight": arr([2, 2]), "dense_0_bias": arr([2]),
            "dense_1_weight": arr([2, k]), "dense_1_bias": arr([k]),
            "loss_curve": arr([1], [0.5]), "validation_loss_curve": arr([1], [0.6]),
        },
    }


def variants():
    """(name, document or raw text) pairs; each changes one thing of a minimal document."""
    reg, cls = minimal("regression"), minimal("classification")
    out = [("min_regression", reg), ("min_classification", cls)]

    def edit(name, base, fn):
        doc = copy.deepcopy(base)
        fn(doc)
        out.append((name, doc))

    def setter(path, value):
        def fn(doc):
            node = doc
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        return fn

    def deleter(path):
        def fn(doc):
            node = doc
            for key in path[:-1]:
                node = node[key]
            del node[path[-1]]
        return fn

    # Claimed sizes far beyond the data: nothing may be allocated from them.
    edit("claim_n_features_2e9", reg, setter(["n_features"], 2000000000))
    edit("claim_n_features_2e9_shapes", reg, lambda d: d["arrays"].update(
        input_mean={"shape": [2000000000], "data": [0.0]}, scores_history={"shape": [1, 2000000000], "data": []}))
    edit("claim_n_outputs_huge", cls, setter(["n_outputs"], 16777216))
    edit("claim_epochs_huge", reg, setter(["n_epochs_run"], 1e12))
    edit("claim_hidden_huge", reg, setter(["params", "hidden_layer_sizes"], [16777216, 16777216]))
    edit("claim_hidden_many", reg, setter(["params", "hidden_layer_sizes"], [2] * 1000))
    edit("claim_bootstrap_huge", reg, setter(["params", "n_bootstrap"], 100000))
    edit("claim_batch_huge", reg, setter(["params", "batch_size"], 1e300))
    edit("shape_product_overflow", reg, setter(["arrays", "scores_history"], {"shape": [4294967296, 4294967296], "data": []}))
    edit("shape_max_dims", reg, setter(["arrays", "dense_0_weight"], {"shape": [16777216, 16777216], "data": [1.0]}))
    edit("shape_huge_float", reg, setter(["arrays", "input_mean"], {"shape": [1e308], "data": [0.0, 0.0]}))
    edit("shape_3d", reg, setter(["arrays", "scores_history"], {"shape": [1, 1, 2], "data": [0.5, 0.5]}))
    edit("shape_empty", reg, setter(["arrays", "target_mean"], {"shape": [], "data": [0.0]}))
    edit("shape_zero", reg, setter(["arrays", "input_mean"], {"shape": [0], "data": []}))
    edit("shape_fraction", reg, setter(["arrays", "input_mean"], {"shape": [2.5], "data": [0.0, 0.0]}))
    # Negative sizes.
    edit("negative_n_features", reg, setter(["n_features"], -3))
    edit("negative_shape", reg, setter(["arrays", "input_mean"], {"shape": [-1], "data": []}))
    edit("negative_shape_pair", reg, setter(["arrays", "dense_0_weight"], {"shape": [-2, -2], "data": [1.0] * 4}))
    edit("negative_hidden", reg, setter(["params", "hidden_layer_sizes"], [-1]))
    edit("negative_bootstrap", reg, setter(["params", "n_bootstrap"], -1))
    edit("negative_best_epoch", reg, setter(["best_epoch"], -1))
    edit("zero_best_epoch", reg, setter(["best_epoch"], 0))
    edit("best_epoch_after_run", reg, setter(["best_epoch"], 2))
    # Non-finite numbers, as Python's json writes them (NaN, Infinity).
    edit("nan_weights", reg, setter(["arrays", "dense_0_weight"], arr([2, 2], [NAN] * 4)))
    edit("nan_scores", reg, setter(["arrays", "scores"], arr([2], [NAN, 0.0])))
    edit("inf_input_scale", reg, setter(["arrays", "input_scale"], arr([2], [INF, -INF])))
    edit("zero_input_scale", reg, setter(["arrays", "input_scale"], arr([2], [0.0, -1.0])))
    edit("zero_target_scale", reg, setter(["arrays", "target_scale"], arr([1], [0.0])))
    edit("nan_validation_loss", reg, setter(["arrays", "validation_loss_curve"], arr([1], [NAN])))
    edit("inf_validation_loss", reg, setter(["arrays", "validation_loss_curve"], arr([1], [INF])))
    edit("nan_n_features", reg, setter(["n_features"], NAN))
    edit("inf_temperature", reg, setter(["params", "temperature"], INF))
    edit("tiny_temperature", reg, setter(["params", "temperature"], 5e-324))
    edit("huge_snr_budget", reg, setter(["params", "snr_budget"], 1e6))
    edit("huge_weights", reg, setter(["arrays", "dense_1_weight"], arr([2, 1], [1.7e308, 1.7e308])))
    edit("huge_scores", reg, setter(["arrays", "scores"], arr([2], [1.7e308, -1.7e308])))
    edit("nan_seed", reg, setter(["seed"], NAN))
    edit("huge_seed", reg, setter(["seed"], 1.8446744073709552e19))
    # Missing keys.
    for key in ["format", "format_version", "task", "estimator", "params", "seed", "n_features",
                "n_outputs", "n_epochs_run", "best_epoch", "arrays", "classes"]:
        edit("missing_" + key, cls, deleter([key]))
    for key in ["input_mean", "input_scale", "target_scale", "scores", "scores_history", "dense_1_bias",
                "dense_0_weight", "loss_curve", "validation_loss_curve"]:
        edit("missing_array_" + key, reg, deleter(["arrays", key]))
    edit("missing_shape", reg, deleter(["arrays", "input_mean", "shape"]))
    edit("missing_data", reg, deleter(["arrays", "input_mean", "data"]))
    edit("missing_params_all", reg, setter(["params"], {}))
    # Wrong types.
    edit("type_n_features_string", reg, setter(["n_features"], "2"))
    edit("type_n_features_bool", reg, setter(["n_features"], True))
    edit("type_n_features_float", reg, setter(["n_features"], 2.5))
    edit("type_format_version_float", reg, setter(["format_version"], 1.5))
    edit("type_format_version_string", reg, setter(["format_version"], "2"))
    edit("format_version_newer", reg, setter(["format_version"], 3))
    edit("format_version_zero", reg, setter(["format_version"], 0))
    edit("format_version_huge", reg, setter(["format_version"], 1e300))
    edit("type_params_list", reg, setter(["params"], [1, 2]))
    edit("type_arrays_list", reg, setter(["arrays"], [arr([2])]))
    edit("type_array_entry_number", reg, setter(["arrays", "input_mean"], 1.0))
    edit("type_shape_number", reg, setter(["arrays", "input_mean"], {"shape": 2, "data": [0.0, 0.0]}))
    edit("type_data_object", reg, setter(["arrays", "input_mean"], {"shape": [2], "data": {"0": 0.0, "1": 0.0}}))
    edit("type_data_strings", reg, setter(["arrays", "input_mean"], {"shape": [2], "data": ["0", "1"]}))
    edit("type_data_nested", reg, setter(["arrays", "dense_0_weight"], {"shape": [2, 2], "data": [[1.0, 1.0], [1.0, 1.0]]}))
    edit("type_data_nulls", reg, setter(["arrays", "input_mean"], {"shape": [2], "data": [None, None]}))
    edit("type_hidden_string", reg, setter(["params", "hidden_layer_sizes"], "2"))
    edit("type_hidden_number", reg, setter(["params", "hidden_layer_sizes"], 2))
    edit("type_hidden_empty", reg, setter(["params", "hidden_layer_sizes"], []))
    edit("type_hidden_floats", reg, setter(["params", "hidden_layer_sizes"], [2.0]))
    edit("type_scores_layer_number", reg, setter(["params", "scores_layer"], 1))
    edit("type_activation_unknown", reg, setter(["params", "activation"], "gelu"))
    edit("type_kernel_avx2", reg, setter(["params", "kernel"], "avx2"))
    edit("type_kernel_unknown", reg, setter(["params", "kernel"], "cuda"))
    edit("type_gate_unknown", reg, setter(["params", "gate"], "both"))
    edit("type_random_state_string", reg, setter(["params", "random_state"], "0"))
    edit("type_random_state_null", reg, setter(["params", "random_state"], None))
    edit("type_n_threads_zero", reg, setter(["params", "n_threads"], 0))
    edit("type_n_threads_huge", reg, setter(["params", "n_threads"], 1e9))
    edit("type_verbose_bool", reg, setter(["params", "verbose"], True))
    edit("type_unknown_param", reg, setter(["params", "colour"], "blue"))
    edit("type_task_unknown", reg, setter(["task"], "ranking"))
    edit("type_task_number", reg, setter(["task"], 1))
    edit("type_estimator_mismatch", reg, setter(["estimator"], "ScoresActivationClassifier"))
    edit("type_root_extra", reg, setter(["extra"], {"nested": [1, {"x": None}]}))
    edit("classes_one", cls, lambda d: (d.update(classes=["x"], n_outputs=1)))
    edit("classes_duplicate", cls, setter(["classes"], ["x", "x"]))
    edit("classes_mixed", cls, setter(["classes"], ["x", 1]))
    edit("classes_numbers", cls, setter(["classes"], [0, 1]))
    edit("classes_booleans", cls, setter(["classes"], [False, True]))
    edit("classes_nan", cls, setter(["classes"], [NAN, 1]))
    edit("classes_objects", cls, setter(["classes"], [{}, []]))
    edit("classes_for_regression", reg, setter(["classes"], ["x"]))
    edit("feature_names_short", reg, setter(["feature_names"], ["a"]))
    edit("feature_names_numbers", reg, setter(["feature_names"], [1, 2]))
    edit("feature_names_duplicate", reg, setter(["feature_names"], ["a", "a"]))
    edit("feature_names_unicode", reg, setter(["feature_names"], ["\u00e9\u0000", "\ud83d\ude00"]))
    edit("no_scores_layer_with_scores", reg, setter(["params", "scores_layer"], False))
    edit("no_scores_layer", reg, lambda d: (d["params"].update(scores_layer=False),
                                            d["arrays"].pop("scores"), d["arrays"].pop("scores_history")))
    edit("bootstrap_without_array", reg, setter(["params", "n_bootstrap"], 3))
    edit("bootstrap_with_array", reg, lambda d: (d["params"].update(n_bootstrap=2),
                                                 d["arrays"].update(scores_bootstrap=arr([2, 2], [0.5] * 4))))
    edit("unexpected_array", reg, setter(["arrays", "dense_9_weight"], arr([2, 2])))
    edit("validation_loss_empty", reg, setter(["arrays", "validation_loss_curve"], arr([0], [])))
    edit("version_1", reg, lambda d: (d.update(format_version=1),
                                      [d["params"].pop(k) for k in ("gate", "snr_budget", "refine_epochs", "n_bootstrap")]))
    edit("version_1_with_gate", reg, setter(["format_version"], 1))
    edit("deep_params_value", reg, setter(["params", "verbose"], json.loads("[" * 200 + "]" * 200)))
    edit("deep_extra", reg, setter(["extra"], json.loads("{\"a\":" * 200 + "1" + "}" * 200)))

    # Raw texts: no document at all, duplicates, nesting beyond every front end.
    text = json.dumps(reg)
    out += [
        ("root_array", "[]"), ("root_string", "\"scoresactivation\""), ("root_number", "2"),
        ("root_null", "null"), ("root_nan", "NaN"), ("empty_object", "{}"),
        ("duplicate_keys", text[:-1] + ", \"n_features\": 2000000000}"),
        ("duplicate_arrays", text.replace("\"arrays\": {", "\"arrays\": {\"input_mean\": {\"shape\": [3], \"data\": [1, 2, 3]}, ", 1)),
        ("duplicate_params", text.replace("\"params\": {", "\"params\": {\"hidden_layer_sizes\": [16777216], ", 1)),
        ("nest_500", "[" * 500 + "]" * 500),
        ("nest_5000", "[" * 5000 + "]" * 5000),
        ("nest_objects_500", "{\"a\":" * 500 + "null" + "}" * 500),
        ("truncated", text[: len(text) // 2]),
        ("bom", "\ufeff" + text),
        ("big_integer", text.replace("\"seed\": 0", "\"seed\": " + "9" * 400, 1)),
        ("big_exponent", text.replace("\"n_features\": 2", "\"n_features\": 2e400", 1)),
        # Python's json reads lone surrogates into str, which is not UTF-8.
        ("lone_surrogate_key", "{\"format\": \"scoresactivation\", \"\\ud800\": 1}"),
        ("lone_surrogate_value", text.replace("[\"a\", \"b\"]", "[\"\\udfff\", \"b\"]", 1)),
    ]
    return out


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir()
    for path in sorted(FIXTURES.glob("*_model.json")) + sorted(FIXTURES.glob("v1/*_model.json")):
        version = "v1" if path.parent.name == "v1" else "v2"
        shutil.copy(path, CORPUS / f"fixture_{version}_{path.name}")
    for name, doc in variants():
        text = doc if isinstance(doc, str) else json.dumps(doc, allow_nan=True)
        (CORPUS / f"{name}.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(list(CORPUS.iterdir()))} seeds to {CORPUS}")


if __name__ == "__main__":
    main()
