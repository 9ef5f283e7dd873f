"""The registry of checks: each check is a small class in a family module, registered by
its stable dotted key (the contract with the criterion catalogue).

A check measures; it does not judge. `run()` returns one `Measurement` per subject (a
column, a group, a slice, or None for the whole dataset) with its observed metrics, and
the plan item's comparator and threshold decide pass or fail (see `evaluation`).
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import jsonschema

from apps.evaluations.engine.names import metric_name
from apps.evaluations.engine.results import CATEGORIES

if TYPE_CHECKING:
    from apps.evaluations.engine.context import EvaluationContext

TASK_TYPES = frozenset({"binary", "multiclass", "regression"})
CLASSIFICATION = frozenset({"binary", "multiclass"})
NEEDS = ("data", "predictions", "model")  # the order in which a plan's checks run
# What a check can read besides the evaluation data's features, in plain words: the target
# column's values (of any dataset), the model's predicted labels or values and its
# probabilities (on the datasets, or on rows the check made), the other two datasets.
READS = {
    "labels": "labels",
    "predictions": "predictions",
    "probabilities": "predicted probabilities",
    "reference": "reference data",
    "training": "training data",
}


@dataclass(frozen=True)
class CheckDocs:
    what: str  # what it measures
    why: str  # why it matters
    fix: str  # how a developer fixes a failure
    reference: str


@dataclass
class Measurement:
    """What a check observed on one subject, before a plan item judges it.

    `significant` is the check's own statistical gate (or one per metric): None when none;
    False means the observed difference is within noise, so the item cannot fail on it
    (drift: a corrected p-value above alpha). `test` says which test, for the message.
    `skipped` gives the reason when the check could not run on this subject.
    """

    subject: str | None
    observed: dict[str, Any] = field(default_factory=dict)
    ci: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    flagged_rows: list[int] = field(default_factory=list)
    sampling: dict[str, Any] | None = None
    significant: bool | dict[str, bool] | None = None  # a dict: per metric
    test: str = ""
    note: str = ""
    skipped: str | None = None


class Check:
    """Base class: subclasses set the class attributes and implement `run`."""

    key: ClassVar[str]
    name: ClassVar[str]  # what people read; the key stays for criteria and the API
    category: ClassVar[str]
    task_types: ClassVar[frozenset[str]] = TASK_TYPES
    params_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}}
    metrics: ClassVar[dict[str, str]]  # metric name → what it is
    default_metric: ClassVar[str]
    docs: ClassVar[CheckDocs]
    implemented: ClassVar[bool] = True
    # What the check needs beyond the data: "data" (nothing), "predictions" (the model's
    # outputs on the datasets) or "model" (it predicts new inputs itself). Checks of the
    # data run first, while the model is still predicting; those of the model run last,
    # their work queued at the start and done by the model meanwhile.
    needs: ClassVar[str] = "predictions"
    # What it reads (see READS) with its default parameters, and each dataset it may compare
    # with; a parameter can change it (drift.columns of the target column reads labels).
    # A run's launch refuses evaluation data without a target column for a plan of a check
    # that reads "labels". Every check declares it: there is no default to forget.
    reads: ClassVar[frozenset[str]]
    # A check that finds its subjects (weak slices) rather than measuring a fixed list of
    # them reports only those it finds: a subject it no longer finds is fixed. Its results'
    # evidence lists under "found_subjects" every subject it still finds, reported or not
    # (a cap, or one inside another), so such a subject is not taken for fixed.
    discovers_subjects: ClassVar[bool] = False
    # A check that sorts every numeric column anyway (column drift) runs first among those
    # of its kind, so the columns' summaries it leaves (see column_stats) spare the checks
    # after it a sort of their own.
    summarizes_columns: ClassVar[bool] = False
    # A check that reads those summaries (the dominant value, the distinct count) starts
    # after it when checks run side by side.
    reads_column_summaries: ClassVar[bool] = False

    def reads_with(self, params: dict[str, Any]) -> frozenset[str]:
        """What the check reads with these parameters (a column selection may leave the
        target out); `reads` by default."""
        return self.reads

    def run(self, context: "EvaluationContext", params: dict[str, Any]) -> list[Measurement]:
        raise NotImplementedError

    def prepare(self, context: "EvaluationContext", params: dict[str, Any]) -> None:
        """Called before any check runs: a check that calls the model can hand it its work
        now (`context.predict_frame_later`), so the model computes while the data checks
        run, and collect it in `run`."""

    def params_with_defaults(self, params: dict[str, Any] | None) -> dict[str, Any]:
        """The params validated against the schema, with defaults filled in.

        Raises jsonschema.ValidationError on an unknown or ill-typed parameter.
        """
        params = dict(params or {})
        schema = {"additionalProperties": False, **self.params_schema}
        jsonschema.validate(params, schema)
        for name, spec in self.params_schema.get("properties", {}).items():
            if name not in params and "default" in spec:
                params[name] = spec["default"]
        return params

    def describe(self) -> dict[str, Any]:
        """The check's documentation, as the catalogue and the pages show it."""
        return {
            "key": self.key,
            "name": self.name,
            "category": self.category,
            "task_types": sorted(self.task_types),
            "params_schema": self.params_schema,
            "metrics": self.metrics,
            "metric_names": {metric: metric_name(metric) for metric in self.metrics},
            "default_metric": self.default_metric,
            "docs": vars(self.docs),
            "implemented": self.implemented,
            "needs": self.needs,
            "reads": sorted(self.reads),
            "reads_in_words": reads_in_words(self.reads),
        }


