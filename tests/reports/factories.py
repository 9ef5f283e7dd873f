"""A finished run worth reporting on: a plan of five criteria, results in five categories
with the evidence the charts draw (two blocking failures, a drift failure), a finding with
its corrective action, and the quality manager's analysis. `extra_results` adds passing
drift results on more features (the bench's run of 150 results)."""

import datetime
import hashlib

from django.utils import timezone

from apps.criteria.models import Category, Comparator, Severity
from apps.evaluations.models import CheckResult, RunStatus, Verdict
from apps.findings.models import CorrectiveAction, FindingSource
from apps.findings.services.sync import finding_fingerprint
from apps.projects.models import ArtifactFormat, DatasetRole
from apps.reports.models import Conclusion, RunAnalysis
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import EvaluationRunFactory, approved_plan
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import DatasetFactory, ModelVersionFactory

MODEL_SHA256 = hashlib.sha256(b"the reported model").hexdigest()
ANALYSIS_TEXT = "The parity gap on sex comes from the biased 2019 labels; retrain on audited ones."
BOOTSTRAP = {"method": "bootstrap", "resamples": 200, "rows": 1000, "of_rows": 1000, "seed": 0}

CRITERIA = [
    # code, category, check, metric, comparator, threshold, severity, blocking
    ("PERF-01", Category.PERFORMANCE, "performance.classification", "roc_auc", Comparator.GE,
     0.85, Severity.CRITICAL, True),
    ("CAL-01", Category.CALIBRATION, "calibration.classification",
     "expected_calibration_error", Comparator.LE, 0.05, Severity.MEDIUM, False),
    ("FAIR-01", Category.FAIRNESS, "fairness.classification", "demographic_parity_ratio",
     Comparator.GE, 0.8, Severity.HIGH, True),
    ("DRIFT-01", Category.DRIFT, "drift.columns", "psi", Comparator.LE, 0.2, Severity.MEDIUM,
     False),
    ("DQ-01", Category.DATA_QUALITY, "data_quality.missing_values", "missing_rate",
     Comparator.LE, 0.05, Severity.LOW, False),
]  # fmt: skip


def _distribution(shift: int) -> dict:
    return {
        "edges": [0, 1000, 2000, 3000, 4000],
        "reference": [100, 200, 200, 100],
        "evaluation": [100 - shift, 200 - shift, 200 + shift, 100 + shift],
    }


def _performance_evidence() -> dict:
    return {
        "classes": [0, 1],
        "positive_label": 1,
        "confusion_matrix": [[410, 90], [120, 380]],
        "roc_curves": [
            {"class": 1, "fpr": [0, 0.1, 0.3, 1], "tpr": [0, 0.5, 0.8, 1], "auc": 0.8123}
        ],
        "pr_curves": [
            {"class": 1, "recall": [0, 0.5, 0.8, 1], "precision": [1, 0.85, 0.75, 0.5],
             "average_precision": 0.7812, "base_rate": 0.5}
        ],
    }  # fmt: skip


