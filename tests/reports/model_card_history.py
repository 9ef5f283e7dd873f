"""A model version with a history worth a model card: two approved plans (Gate and
Fairness) and an archived one, several runs of each on the card's version (older,
newer, failed) and on another version, findings that concern the version and some that
do not."""

import datetime
import hashlib

from django.utils import timezone

from apps.criteria.models import Category, Comparator, Severity
from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus, Verdict
from apps.findings.models import Finding, FindingSource, FindingStatus
from apps.findings.services.sync import finding_fingerprint
from apps.projects.models import ArtifactFormat, DatasetRole
from apps.testplans.models import PlanStatus, TestPlan
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import EvaluationRunFactory, approved_plan
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import DatasetFactory, ModelVersionFactory

INTENDED_USE = "Ranks consumer credit applications for a human underwriter to review."
LIMITATIONS = "Not validated for applicants under 21: too few of them in the data."
LATEST_AUC, OLDER_AUC, OTHER_VERSION_AUC = 0.8123, 0.6411, 0.9377
AUC_INTERVAL = {"low": 0.7921, "high": 0.8302, "level": 0.95}
PARITY, PARITY_INTERVAL = 0.6234, {"low": 0.5512, "high": 0.6979, "level": 0.95}
GROUPS = [
    {"group": "F", "rows": 480, "judged": True, "selection_rate": 0.3125,
     "true_positive_rate": 0.5417, "false_positive_rate": 0.1042, "balanced_accuracy": 0.7188},
    {"group": "M", "rows": 520, "judged": True, "selection_rate": 0.5012,
     "true_positive_rate": 0.7308, "false_positive_rate": 0.2115, "balanced_accuracy": 0.7596},
    {"group": "X", "rows": 12, "judged": False, "selection_rate": 0.25,
     "true_positive_rate": 0.5, "false_positive_rate": 0.0, "balanced_accuracy": 0.75},
]  # fmt: skip


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class CardHistory(ProjectCast):
    """`version` is the card's; `latest` and `fairness_run` are the runs it must read."""

    def __init__(self) -> None:
        super().__init__()
        self.auc = CriterionFactory(
            project=self.project, code="PERF-01", name="ROC AUC", check_key=
            "performance.classification", metric="roc_auc", comparator=Comparator.GE,
            threshold=0.75, severity=Severity.CRITICAL, blocking=True,
        )  # fmt: skip
        self.parity = CriterionFactory(
            project=self.project, code="FAIR-02", name="Demographic parity",
            category=Category.FAIRNESS, check_key="fairness.classification",
            metric="demographic_parity_ratio", comparator=Comparator.GE, threshold=0.8,
            severity=Severity.HIGH, blocking=False,
        )  # fmt: skip
        self.gate = approved_plan(self.project, [self.auc], user=self.qm, name="Gate")
        self.fairness = approved_plan(self.project, [self.parity], user=self.qm, name="Fairness")
        self.legacy = TestPlan.objects.create(
            project=self.project, name="Legacy", status=PlanStatus.ARCHIVED, created_by=self.qm
        )
        self.version = ModelVersionFactory(
            project=self.project, label="2.0 (gradient boosting)", uploaded_by=self.dev,
            artifact_format=ArtifactFormat.SKOPS, sha256=_sha("model 2.0"), size_bytes=48_213,
            intended_use=INTENDED_USE, known_limitations=LIMITATIONS,
        )  # fmt: skip
        self.other_version = ModelVersionFactory(project=self.project, uploaded_by=self.dev)
        self.evaluation = DatasetFactory(
            project=self.project, name="Applicants 2024", row_count=1012, column_count=6,
            sha256=_sha("evaluation"), target_column="repaid", sensitive_columns=["sex"],
        )  # fmt: skip
        self.older_evaluation = DatasetFactory(project=self.project, name="Applicants 2022")
        self.training = DatasetFactory(
            project=self.project, name="Applicants 2019-2023", role=DatasetRole.TRAIN,
            row_count=48_000, column_count=6, sha256=_sha("training"),
        )  # fmt: skip
        self._runs()
        self._findings()

    def run(self, plan, *, days_ago: int, version=None, status=RunStatus.SUCCEEDED, **fields):
        finished = timezone.now() - datetime.timedelta(days=days_ago)
        values = {
            "project": self.project, "test_plan": plan, "model_version": version or self.version,
            "dataset": self.evaluation, "status": status, "verdict": Verdict.FAIL,
            "finished_at": finished, "summary": {"pass": 0, "fail": 1, "error": 0, "skipped": 0},
            **fields,
        }  # fmt: skip
        return EvaluationRunFactory(**values)

    def auc_result(self, run: EvaluationRun, value: float, **fields) -> CheckResult:
        return CheckResult.objects.create(
            run=run, criterion=self.auc, check_key="performance.classification",
            category=Category.PERFORMANCE, outcome="pass" if value >= 0.75 else "fail",
            observed={"roc_auc": value, "accuracy": 0.77}, metric="roc_auc", comparator=">=",
            threshold=0.75, severity="critical", blocking=True, **fields,
        )  # fmt: skip

    def _runs(self) -> None:
        self.older = self.run(self.gate, days_ago=9, dataset=self.older_evaluation)
        self.auc_result(self.older, OLDER_AUC)
        self.latest = self.run(self.gate, days_ago=2, training_dataset=self.training)
        self.auc_result(self.latest, LATEST_AUC, ci=AUC_INTERVAL)
        self.run(self.gate, days_ago=1, status=RunStatus.FAILED, verdict="")  # never read
        other = self.run(self.gate, days_ago=1, version=self.other_version)
        self.auc_result(other, OTHER_VERSION_AUC)
        legacy = self.run(self.legacy, days_ago=1)
        self.auc_result(legacy, 0.5555)
        self.fairness_run = self.run(self.fairness, days_ago=3)
        self.parity_result = CheckResult.objects.create(
            run=self.fairness_run, criterion=self.parity, check_key="fairness.classification",
            category=Category.FAIRNESS, subject="sex", outcome="fail",
            observed={"demographic_parity_ratio": PARITY}, ci=PARITY_INTERVAL,
            metric="demographic_parity_ratio", comparator=">=", threshold=0.8, severity="high",
            evidence={"columns": ["sex"], "groups": GROUPS, "min_group_size": 30},
            message="Demographic parity ratio of sex 0.6234 is below 0.8.",
        )  # fmt: skip

    def _findings(self) -> None:
        fingerprint = finding_fingerprint(
            project_id=self.project.pk, criterion_id=self.parity.pk,
            check_key="fairness.classification", subject="sex",
        )  # fmt: skip
        # Failing on the card's version, but last seen on the other one: still listed.
        self.parity_finding = FindingFactory(
            project=self.project, title="Selection rate of women far below men's",
            source=FindingSource.CHECK, criterion=self.parity, subject="sex",
            check_key="fairness.classification", fingerprint=fingerprint,
            first_seen_run=self.fairness_run, assignee=self.dev,
            last_seen_run=EvaluationRun.objects.filter(model_version=self.other_version).first(),
        )  # fmt: skip
        self.manual_finding = FindingFactory(
            project=self.project, title="Income is read in thousands, not units",
            status=FindingStatus.IN_PROGRESS, last_seen_run=self.latest,
        )  # fmt: skip
        self.verified_finding = FindingFactory(
            project=self.project, title="Duplicated applicants", status=FindingStatus.VERIFIED,
            last_seen_run=self.latest,
        )  # fmt: skip
        self.elsewhere_finding = FindingFactory(
            project=self.project, title="Latency over budget on version 3",
            last_seen_run=EvaluationRun.objects.filter(model_version=self.other_version).first(),
        )  # fmt: skip

    @property
    def listed_findings(self) -> list[Finding]:
        return [self.parity_finding, self.manual_finding]
