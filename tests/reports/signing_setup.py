"""A run that can be signed: a project cast, an approved plan of one criterion, a finished
run with a failing result; and signed reports made without printing a PDF."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.reports.inputs import sha256_hex
from apps.reports.models import Report, ReportStatus, RunAnalysis
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory, LaunchSetup
from tests.projects.factories import ModelVersionFactory

ANALYSIS = "Recall **falls short** of the bar on the evaluation data; retrain before release."


class SigningSetup(LaunchSetup):
    """LaunchSetup's project, plan (criterion PERF-09), model version and data, with a
    finished run of the plan whose one result fails."""

    def __init__(self) -> None:
        super().__init__()
        self.model_version.sha256 = "ab" * 32
        self.model_version.label = "v1"
        self.model_version.save()
        self.run = self.finished_run(self.model_version)

    def finished_run(self, model_version, **fields) -> EvaluationRun:
        started = timezone.now() - datetime.timedelta(minutes=3)
        values = {
            "project": self.project,
            "test_plan": self.plan,
            "model_version": model_version,
            "dataset": self.dataset,
            "status": RunStatus.SUCCEEDED,
            "verdict": "fail",
            "progress": 100,
            "attempt": 1,
            "started_at": started,
            "finished_at": started + datetime.timedelta(seconds=40),
            "summary": {"pass": 0, "fail": 1, "error": 0, "skipped": 0, "blocking_failures": 0},
            "created_by": self.qm,
        }
        values.update(fields)
        run = EvaluationRunFactory(**values)
        CheckResultFactory(
            run=run,
            criterion=self.criterion,
            plan_check=self.plan.checks.first(),
            metric="recall",
            comparator=">=",
            threshold=0.72,
            observed={"recall": 0.6125},
            message="recall 0.6125 < 0.72",
        )
        return run

    def newer_version(self, label: str = "v2"):
        return ModelVersionFactory(project=self.project, label=label, sha256="cd" * 32)

    def analysis(self, run: EvaluationRun | None = None, **fields) -> RunAnalysis:
        values = {"text": ANALYSIS, "conclusion": "do_not_release", "updated_by": self.qm}
        values.update(fields)
        return RunAnalysis.objects.update_or_create(run=run or self.run, defaults=values)[0]


def signed_report_row(run: EvaluationRun, *, signer, html: bytes, pdf: bytes, **fields) -> Report:
    """A signed, ready report stored with these bytes, as signing leaves one (no rendering)."""
    report = Report.objects.create(
        kind="run",
        project=run.project,
        run=run,
        status=ReportStatus.READY,
        signed_by=signer,
        signed_at=timezone.now(),
        created_by=signer,
        inputs={"analysis": {"conclusion": "do_not_release", "text": ANALYSIS}},
        **fields,
    )
    report.html.save("run-report.html", ContentFile(html), save=False)
    report.pdf.save("run-report.pdf", ContentFile(pdf), save=False)
    report.html_sha256, report.pdf_sha256 = sha256_hex(html), sha256_hex(pdf)
    report.save()
    return report
