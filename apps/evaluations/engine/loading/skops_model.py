"""Loading a .skops archive with the server-side allowlist, and predicting with it."""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.errors import ArtifactRefused, EngineError
from apps.evaluations.engine.gate.archive import ArchiveLimits
from apps.evaluations.engine.gate.model_structure import model_structure_check, model_task
from apps.evaluations.engine.gate.skops_file import skops_file_check


def load_skops(
    path: str | Path, extra_trusted: tuple[str, ...] = (), limits: ArchiveLimits | None = None
) -> "SklearnModel":
    """The estimator in a skops file that passed the gate, its trees checked."""
    import skops.io

    checked = skops_file_check(path, limits=limits, extra_trusted=extra_trusted)
    try:
        estimator = skops.io.load(path, trusted=checked.beyond_skops_defaults)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as error:
        raise ArtifactRefused(
            f"This .skops file was refused: skops cannot rebuild the model from it "
            f"({type(error).__name__}: {error})."
        ) from error
    if not hasattr(estimator, "predict"):
        raise EngineError(
            f"The skops file holds a {type(estimator).__name__}, which has no predict method."
        )
    model_structure_check(estimator)
    return SklearnModel(estimator, archive=checked.describe())


class SklearnModel:
    # Any: scikit-learn ships no types, and the estimator may be any allowed type.
    def __init__(self, estimator: Any, archive: dict[str, Any] | None = None) -> None:
        self.estimator = estimator
        self.archive = archive or {}
        classes = getattr(estimator, "classes_", None)
        self.classes = None if classes is None else np.asarray(classes)
        self.has_probabilities = self.classes is not None and _has_predict_proba(estimator)
        names = getattr(estimator, "feature_names_in_", None)
        self.feature_names = None if names is None else [str(name) for name in names]

    def info(self) -> dict[str, Any]:
        return {
            "task": "classification" if self.classes is not None else "regression",
            "classes": None if self.classes is None else self.classes.tolist(),
            "feature_names": self.feature_names,
            "n_features": getattr(self.estimator, "n_features_in_", None),
            "has_probabilities": self.has_probabilities,
        }

    def audit(self) -> dict[str, Any]:
        """What the upload records of the model: its task, classes and types."""
        task, classes = model_task(self.estimator)
        root = type(self.estimator)
        return {
            "format": "skops",
            "task": task,
            "classes": classes,
            "root_type": f"{root.__module__}.{root.__qualname__}",
            "feature_names": self.feature_names,  # None: fitted on an unnamed array
            **self.archive,
        }

    def smoke(self) -> None:
        """Predict one row of zeros (where the model tells its inputs): a model that hangs
        or crashes on it never reaches a run."""
        width = getattr(self.estimator, "n_features_in_", None)
        if self.feature_names is not None:
            row = pd.DataFrame([[0.0] * len(self.feature_names)], columns=self.feature_names)
        elif isinstance(width, int | np.integer):
            row = np.zeros((1, int(width)))
        else:
            return
        self.estimator.predict(row)

    def predict(self, frame: pd.DataFrame) -> tuple[NDArray[Any], NDArray[np.float64] | None]:
        """Labels (or values) and probabilities for a batch: one predict_proba pass, the
        labels being the most probable class."""
        inputs = frame if self.feature_names is not None else frame.to_numpy()
        if self.has_probabilities and self.classes is not None:  # the first implies the second
            probabilities = np.asarray(self.estimator.predict_proba(inputs), dtype=float)
            return self.classes[np.argmax(probabilities, axis=1)], probabilities
        return np.asarray(self.estimator.predict(inputs)).ravel(), None


def _has_predict_proba(estimator: Any) -> bool:
    try:  # SVC(probability=False) and some pipelines raise AttributeError here
        return callable(getattr(estimator, "predict_proba", None))
    except AttributeError:
        return False