class ReportedRun(ProjectCast):
    """The cast, the plan, the run and its results; `failing` lists the failing results."""

    def __init__(self, *, extra_results: int = 0, analysis: bool = True) -> None:
        super().__init__()
        self.criteria = {}
        for code, category, check, metric, comparator, threshold, severity, blocking in CRITERIA:
            self.criteria[code] = CriterionFactory(
                project=self.project, code=code, category=category, check_key=check,
                metric=metric, comparator=comparator, threshold=threshold, severity=severity,
                blocking=blocking,
            )  # fmt: skip
        self.plan = approved_plan(
            self.project,
            list(self.criteria.values()),
            user=self.qm,
            roles=[DatasetRole.EVALUATION, DatasetRole.REFERENCE],
        )
        self.checks = {check.criterion.code: check for check in self.plan.checks.all()}
        self.model_version = ModelVersionFactory(
            project=self.project, label="2.0 (gradient boosting)",
            artifact_format=ArtifactFormat.SKOPS, sha256=MODEL_SHA256, size_bytes=482_113,
            uploaded_by=self.dev,
        )  # fmt: skip
        self.dataset = DatasetFactory(
            project=self.project, name="Applicants 2024", row_count=1000, column_count=6,
            sha256=hashlib.sha256(b"evaluation").hexdigest(),
        )  # fmt: skip
        self.reference = DatasetFactory(
            project=self.project, name="Applicants 2023", role=DatasetRole.REFERENCE,
            row_count=5000, column_count=6, sha256=hashlib.sha256(b"reference").hexdigest(),
        )  # fmt: skip
        finished = timezone.now()
        self.run = EvaluationRunFactory(
            project=self.project, test_plan=self.plan, model_version=self.model_version,
            dataset=self.dataset, reference_dataset=self.reference, status=RunStatus.SUCCEEDED,
            verdict=Verdict.FAIL, attempt=1, created_by=self.qm,
            started_at=finished - datetime.timedelta(seconds=42), finished_at=finished,
        )  # fmt: skip
        self._results(extra_results)
        self.run.summary = self._summary()
        self.run.save(update_fields=["summary"])
        self.failing = [r for r in self.run.results.all() if r.outcome == "fail"]
        self._finding()
        if analysis:
            RunAnalysis.objects.create(
                run=self.run, text=ANALYSIS_TEXT, conclusion=Conclusion.DO_NOT_RELEASE,
                conditions="Retrain, then run the Gate plan again.", updated_by=self.qm,
            )  # fmt: skip

    def _result(self, code: str, *, subject: str = "", outcome: str, value: float, **fields):
        criterion = self.criteria[code]
        return CheckResult(
            run=self.run, plan_check=self.checks[code], criterion=criterion,
            check_key=criterion.check_key, category=criterion.category, subject=subject,
            outcome=outcome, metric=criterion.metric, comparator=criterion.comparator,
            threshold=criterion.threshold, severity=criterion.severity,
            blocking=criterion.blocking, observed={criterion.metric: value, **fields.pop(
                "observed", {})}, **fields,
        )  # fmt: skip

    def _results(self, extra: int) -> None:
        rows = [
            self._result("PERF-01", outcome="fail", value=0.8123,
                         ci={"low": 0.7921, "high": 0.8302, "level": 0.95},
                         evidence=_performance_evidence(), sampling=BOOTSTRAP,
                         message="ROC AUC 0.8123 is below 0.85."),
            self._result("CAL-01", outcome="pass", value=0.0312, evidence={
                "reliability_curve": {"mean_predicted": [0.1, 0.3, 0.5, 0.7, 0.9],
                                      "observed_frequency": [0.12, 0.28, 0.52, 0.69, 0.88],
                                      "count": [100, 200, 300, 200, 100]}}),
            self._result("FAIR-01", subject="sex", outcome="fail", value=0.6234,
                         evidence={"groups": [
                             {"group": "F", "rows": 480, "selection_rate": 0.31, "judged": True},
                             {"group": "M", "rows": 520, "selection_rate": 0.5, "judged": True},
                         ]}, message="Demographic parity ratio of sex 0.6234 is below 0.8."),
            self._result("DRIFT-01", subject="income", outcome="fail", value=0.3142,
                         observed={"effect_size": 0.41},
                         evidence={"distribution": _distribution(60)}),
            self._result("DRIFT-01", subject="age", outcome="pass", value=0.0517,
                         observed={"effect_size": 0.08},
                         evidence={"distribution": _distribution(5)}),
            self._result("DQ-01", outcome="pass", value=0.012),
        ]  # fmt: skip
        for number in range(extra):
            rows.append(
                self._result("DRIFT-01", subject=f"feature_{number:03d}", outcome="pass",
                             value=0.01 + number / 10_000, observed={"effect_size": 0.02},
                             evidence={"distribution": _distribution(number % 20)})
            )  # fmt: skip
        CheckResult.objects.bulk_create(rows)

    def _summary(self) -> dict:
        outcomes = list(self.run.results.values_list("outcome", "blocking"))
        summary = {key: sum(1 for o, _ in outcomes if o == key) for key in ("pass", "fail")}
        summary.update(error=0, skipped=0)
        summary["blocking_failures"] = sum(1 for o, b in outcomes if o == "fail" and b)
        return summary

    def _finding(self) -> None:
        fairness = self.run.results.get(check_key="fairness.classification")
        self.finding = FindingFactory(
            project=self.project, title="Demographic parity ratio of sex below 0.8",
            source=FindingSource.CHECK, criterion=fairness.criterion,
            check_key=fairness.check_key, subject="sex", first_seen_run=self.run,
            last_seen_run=self.run, assignee=self.dev,
            fingerprint=finding_fingerprint(
                project_id=self.project.pk, criterion_id=fairness.criterion_id,
                check_key=fairness.check_key, subject="sex"),
        )  # fmt: skip
        self.action = CorrectiveAction.objects.create(
            finding=self.finding, description="Retrain on the audited 2023 labels",
            owner=self.dev, due_date=timezone.localdate() + datetime.timedelta(days=20),
        )  # fmt: skip
