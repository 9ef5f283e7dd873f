"""Rows of the run page's tables read from the results' evidence: the weak segments
found, and the anomalous rows each anomaly check lists."""

from collections.abc import Iterable
from typing import Any

from apps.evaluations.models import CheckResult

_ANOMALY_SCORES = {
    # check: (what the score is, its key, the other columns shown as details)
    "anomaly.input_outliers": ("anomaly score", "anomaly_score", ()),
    "anomaly.confident_errors": ("confidence", "confidence", ("predicted", "label")),
    "anomaly.residual_outliers": ("robust z-score", "robust_z", ("residual",)),
}


def weak_segment_rows(results: Iterable[CheckResult]) -> list[dict[str, Any]]:
    """The significantly weak-performing slices the discovery found, weakest first (each
    once: the results of one search carry the same table), each saying whether it is a
    result of its own (a weak slice is not when its rows are mostly those of a weaker one,
    or past the cap of results per run)."""
    searches = [r for r in results if r.check_key == "weak_segments.discovery"]
    own_results = {result.subject for result in searches if result.subject}
    rows, seen = [], set()
    for result in searches:
        for found in result.evidence.get("slices", []):
            if found.get("slice") in seen:
                continue
            seen.add(found.get("slice"))
            gap_kind = _gap_kind(found.get("loss"), result.evidence.get("compared_with"))
            own = found.get("slice") in own_results
            rows.append({**found, "gap_kind": gap_kind, "own_result": own})
    return sorted(rows, key=lambda row: -(row.get("gap") or 0.0))


def _gap_kind(loss: str | None, compared_with: str | None) -> str:
    """What a slice's gap measures (see weak_segments.discovery's metric)."""
    if loss == "absolute error":
        return "its MAE over the overall MAE, minus 1"
    if compared_with == "expected":
        return "its error rate minus the rate the model's confidence promises"
    return "its error rate minus the overall error rate"


def anomaly_rows(results: Iterable[CheckResult], *, per_check: int = 10) -> list[dict[str, Any]]:
    """The highest-scoring rows of each anomaly check with their score (the evidence keeps
    up to 50 per check; the page shows the first `per_check`)."""
    rows = []
    for result in results:
        if result.check_key not in _ANOMALY_SCORES:
            continue
        score_name, score_key, details = _ANOMALY_SCORES[result.check_key]
        for shown in result.evidence.get("shown_rows", [])[:per_check]:
            described = [f"{name} {_shown(shown.get(name))}" for name in details if name in shown]
            rows.append({
                "check_key": result.check_key,
                "row": shown.get("row"),
                "score_name": score_name,
                "score": shown.get(score_key),
                "details": ", ".join(described),
            })  # fmt: skip
    return rows


def _shown(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