REGISTRY: dict[str, Check] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: validate the check's declaration and add it to the registry."""
    if cls.key in REGISTRY:
        raise ValueError(f"check {cls.key} is registered twice")
    if cls.category not in CATEGORIES:
        raise ValueError(f"check {cls.key} has an unknown category {cls.category}")
    if not cls.task_types <= TASK_TYPES:
        raise ValueError(f"check {cls.key} has unknown task types")
    if cls.needs not in NEEDS:
        raise ValueError(f"check {cls.key} has an unknown `needs` {cls.needs}")
    reads = getattr(cls, "reads", None)
    if not isinstance(reads, frozenset) or not reads <= READS.keys():
        raise ValueError(f"check {cls.key} must declare `reads`, a frozenset of {sorted(READS)}")
    name = getattr(cls, "name", "")
    if not isinstance(name, str) or not name.strip() or name == cls.key:
        raise ValueError(f"check {cls.key} must have a `name` for people, not its key")
    if any(check.name == name for check in REGISTRY.values()):
        raise ValueError(f"check {cls.key}: another check is already named {name!r}")
    if cls.default_metric not in cls.metrics:
        raise ValueError(f"check {cls.key}: default metric {cls.default_metric} is not listed")
    jsonschema.Draft202012Validator.check_schema(cls.params_schema)
    REGISTRY[cls.key] = cls()
    return cls


def reads_in_words(reads: list[str] | frozenset[str]) -> str:
    """What a check reads, for a sentence: "labels, predictions and reference data"."""
    words = [READS[name] for name in READS if name in reads]
    if not words:
        return "nothing beyond the evaluation data's features"
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def get_check(key: str) -> Check:
    _load_families()
    return REGISTRY[key]


def registered_checks() -> dict[str, Check]:
    _load_families()
    return dict(REGISTRY)


def check_name(key: str) -> str:
    """A check's name for people; the key itself for a check no longer registered (an old
    result), so a page still says something true."""
    _load_families()
    check = REGISTRY.get(key)
    return check.name if check is not None else key


def _load_families() -> None:
    # Importing the family modules registers their checks.
    import apps.evaluations.engine.checks  # noqa: F401


# Small helpers for parameter schemas, so check declarations stay short.
def integer(default: int, minimum: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "integer", "default": default}
    if minimum is not None:
        spec["minimum"] = minimum
    if maximum is not None:
        spec["maximum"] = maximum
    return spec


def number(
    default: float, minimum: float | None = None, maximum: float | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "number", "default": default}
    if minimum is not None:
        spec["minimum"] = minimum
    if maximum is not None:
        spec["maximum"] = maximum
    return spec


def choice(default: str, options: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": options, "default": default}


def boolean(default: bool) -> dict[str, Any]:
    return {"type": "boolean", "default": default}


def columns_param(default: str, named: list[str]) -> dict[str, Any]:
    """A column selection: a named group ("features", "target", …) or a list of columns."""
    return {
        "default": default,
        "anyOf": [
            {"type": "string", "enum": named},
            {"type": "array", "items": {"type": "string"}},
        ],
    }


def schema(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}
