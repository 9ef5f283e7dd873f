"""Runs, results and a launchable setup: an approved plan, a model version, datasets."""

import factory

from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.projects.models import ArtifactFormat, DatasetRole
from apps.testplans import services as plan_services
from apps.testplans.models import TestPlan
from tests.criteria.factories import CriterionFactory
from tests.findings.factories import ProjectCast
from tests.projects.factories import DatasetFactory, ModelVersionFactory

COLUMNS = ["age", "income", "sex", "repaid", "prediction"]


class EvaluationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationRun

    project = factory.SubFactory("tests.factories.ProjectFactory")
    test_plan = factory.LazyAttribute(
        lambda run: TestPlan.objects.get_or_create(
            project=run.project, name="Gate", defaults={"status": "approved"}
        )[0]
    )
    model_version = factory.LazyAttribute(lambda run: ModelVersionFactory(project=run.project))
    dataset = factory.LazyAttribute(lambda run: DatasetFactory(project=run.project))
    status = RunStatus.QUEUED


class CheckResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckResult

    run = factory.SubFactory(EvaluationRunFactory)
    check_key = "performance.classification"
    category = "performance"
    subject = ""
    outcome = "fail"
    metric = "recall"
    observed = factory.LazyFunction(lambda: {"recall": 0.6})
    severity = "high"


def approved_plan(project, criteria, *, user, roles=None, name="Gate") -> TestPlan:
    plan = plan_services.test_plan_create(project=project, user=user, name=name)
    for criterion in criteria:
        plan_services.plan_check_add(
            user=None, plan=plan, criterion=criterion, dataset_roles=roles or ["evaluation"]
        )
    return plan_services.test_plan_approve(plan=plan, user=user)


class LaunchSetup(ProjectCast):
    """A project cast with what a run needs: an approved plan of one performance criterion,
    a predictions-only model version and a valid evaluation dataset with its columns."""

    def __init__(self) -> None:
        super().__init__()
        self.criterion = CriterionFactory(
            project=self.project,
            code="PERF-09",
            metric="recall",
            threshold=0.72,
            params={"n_bootstrap": 0},
        )
        self.plan = approved_plan(self.project, [self.criterion], user=self.qm)
        self.model_version = ModelVersionFactory(
            project=self.project, artifact_format=ArtifactFormat.NONE, features=["age", "income"]
        )
        self.dataset = self.make_dataset()

    def make_dataset(self, **fields):
        values = {
            "project": self.project,
            "role": DatasetRole.EVALUATION,
            "columns": COLUMNS,
            "target_column": "repaid",
            "prediction_column": "prediction",
            "file": factory.django.FileField(filename="eval.csv", data=csv_bytes()),
        }
        values.update(fields)
        return DatasetFactory(**values)

    def launch_body(self, **changes) -> dict:
        body = {
            "project": self.project.slug,
            "test_plan": self.plan.pk,
            "model_version": self.model_version.pk,
            "dataset": self.dataset.pk,
        }
        body.update(changes)
        return {key: value for key, value in body.items() if value is not None}


def csv_bytes(rows: int = 200) -> bytes:
    """Predictions-only evaluation data: the prediction is right on 3 rows of 4."""
    lines = [",".join(COLUMNS)]
    for i in range(rows):
        repaid = i % 2
        prediction = 1 - repaid if i % 8 in (0, 1) else repaid
        lines.append(f"{20 + i % 50},{1000 * (i % 7)},{'FM'[i % 2]},{repaid},{prediction}")
    return ("\n".join(lines) + "\n").encode()
