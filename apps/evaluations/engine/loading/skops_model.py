"""Loading a .skops archive with the server-side allowlist, and predicting with it."""

from pathlib import Path

import numpy as np
import pandas as pd

from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.loading.allowlist import trusted_skops_types


def load_skops(path: str | Path, extra_trusted: tuple[str, ...] = ()) -> "SklearnModel":
    """The estimator in a skops file, refusing any type not on the allowlist by name."""
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except Exception as error:  # skops raises many kinds on a malformed archive
        raise EngineError(
            f"The skops file cannot be read ({type(error).__name__}: {error})."
        ) from error
    allowed = trusted_skops_types(tuple(extra_trusted))
    refused = sorted(name for name in untrusted if name not in allowed)
    if refused:
        raise EngineError(
            "The skops file uses types Qualiti does not trust: "
            f"{', '.join(refused)}. Qualiti loads scikit-learn, numpy and scipy types only; "
            "rebuild the model from those, or ask an administrator to review and allow "
            "these types."
        )
    estimator = skops.io.load(path, trusted=list(untrusted))
    if not hasattr(estimator, "predict"):
        raise EngineError(
            f"The skops file holds a {type(estimator).__name__}, which has no predict method."
        )
    return SklearnModel(estimator)


class SklearnModel:
    def __init__(self, estimator) -> None:
        self.estimator = estimator
        classes = getattr(estimator, "classes_", None)
        self.classes = None if classes is None else np.asarray(classes)
        self.has_probabilities = self.classes is not None and _has_predict_proba(estimator)
        names = getattr(estimator, "feature_names_in_", None)
        self.feature_names = None if names is None else [str(name) for name in names]

    def info(self) -> dict:
        return {
            "task": "classification" if self.classes is not None else "regression",
            "classes": None if self.classes is None else self.classes.tolist(),
            "feature_names": self.feature_names,
            "n_features": getattr(self.estimator, "n_features_in_", None),
            "has_probabilities": self.has_probabilities,
        }

    def predict(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        """Labels (or values) and probabilities for a batch: one predict_proba pass, the
        labels being the most probable class."""
        inputs = frame if self.feature_names is not None else frame.to_numpy()
        if self.has_probabilities:
            probabilities = np.asarray(self.estimator.predict_proba(inputs), dtype=float)
            return self.classes[np.argmax(probabilities, axis=1)], probabilities
        return np.asarray(self.estimator.predict(inputs)).ravel(), None


def _has_predict_proba(estimator) -> bool:
    try:  # SVC(probability=False) and some pipelines raise AttributeError here
        return callable(getattr(estimator, "predict_proba", None))
    except AttributeError:
        return False
