"""Reads of the Monitoring tab: the batches (production samples) with their runs, each
monitored metric over the batches against its threshold, and the findings the batches
opened. A fixed number of queries whatever the history."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.findings.models import Finding
from apps.monitoring.models import MonitoringSchedule
from apps.projects.models import Dataset, DatasetRole, Project

BATCHES_SHOWN = 30  # the latest samples; older ones stay on the Uploads tab


@dataclass
class Batch:
    """One production sample and the latest run on it (None before any); `label` names
    it on the charts' axis (its name, made unique)."""

    dataset: Dataset
    label: str = ""
    run: EvaluationRun | None = None


@dataclass
class MonitoredMetric:
    """One criterion's metric over the batches: a series per subject (a column, the
    prediction, or the whole sample), each point a batch's value and outcome."""

    code: str
    name: str
    category: str
    metric: str
    comparator: str
    threshold: float | None
    # subject -> batch label -> (value, outcome, run id)
    series: dict[str, dict[str, tuple[float, str, int]]] = field(default_factory=dict)

    @property
    def failing_points(self) -> int:
        points = [point for series in self.series.values() for point in series.values()]
        return sum(outcome == "fail" for _, outcome, _ in points)


def production_batches(*, project: Project, limit: int = BATCHES_SHOWN) -> list[Batch]:
    """The latest production samples, oldest first, each with its latest run."""
    samples = list(
        project.datasets.filter(role=DatasetRole.PRODUCTION_SAMPLE)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")[:limit]
    )
    batches = {sample.pk: Batch(dataset=sample, label=sample.name) for sample in reversed(samples)}
    names = Counter(sample.name for sample in samples)
    for batch in batches.values():
        if names[batch.label] > 1:  # the axis needs unique labels
            batch.label = (
                f"{batch.label} ({batch.dataset.created_at:%-d %b %H:%M}, #{batch.dataset.pk})"
            )
    runs = (
        EvaluationRun.objects.filter(dataset_id__in=list(batches))
        .select_related("test_plan", "model_version")
        .order_by("created_at", "id")
    )
    for run in runs:  # the latest run of each batch wins
        batches[run.dataset_id].run = run
    return list(batches.values())


def _value(observed: Any, metric: str) -> float | None:
    if isinstance(observed, dict):
        observed = observed.get(metric)
    if isinstance(observed, bool) or not isinstance(observed, (int, float)):
        return None
    return float(observed)


def monitored_metrics(*, batches: list[Batch]) -> list[MonitoredMetric]:
    """Each judged metric of the batches' succeeded runs, in criterion order; a later run
    on the same batch replaces an earlier one's point."""
    label_of_dataset = {batch.dataset.pk: batch.label for batch in batches}
    runs = (
        EvaluationRun.objects.filter(
            dataset_id__in=list(label_of_dataset), status=RunStatus.SUCCEEDED
        )
        .order_by("created_at", "id")
        .values_list("pk", "dataset_id")
    )
    dataset_of_run = dict(runs)
    results = (
        CheckResult.objects.filter(run_id__in=list(dataset_of_run), criterion__isnull=False)
        .exclude(metric="")
        .select_related("criterion")
        .order_by("criterion__code", "metric", "run__created_at", "run_id", "subject")
    )
    metrics: dict[tuple[str, str], MonitoredMetric] = {}
    for result in results:
        value, criterion = _value(result.observed, result.metric), result.criterion
        if value is None or criterion is None:
            continue
        monitored = metrics.setdefault(
            (criterion.code, result.metric),
            MonitoredMetric(
                code=criterion.code,
                name=criterion.name,
                category=result.category,
                metric=result.metric,
                comparator=result.comparator or criterion.comparator,
                threshold=result.threshold,
            ),
        )
        monitored.threshold = result.threshold  # the latest run's is the one in force
        subject = result.subject or result.metric
        batch = label_of_dataset[dataset_of_run[result.run_id]]
        monitored.series.setdefault(subject, {})[batch] = (value, result.outcome, result.run_id)
    return list(metrics.values())


def batch_findings(*, batches: list[Batch]) -> list[Finding]:
    """The findings the batches' runs opened or saw again, newest first."""
    if not batches:
        return []
    runs = EvaluationRun.objects.filter(
        dataset_id__in=[batch.dataset.pk for batch in batches]
    ).values("pk")
    return list(
        Finding.objects.filter(Q(first_seen_run__in=runs) | Q(last_seen_run__in=runs))
        .select_related("first_seen_run__dataset", "last_seen_run__dataset")
        .order_by("-created_at", "-id")
    )


def schedules_of(*, project: Project) -> list[MonitoringSchedule]:
    return list(
        MonitoringSchedule.objects.filter(project=project)
        .select_related("created_by")
        .order_by("plan_name", "day_of_week", "time")
    )
