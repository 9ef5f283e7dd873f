"""A check result's numbers as the finding page lists them: observed values, threshold and
confidence interval, in words rather than the engine's keys. An observed value's row keeps
its metric's key, so the page shows the metric's name linked to the glossary."""

from typing import Any, NamedTuple

from apps.evaluations import engine
from apps.evaluations.models import CheckResult


class EvidenceRow(NamedTuple):
    label: str
    text: str
    metric: str = ""  # the metric's key, when the row is an observed value


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{_shown(value[0])} to {_shown(value[1])}"
    return "—" if value is None else str(value)


def _words(key: str) -> str:
    return str(key).replace("_", " ")


def _interval(ci: dict[str, Any]) -> str:
    """ "0.71 to 0.78 (95%, bootstrap, 1000 resamples)" from the engine's interval record."""
    how = []
    if isinstance(ci.get("level"), int | float):
        how.append(f"{ci['level'] * 100:.0f}%")
    if ci.get("method"):
        how.append(_words(ci["method"]))
    if ci.get("resamples"):
        how.append(f"{ci['resamples']} resamples")
    bounds = f"{_shown(ci['low'])} to {_shown(ci['high'])}"
    return f"{bounds} ({', '.join(how)})" if how else bounds


def evidence_values(result: CheckResult | None) -> list[EvidenceRow]:
    """The observed values, threshold and confidence interval of a result, as rows."""
    if result is None:
        return []
    rows = []
    observed = result.observed if isinstance(result.observed, dict) else {}
    rows += [
        EvidenceRow(engine.metric_name(name), _shown(value), metric=name)
        for name, value in observed.items()
    ]
    if result.threshold is not None:
        rows.append(
            EvidenceRow("Threshold", f"{result.comparator} {_shown(result.threshold)}".strip())
        )
    if isinstance(result.ci, dict) and {"low", "high"} <= result.ci.keys():
        rows.append(EvidenceRow("Confidence interval", _interval(result.ci)))
    elif isinstance(result.ci, dict):
        rows += [
            EvidenceRow(f"Interval of {_words(key)}", _shown(value))
            for key, value in result.ci.items()
        ]
    elif result.ci:
        rows.append(EvidenceRow("Confidence interval", _shown(result.ci)))
    return rows
