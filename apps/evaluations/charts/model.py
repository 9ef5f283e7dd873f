"""Charts of how well the model predicts: confusion matrix, ROC and precision-recall
curves, calibration (reliability) curve."""

from collections.abc import Iterable

from apps.evaluations.models import CheckResult
from qualiti.charts import (
    BLUE,
    Figure,
    Lines,
    category_axis,
    diagonal,
    layout,
    reference_line,
    unit_axis,
)

_CLASSIFICATION = "performance.classification"


def _classification_evidence(results: Iterable[CheckResult]) -> dict | None:
    for result in results:
        if result.check_key == _CLASSIFICATION and result.evidence:
            return result.evidence
    return None


def confusion_matrix(results: Iterable[CheckResult]) -> Figure | None:
    """Counts of true against predicted classes."""
    evidence = _classification_evidence(results) or {}
    matrix = evidence.get("confusion_matrix")
    if not matrix:
        return None
    classes = [str(label) for label in evidence.get("classes") or range(len(matrix))]
    return {
        "data": [{"type": "heatmap", "z": matrix, "x": classes, "y": classes,
                  "colorscale": "Blues", "reversescale": True, "showscale": False,
                  "texttemplate": "%{z}",
                  "hovertemplate": "true %{y}, predicted %{x}: %{z}<extra></extra>"}],
        "layout": layout("Confusion matrix",
                         xaxis=category_axis("predicted"),
                         yaxis=category_axis("true", autorange="reversed")),
    }  # fmt: skip


def _curve_name(curve: dict, evidence: dict, value: str) -> str:
    """Binary curves are named by their area alone; multiclass ones by their class too."""
    if evidence.get("positive_label") is not None:
        return value
    return f"{curve['class']} ({value})"


def roc_curve(results: Iterable[CheckResult]) -> Figure | None:
    """True against false positive rate as the threshold moves, with chance as a diagonal."""
    evidence = _classification_evidence(results) or {}
    curves = evidence.get("roc_curves")
    if not curves:
        return None
    data = [
        {"type": "scatter", "mode": "lines", "x": curve["fpr"], "y": curve["tpr"],
         "name": _curve_name(curve, evidence, f"AUC {curve['auc']:.3f}"),
         "hovertemplate": "false positives %{x:.3f}, true positives %{y:.3f}<extra></extra>"}
        for curve in curves
    ]  # fmt: skip
    if len(data) == 1:
        data[0]["line"] = {"color": BLUE}
    title = "ROC curves, one class against the rest"
    if len(curves) == 1:
        title = f"ROC curve of class {curves[0]['class']} (AUC {curves[0]['auc']:.3f})"
    return {
        "data": data,
        "layout": layout(title, xaxis=unit_axis("false positive rate"),
                         yaxis=unit_axis("true positive rate"), shapes=[diagonal()],
                         legend={"x": 1, "xanchor": "right", "y": 0}),
    }  # fmt: skip


def precision_recall_curve(results: Iterable[CheckResult]) -> Figure | None:
    """Precision against recall as the threshold moves; the base rate is what a model
    without skill reaches."""
    evidence = _classification_evidence(results) or {}
    curves = evidence.get("pr_curves")
    if not curves:
        return None
    data = [
        {"type": "scatter", "mode": "lines", "x": curve["recall"], "y": curve["precision"],
         "name": _curve_name(curve, evidence, f"AP {curve['average_precision']:.3f}"),
         "hovertemplate": "recall %{x:.3f}, precision %{y:.3f}<extra></extra>"}
        for curve in curves
    ]  # fmt: skip
    lines: Lines = {}
    if len(curves) == 1:
        data[0]["line"] = {"color": BLUE}
        lines = reference_line(curves[0]["base_rate"], label="base rate")
    title = "Precision-recall curves, one class against the rest"
    if len(curves) == 1:
        title = (
            f"Precision-recall curve of class {curves[0]['class']} "
            f"(AP {curves[0]['average_precision']:.3f})"
        )
    return {
        "data": data,
        "layout": layout(title, xaxis=unit_axis("recall"), yaxis=unit_axis("precision"),
                         legend={"x": 0, "y": 0}, **lines),
    }  # fmt: skip


def calibration_curve(results: Iterable[CheckResult]) -> Figure | None:
    """Observed frequency against mean predicted probability per bin (empty bins left
    out), with perfect calibration as the diagonal."""
    for result in results:
        if result.check_key != "calibration.classification":
            continue
        curve = result.evidence.get("reliability_curve") or {}
        bins = [
            (predicted, frequency, count)
            for predicted, frequency, count in zip(
                curve.get("mean_predicted", []), curve.get("observed_frequency", []),
                curve.get("count", []), strict=False)
            if predicted is not None and frequency is not None and count
        ]  # fmt: skip
        if not bins:
            continue
        predicted, frequency, counts = (list(column) for column in zip(*bins, strict=True))
        confidence = result.evidence.get("confidence") or "predicted probability"
        return {
            "data": [{"type": "scatter", "mode": "lines+markers", "x": predicted,
                      "y": frequency, "text": [f"{count} rows" for count in counts],
                      "name": "model", "line": {"color": BLUE},
                      "hovertemplate": "predicted %{x:.3f}, observed %{y:.3f} "
                                       "(%{text})<extra></extra>"}],
            "layout": layout("Calibration (reliability) curve",
                             xaxis=unit_axis(f"mean {confidence}"),
                             yaxis=unit_axis("observed frequency"), shapes=[diagonal()]),
        }  # fmt: skip
    return None
