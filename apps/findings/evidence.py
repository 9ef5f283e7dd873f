"""A check result's numbers as the finding page lists them: observed values, threshold and
confidence interval, in words rather than the engine's keys."""

from typing import Any

from apps.evaluations.models import CheckResult


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


def evidence_values(result: CheckResult | None) -> list[tuple[str, str]]:
    """The observed values and confidence intervals of a result, as (name, text) rows."""
    if result is None:
        return []
    rows = []
    observed = result.observed if isinstance(result.observed, dict) else {}
    rows += [(f"Observed {_words(name)}", _shown(value)) for name, value in observed.items()]
    if result.threshold is not None:
        rows.append(("Threshold", f"{result.comparator} {_shown(result.threshold)}".strip()))
    if isinstance(result.ci, dict) and {"low", "high"} <= result.ci.keys():
        rows.append(("Confidence interval", _interval(result.ci)))
    elif isinstance(result.ci, dict):
        rows += [(f"Interval of {_words(key)}", _shown(value)) for key, value in result.ci.items()]
    elif result.ci:
        rows.append(("Confidence interval", _shown(result.ci)))
    return rows
