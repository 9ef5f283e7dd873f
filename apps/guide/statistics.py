"""A check's statistics and parameters in words, written from what the registry declares:
its parameter schema (defaults, ranges, choices) says which interval, test, sample and
minimum sizes the check uses, so the guide never drifts from the engine.

A sentence belongs to a parameter, not to a check: every check that declares
`n_bootstrap` gets the same sentence about its bootstrap interval, with its own defaults.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.evaluations.engine.registry import Check

Defaults = dict[str, Any]


def _percent(value: float) -> str:
    return f"{value:.1%}".replace(".0%", "%")


def _bootstrap(defaults: Defaults) -> str:
    level = _percent(defaults.get("confidence_level", 0.95))
    return (
        f"Its metrics carry a {level} percentile bootstrap confidence interval, from "
        f"{defaults['n_bootstrap']} resamples of the evaluation rows (n_bootstrap, "
        "confidence_level). The interval shows how far the value could move on another "
        "sample of the same size: a value close to the threshold with a wide interval is "
        "weak evidence either way."
    )


def _significance_gate(defaults: Defaults) -> str:
    return (
        f"The check runs its own statistical test at a significance level of "
        f"{defaults['alpha']} (alpha). When the test finds the difference within what chance "
        "alone would give, the criterion passes rather than fail on noise; the result's "
        "message names the test."
    )


def _baseline_gate(defaults: Defaults) -> str:
    state = "on" if defaults["require_significance"] else "off"
    return (
        f"With require_significance on ({state} by default), the criterion fails only when "
        "the bootstrap interval of the difference between the model's and the baseline's "
        "errors lies wholly on one side of zero."
    )


def _null_resamples(defaults: Defaults) -> str:
    return (
        f"Its test compares the observed value with {defaults['resamples']} resamples drawn "
        "as a perfectly calibrated model would produce them (resamples)."
    )


def _cross_validation(defaults: Defaults) -> str:
    return (
        f"The classifier it trains is scored out of fold, with {defaults['cv_folds']}-fold "
        "cross-validation (cv_folds), so no row is scored by a model that learnt from it."
    )


def _sample(defaults: Defaults) -> str:
    return (
        f"It works on at most {defaults['max_rows']:,} rows (max_rows); on more it draws a "
        "random sample of that many."
    )


def _seed(defaults: Defaults) -> str:
    return (
        f"Its random draws start from a fixed seed ({defaults['seed']}), so the same data "
        "give the same result."
    )


def _minimum(sentence: str) -> Callable[[Defaults], str]:
    return lambda defaults: sentence.format(**defaults)


# In the order the paragraph reads: the interval, the gates, the sample, the minimum sizes.
_SENTENCES: list[tuple[str, Callable[[Defaults], str]]] = [
    ("n_bootstrap", _bootstrap),
    ("alpha", _significance_gate),
    ("require_significance", _baseline_gate),
    ("resamples", _null_resamples),
    ("cv_folds", _cross_validation),
    ("max_rows", _sample),
    ("seed", _seed),
    (
        "min_group_size",
        _minimum("Groups of fewer than {min_group_size} rows are reported but not judged "
                 "(min_group_size): on fewer rows a rate is mostly noise."),
    ),
    (
        "min_class_support",
        _minimum("The lowest class recall counts only classes with at least "
                 "{min_class_support} rows (min_class_support)."),
    ),
    (
        "min_rows",
        _minimum("A column with fewer than {min_rows} rows on either side is not tested "
                 "(min_rows)."),
    ),
    (
        "min_slice_size",
        _minimum("Only slices of at least {min_slice_size} rows are tested (min_slice_size), "
                 "and their p-values are corrected for testing many slices."),
    ),
    (
        "min_bin_count",
        _minimum("The largest gap reads only bins of at least {min_bin_count} rows "
                 "(min_bin_count)."),
    ),
]  # fmt: skip

EXACT = (
    "It draws no sample and runs no statistical test: its values are computed on every row "
    "given, so a rerun on the same data gives the same values."
)


def parameter_defaults(check: Check) -> Defaults:
    """Each parameter's default, as the schema declares it."""
    properties = check.params_schema.get("properties", {})
    return {name: spec.get("default") for name, spec in properties.items()}


def statistics_sentences(check: Check) -> list[str]:
    """The statistics the check uses, one sentence each, from its parameters' defaults."""
    defaults = parameter_defaults(check)
    sentences = [write(defaults) for name, write in _SENTENCES if name in defaults]
    return sentences or [EXACT]


# What the shared parameters mean; a parameter of one check alone is described by its
# check's own text (the metrics and "what it measures" name it).
_MEANINGS = {
    "alpha": "Significance level of the check's statistical test.",
    "n_bootstrap": "Resamples behind each bootstrap interval.",
    "confidence_level": "How often the interval should cover the true value.",
    "seed": "Start of the random draws; the same seed gives the same result.",
    "max_rows": "Rows beyond which the check works on a random sample.",
    "columns": "The columns looked at: a named group or a list of column names.",
    "reference": "The dataset compared with; auto takes the first one given.",
    "top_rows": "How many flagged rows the result keeps.",
    "cv_folds": "Folds of the cross-validation.",
    "resamples": "Resamples drawn for the check's test.",
    "require_significance": "Fail only on a difference the bootstrap interval confirms.",
    "min_group_size": "Smallest group that is judged.",
    "min_class_support": "Smallest class counted in the lowest class recall.",
    "min_rows": "Fewest rows on each side for a column to be tested.",
    "min_slice_size": "Smallest slice that is tested.",
    "min_bin_count": "Fewest rows in a bin for the largest gap to read it.",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str
    accepts: str
    meaning: str


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value in ({}, []):
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


_TYPE_WORDS = {"integer": "a whole number", "number": "a number", "boolean": "true or false",
               "string": "text", "array": "a list", "object": "a mapping"}  # fmt: skip


def _accepts(spec: dict[str, Any]) -> str:
    """What values a parameter takes, in words: choices, a range, a type."""
    if "enum" in spec:
        return "one of " + ", ".join(str(option) for option in spec["enum"])
    if "anyOf" in spec:
        return " or ".join(_accepts(option) for option in spec["anyOf"])
    kind = spec.get("type")
    if isinstance(kind, list):
        return " or ".join(_TYPE_WORDS.get(str(one), str(one)) for one in kind)
    text = _TYPE_WORDS.get(str(kind), str(kind or "any value"))
    if kind == "array" and spec.get("items", {}).get("type") == "string":
        text = "a list of names"
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None and high is not None:
        return f"{text} from {low} to {high}"
    if low is not None:
        return f"{text} of at least {low}"
    if high is not None:
        return f"{text} of at most {high}"
    return text


def parameter_rows(check: Check) -> list[Parameter]:
    """The check's parameters with their defaults and the values they accept."""
    return [
        Parameter(
            name=name,
            default=_value_text(spec.get("default")),
            accepts=_accepts(spec),
            meaning=_MEANINGS.get(name, ""),
        )
        for name, spec in check.params_schema.get("properties", {}).items()
    ]
