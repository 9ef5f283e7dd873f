"""The evaluation context: datasets, the task, predictions computed once per dataset and
shared by every check, and a cache for statistics several checks reuse.

Roles: "evaluation" (always), "reference" (drift and degradation) and "train" (leakage,
overlap, baselines). Predictions come from a `PredictionSource` (see `sources`): the
sandboxed model (`runner.ModelSandbox`) or prediction and probability columns of the data.
"""

import contextlib
import functools
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal, TypeVar, cast, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.alignment import aligned, comparable
from apps.evaluations.engine.column_stats import NumberSummary, sorted_finite, sorted_numbers
from apps.evaluations.engine.data import column_kinds, column_list, left_out_columns_check
from apps.evaluations.engine.engine_settings import (
    EngineSettings as EngineSettings,  # re-exported: callers import it from here
)
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.sources import (
    BackgroundSource,
    ModelInfo,
    Predictions,
    PredictionSource,
    TimingSource,
    joined,
)
from apps.evaluations.engine.sources import (
    ColumnPredictions as ColumnPredictions,  # re-exported: callers import it from here
)

ROLES = ("evaluation", "reference", "train")
T = TypeVar("T")
# What `predict_frame_later` returns for `collect_frame`: ("later", the source's ticket, rows),
# ("done", the predictions, rows) or ("failed", the EngineError, rows).
FrameHandle = tuple[str, Any, int]
# What `benchmark_later` returns for `collect_benchmark`: ("later", the source's ticket) or
# ("done", the timings).
BenchmarkHandle = tuple[str, Any]


def _one_at_a_time(method: Callable[..., T]) -> Callable[..., T]:
    """A method that talks to the prediction source: checks running side by side take
    turns (the sandbox's requests and replies are one conversation)."""

    @functools.wraps(method)
    def wrapper(self: "EvaluationContext", *args: Any, **kwargs: Any) -> T:
        with self._source_lock:
            return method(self, *args, **kwargs)

    return wrapper


