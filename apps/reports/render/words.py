"""Numbers and intervals as a report writes them (the tests read them back the same way)."""

from typing import Any

from apps.evaluations.models import CheckResult


def observed_value(result: CheckResult) -> Any:
    """The value of the metric the result was judged on, or None."""
    if not result.metric or not isinstance(result.observed, dict):
        return None
    return result.observed.get(result.metric)


def value_text(value: Any) -> str:
    """A number with four significant digits (integers whole), yes/no, or the text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4g}"
    return str(value)


def interval_text(ci: Any) -> str:
    """ "[low, high] (95%)" for a confidence interval, or nothing."""
    if not isinstance(ci, dict) or ci.get("low") is None or ci.get("high") is None:
        return ""
    level = ci.get("level")
    suffix = f" ({level:.0%})" if isinstance(level, int | float) else ""
    return f"[{value_text(ci['low'])}, {value_text(ci['high'])}]{suffix}"
