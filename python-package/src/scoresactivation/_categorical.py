"""Categorical variables: the encoding both front ends apply (docs/categorical.md).

The rule, the same in R:

- a pandas ``category``, ``object`` or ``string`` column is categorical (R:
  a factor or character column); bool and numbers are numeric;
- its levels, as strings: a category's categories in their order (R: the
  factor's levels); otherwise the sorted distinct values (code-point order,
  R's ``sort(method = "radix")``);
- each categorical variable becomes one column per level (all levels, none
  dropped), and its columns share one score in the network's gate (the
  core's score groups): one score per variable;
- a missing value in a categorical variable is an error; a level not seen in
  fit is an error under ``handle_unknown="error"`` and all zeros under
  ``"ignore"``, but a variable none of whose values is a known level is an
  error either way (most likely the wrong column).
"""

import numpy as np

_MAX_REPORTED = 5


def _pandas():
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas comes with the test and docs extras
        return None
    return pandas


def _is_categorical(series, pd):
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return False
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _as_levels(values):
    return [str(v) for v in values]


class VariableEncoding:
    """The input variables of a model fitted on a DataFrame with categorical
    columns: each ``{"name": str, "levels": None or list of str}``, as the
    model file's ``variables`` key holds them."""

    def __init__(self, variables):
        self.variables = [{"name": str(v["name"]),
                           "levels": None if v["levels"] is None else [str(level) for level in v["levels"]]}
                          for v in variables]
        self.widths = [1 if v["levels"] is None else len(v["levels"]) for v in self.variables]

    @property
    def names(self):
        return [v["name"] for v in self.variables]

    @property
    def n_columns(self):
        return int(sum(self.widths))

    @property
    def column_names(self):
        """The encoded columns: ``name`` or ``name=level``."""
        out = []
        for v in self.variables:
            out.extend([v["name"]] if v["levels"] is None else [f"{v['name']}={level}" for level in v["levels"]])
        return out

    def aggregate(self, values, axis=1):
        """Sums each variable's columns along ``axis`` (attributions are additive)."""
        values = np.asarray(values)
        bounds = np.cumsum([0] + self.widths)
        parts = [np.take(values, range(bounds[g], bounds[g + 1]), axis=axis).sum(axis=axis, keepdims=True)
                 for g in range(len(self.widths))]
        return np.concatenate(parts, axis=axis)

    # ------------------------------------------------------------- learn
    @classmethod
    def learn(cls, X):
        """The encoding of a DataFrame with at least one categorical column, else None."""
        pd = _pandas()
        if pd is None or not isinstance(X, pd.DataFrame):
            return None
        if not any(_is_categorical(X[c], pd) for c in X.columns):
            return None
        variables = []
        for name in X.columns:
            if not isinstance(name, str):
                raise ValueError(f"X has categorical columns, so every column name must be a string; got {name!r}")
            column = X[name]
            if not _is_categorical(column, pd):
                variables.append({"name": name, "levels": None})
                continue
            missing = column.isna()
            if missing.any():
                raise ValueError(f"X column {name!r} (categorical) has {int(missing.sum())} missing value(s); "
                                 "give them a level of their own or drop those rows")
            if isinstance(column.dtype, pd.CategoricalDtype):
                levels = _as_levels(column.cat.categories)
            else:
                levels = sorted(set(_as_levels(column.tolist())))
            if not levels:
                raise ValueError(f"X column {name!r} (categorical) has no levels")
            if len(set(levels)) != len(levels):
                raise ValueError(f"X column {name!r} has levels that are equal as text: {levels}")
            variables.append({"name": name, "levels": levels})
        encoding = cls(variables)
        seen = {}
        for column in encoding.column_names:
            if column in seen:
                raise ValueError(f"X's encoded column {column!r} occurs twice (a column named like a "
                                 "variable=level pair); rename the column or the level")
            seen[column] = True
        return encoding

    # --------------------------------------------------------- transform
    def transform(self, X, handle_unknown="error"):
        """The encoded float64 matrix (n, n_columns) of a DataFrame holding the variables (by name)."""
        pd = _pandas()
        if pd is None or not isinstance(X, pd.DataFrame):
            raise ValueError(f"this model was fitted on a DataFrame with categorical columns; pass a DataFrame "
                             f"with the columns {self.names}, got {type(X).__name__}")
        absent = [n for n in self.names if n not in X.columns]
        if absent:
            raise ValueError(f"X lacks the column(s) {absent} the model was fitted on")
        n = len(X)
        out = np.zeros((n, self.n_columns), dtype=np.float64, order="F")
        start = 0
        for v, width in zip(self.variables, self.widths):
            column = X[v["name"]]
            if v["levels"] is None:
                try:
                    out[:, start] = np.asarray(column, dtype=np.float64)
                except (TypeError, ValueError):
                    raise ValueError(f"X column {v['name']!r} must be numeric, as in fit") from None
                if not np.all(np.isfinite(out[:, start])):
                    raise ValueError(f"X column {v['name']!r} contains NaN or infinity")
            else:
                self._one_hot(column, v, out[:, start:start + width], handle_unknown, pd)
            start += width
        return out

    @staticmethod
    def _one_hot(column, variable, block, handle_unknown, pd):
        name, levels = variable["name"], variable["levels"]
        missing = column.isna().to_numpy()
        if missing.any():
            raise ValueError(f"X column {name!r} (categorical) has {int(missing.sum())} missing value(s)")
        position = {level: j for j, level in enumerate(levels)}
        codes = np.fromiter((position.get(str(value), -1) for value in column.tolist()), dtype=np.int64,
                            count=len(column))
        unknown = codes < 0
        if unknown.any():
            unseen = list(dict.fromkeys(str(value) for value, u in zip(column.tolist(), unknown) if u))
            shown = ", ".join(repr(u) for u in unseen[:_MAX_REPORTED]) + (" ..." if len(unseen) > _MAX_REPORTED else "")
            if unknown.all():
                raise ValueError(f"no value of X column {name!r} is a level seen in fit ({shown}; levels: {levels}); "
                                 "is it the right column?")
            if handle_unknown != "ignore":
                raise ValueError(f"X column {name!r} has level(s) not seen in fit: {shown} (levels: {levels}); "
                                 "handle_unknown='ignore' encodes them as all zeros")
        rows = np.flatnonzero(~unknown)
        block[rows, codes[rows]] = 1.0