class EvaluationContext:
    """Everything a check may read. Build it once per run; checks never modify it."""

    def __init__(
        self,
        *,
        evaluation: pd.DataFrame,
        target: str,
        reference: pd.DataFrame | None = None,
        train: pd.DataFrame | None = None,
        sensitive: Sequence[str] = (),
        features: Sequence[str] | None = None,
        task: str | None = None,
        source: PredictionSource | None = None,
        positive_label: Any = None,
        settings: EngineSettings | None = None,
    ) -> None:
        self.frames = {"evaluation": evaluation, "reference": reference, "train": train}
        self.target = target
        self.sensitive = list(sensitive)
        self.source = source
        self.settings = settings or EngineSettings()
        self._cache: dict[Hashable, Any] = {}
        self._cache_lock = threading.Lock()
        self._source_lock = threading.RLock()  # the model's process: one request at a time
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._predictions: dict[str, Predictions | None] = {}
        self._requested: dict[str, list[Any]] = {}  # role → the source's tickets, in order
        self._failures: dict[str, EngineError] = {}  # role → why its predictions failed
        self._between_checks: list[Callable[[], None]] = []
        loading = self._background("wait_loaded")
        if loading is not None:
            loading.wait_loaded()
        # What the engine accepted but worked around, in words (the CLI prints each as a
        # "Warning:" line; a run shows them on its page).
        self.warnings: list[str] = left_out_columns_check(
            self.frames, target=target, sensitive=self.sensitive, features=features
        )
        if target not in evaluation.columns:
            raise EngineError(
                f"The target column {target!r} is not in the evaluation data (its columns "
                f"are: {column_list(evaluation)})."
            )
        missing = [name for name in self.sensitive if name not in evaluation.columns]
        if missing:
            raise EngineError(
                f"The sensitive column(s) {', '.join(map(repr, missing))} are not in the "
                "evaluation data."
            )
        info = source.info if source is not None else None
        excluded = {target, *getattr(source, "columns", ())}
        if features is None and info is not None and info.feature_names:
            features = list(info.feature_names)
        if features is None:
            features = [name for name in evaluation.columns if name not in excluded]
        self.features = list(features)
        absent = [name for name in self.features if name not in evaluation.columns]
        if absent:
            raise EngineError(
                f"The model's features {', '.join(map(repr, absent[:10]))}"
                f"{' and more' if len(absent) > 10 else ''} are not in the evaluation data."
            )
        self.task = task or self._infer_task(info)
        self.classes = self._infer_classes(info)
        self.positive_label = positive_label
        if self.task == "binary" and positive_label is None and self.classes is not None:
            self.positive_label = self.classes[-1]

    # --- datasets -------------------------------------------------------------------

    @overload
    def frame(self, role: Literal["evaluation"]) -> pd.DataFrame: ...  # always given

    @overload
    def frame(self, role: str) -> pd.DataFrame | None: ...

    def frame(self, role: str) -> pd.DataFrame | None:
        return self.frames[role]

    def has_labels(self, role: str) -> bool:
        frame = self.frames[role]
        return (
            frame is not None and self.target in frame.columns and frame[self.target].notna().any()
        )

    def labels(self, role: str) -> pd.Series:
        return self.frames[role][self.target]

    def kinds(self, role: str = "evaluation") -> dict[str, str]:
        return self.cached(("kinds", role), lambda: column_kinds(self.frames[role]))

    def number_summary(self, role: str, name: str) -> NumberSummary | None:
        """A numeric column's distinct count and dominant value (None when the column is
        not of a numeric type), kept for every check after the first."""

        def summarize() -> NumberSummary | None:
            numbers = sorted_numbers(self.frames[role][name])
            return None if numbers is None else NumberSummary.of(numbers)

        return self.cached(("summary", role, name), summarize)

    def sorted_finite(self, role: str, name: str) -> NDArray[np.float64]:
        """A column's finite values read as numbers, sorted; their summary is kept on the
        way (the sorted values are not: they are as large as the column)."""
        numbers = sorted_numbers(self.frames[role][name])
        if numbers is None:
            return sorted_finite(self.frames[role][name])
        self.cached(("summary", role, name), lambda: NumberSummary.of(numbers))
        return numbers.finite()

    def comparison_role(
        self, choice: str, prefer: tuple[str, ...] = ("reference", "train")
    ) -> str | None:
        """The dataset a check compares with: "reference", "train", or "auto" (the first
        of `prefer` that was given)."""
        if choice == "auto":
            return next((role for role in prefer if self.frames[role] is not None), None)
        return choice if self.frames[choice] is not None else None

    # --- predictions ----------------------------------------------------------------

    @_one_at_a_time
    def request_predictions(self, roles: Sequence[str] = ROLES[:2]) -> None:
        """Let the sandboxed model predict these datasets while the checks of the data run;
        in parts, so it starts on the first, which the command line staged as it read."""
        if (background := self._background("predict_later")) is None:
            return
        part = self.settings.prediction_part_rows
        for role in roles:
            frame = self.frames[role]
            if frame is None or role in self._predictions or role in self._requested:
                continue
            parts: list[Any] = []  # files written as the dataset was read, if it was
            if hasattr(background, "staged"):
                parts = background.staged(role, self.features, len(frame))
            parts = parts or [frame.iloc[at : at + part] for at in range(0, len(frame), part)]
            try:
                self._require_features(role, frame)
                self._requested[role] = [background.predict_later(p, self.features) for p in parts]
            except EngineError as error:  # raised by the first check that needs them
                self._failures[role] = error

    def predictions(self, role: str = "evaluation") -> Predictions | None:
        """The model's outputs on a dataset, computed on first use, then shared."""
        if role in self._predictions:
            return self._predictions[role]
        with self._source_lock:
            return self._predictions_once(role)

    def _predictions_once(self, role: str) -> Predictions | None:
        if role in self._failures:
            raise self._failures[role]
        if role not in self._predictions:
            frame = self.frames[role]
            if frame is None or self.source is None:
                self._predictions[role] = None
            elif role in self._requested:
                try:
                    tickets = self._requested.pop(role)
                    parts = [self._ticketed().collect(ticket) for ticket in tickets]
                    self._predictions[role] = self._aligned(joined(parts), len(frame))
                except EngineError as error:  # every check that needs them meets it
                    self._failures[role] = error
                    raise
            else:
                self._require_features(role, frame)
                predictions = self.source.predict(frame, self.features)
                self._predictions[role] = self._aligned(predictions, len(frame))
        return self._predictions[role]

    @property
    def has_model(self) -> bool:
        """Whether new inputs can be predicted (a model, not prediction columns)."""
        if self.source is None:
            return False
        info = self.source.info
        return info is None or info.format != "columns"  # None: a model not loaded yet

    def predict_frame(self, frame: pd.DataFrame) -> Predictions:
        """The model's outputs on new inputs (perturbed rows, say), aligned to `classes`."""
        return self.collect_frame(self.predict_frame_later(frame))

    @_one_at_a_time
    def predict_frame_later(self, frame: pd.DataFrame) -> FrameHandle:
        """Start `predict_frame` (in the background where the source allows it) and return
        a handle for `collect_frame`; a failure is raised when collected."""
        source = self.source
        if source is None or not self.has_model:
            raise EngineError("This check predicts new inputs and needs a model.")
        background = self._background("predict_later")
        try:
            if background is not None:
                return ("later", background.predict_later(frame, self.features), len(frame))
            return ("done", source.predict(frame, self.features), len(frame))
        except EngineError as error:
            return ("failed", error, len(frame))

    @_one_at_a_time
    def collect_frame(self, handle: FrameHandle) -> Predictions:
        kind, value, rows = handle
        if kind == "failed":
            raise value
        predictions: Predictions = self._ticketed().collect(value) if kind == "later" else value
        return self._aligned(predictions, rows)

    @_one_at_a_time
    def benchmark_later(self, frame: pd.DataFrame, **options: int) -> BenchmarkHandle:
        """Start timing the model on rows of `frame` (see the sandbox's `benchmark`)."""
        background = self._background("benchmark_later")
        if background is not None:
            return ("later", background.benchmark_later(frame, self.features, **options))
        # Otherwise a source that times the model here (it raises if it cannot).
        timing = cast(TimingSource, self.source)
        return ("done", timing.benchmark(frame, self.features, **options))

    @_one_at_a_time
    def collect_benchmark(self, handle: BenchmarkHandle) -> dict[str, Any]:
        kind, value = handle
        timings: dict[str, Any] = self._ticketed().collect(value) if kind == "later" else value
        return timings

    @_one_at_a_time
    def frame_finished(self, handle: FrameHandle) -> bool:
        """Whether `collect_frame(handle)` would return without waiting."""
        kind, value, _ = handle
        return kind != "later" or self._ticketed().finished(value)

    def between_checks(self, work: Callable[[], None]) -> None:
        """Have `collect_finished` call `work` too: model work sent a part at a time sends
        the next parts (without waiting) while the checks run here."""
        self._between_checks.append(work)

    @_one_at_a_time
    def collect_finished(self) -> None:
        """Take in the requested predictions the model has finished, without waiting."""
        for role, tickets in list(self._requested.items()):
            # a failure is kept for the checks that need these predictions to report
            with contextlib.suppress(EngineError):
                if self._ticketed().finished(tickets[-1]):  # answered in order
                    self.predictions(role)
        for work in self._between_checks:
            work()

    @_one_at_a_time
    def release_model(self) -> None:
        """Free the model's process once every requested prediction is in (it restarts
        if a check needs it again), so the checks do not run beside it."""
        background = self._background("suspend")
        if not self._requested and background is not None:
            background.suspend()

    def _background(self, method: str) -> BackgroundSource | None:
        """The source, when it offers this method of a source that works in the background
        (the sandboxed model does; prediction columns and in-process models do not)."""
        return cast(BackgroundSource, self.source) if hasattr(self.source, method) else None

    def _ticketed(self) -> BackgroundSource:
        """The source that gave the tickets being collected: only a background one does."""
        return cast(BackgroundSource, self.source)

    def _require_features(self, role: str, frame: pd.DataFrame) -> None:
        if missing := [name for name in self.features if name not in frame.columns]:
            named = ", ".join(map(repr, missing[:10]))
            raise EngineError(f"The {role} data lacks the model's features {named}.")

    @overload
    def _aligned(self, predictions: Predictions, rows: int) -> Predictions: ...

    @overload
    def _aligned(self, predictions: Predictions | None, rows: int) -> Predictions | None: ...

    def _aligned(self, predictions: Predictions | None, rows: int) -> Predictions | None:
        """Probabilities with one column per class of `self.classes`, in that order."""
        if predictions is None:
            return None
        return aligned(predictions, rows, self.task, self.classes, self.positive_label)

    @property
    def class_labels(self) -> NDArray[Any]:
        """`classes`, for a classification task (a regression task has none)."""
        if self.classes is None:
            raise TypeError("a regression task has no classes")
        return self.classes

    def class_index(self, values: NDArray[Any] | pd.Series) -> NDArray[np.intp]:
        """Each label's position in `classes` (-1 for a label the model does not know)."""
        classes = self.class_labels
        # pandas ships no types here (no pandas-stubs): get_indexer's result is Any.
        positions: NDArray[np.intp] = pd.Index(classes).get_indexer(comparable(values, classes))
        return positions

    # --- cache ----------------------------------------------------------------------

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value several checks need (reference statistics, encodings), computed once,
        also when checks run side by side in threads (one lock per key)."""
        if key not in self._cache:
            with self._cache_lock:
                lock = self._key_locks.setdefault(key, threading.Lock())
            with lock:
                if key not in self._cache:
                    self._cache[key] = compute()
        value: T = self._cache[key]
        return value

    # --- inference ------------------------------------------------------------------

    def _infer_task(self, info: ModelInfo | None) -> str:
        if info is not None and info.task == "regression":
            return "regression"
        if info is not None and info.task == "classification" and info.classes:
            return "binary" if len(info.classes) <= 2 else "multiclass"
        target = self.frames["evaluation"][self.target].dropna()
        if pd.api.types.is_float_dtype(target.dtype):
            integral = bool(np.all(np.mod(target.to_numpy(), 1) == 0))
            if not integral or target.nunique() > 20:
                return "regression"
        elif pd.api.types.is_integer_dtype(target.dtype) and target.nunique() > 20:
            return "regression"
        return "binary" if target.nunique() <= 2 else "multiclass"

    def _infer_classes(self, info: ModelInfo | None) -> NDArray[Any] | None:
        if self.task == "regression":
            return None
        if info is not None and info.classes:
            return np.asarray(info.classes)
        values = set(self.frames["evaluation"][self.target].dropna().tolist())
        for role in ("reference", "train"):
            frame = self.frames[role]
            if frame is not None and self.target in frame.columns:
                values |= set(frame[self.target].dropna().tolist())
            for name in getattr(self.source, "label_columns", ()):
                if frame is not None and name in frame.columns:
                    values |= set(frame[name].dropna().tolist())
        for name in getattr(self.source, "label_columns", ()):
            if name in self.frames["evaluation"].columns:
                values |= set(self.frames["evaluation"][name].dropna().tolist())
        try:
            return np.asarray(sorted(values))
        except TypeError:  # labels of mixed types
            return np.asarray(sorted(values, key=str), dtype=object)
