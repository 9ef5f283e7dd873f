"""One project with one object of every kind and one user of every role, for the role table."""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from knox.models import AuthToken

from apps.accounts.models import Membership, Notification, OrgRole, ProjectRole, Team, User
from apps.audit.models import StatusChange
from apps.criteria.models import Attestation, Criterion, CriterionTemplate
from apps.evaluations.models import CheckResult, EvaluationRun
from apps.findings.models import Comment, CorrectiveAction, Finding, RiskAcceptance
from apps.monitoring.services.schedules import monitoring_schedule_create
from apps.projects.models import Dataset, ModelVersion, Project
from apps.reports.models import Report, ReportShare, ReportShareOpening
from apps.standards.models import Framework, ProjectFramework, Requirement, RequirementExclusion
from apps.testplans.models import PlanCheck, TestPlan
from apps.webhooks.models import Webhook, WebhookDelivery

PASSWORD = "role-table-password"
ROLES = ["admin", "qm", "dev", "viewer", "manager", "outsider", "anonymous"]


@dataclass
class World:
    project: Project
    users: dict[str, User]
    ids: dict[str, object] = field(default_factory=dict)


def _user(username: str, org_role: str = "") -> User:
    user = User(username=username, org_role=org_role, email=f"{username}@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


def build_world() -> World:
    users = {
        "admin": _user("admin", OrgRole.ADMIN),
        "qm": _user("qm", OrgRole.QUALITY_MANAGER),
        "dev": _user("dev"),
        "viewer": _user("viewer"),
        "manager": _user("manager", OrgRole.MANAGEMENT),
        "outsider": _user("outsider"),
        "newcomer": _user("newcomer"),
    }
    team = Team.objects.create(name="Model team")
    team.members.add(users["dev"])
    project = Project.objects.create(name="Credit", slug="credit", development_team=team)
    other = Project.objects.create(name="Elsewhere", slug="elsewhere")
    roles = {
        "qm": ProjectRole.QUALITY_MANAGER,
        "dev": ProjectRole.DEVELOPER,
        "viewer": ProjectRole.VIEWER,
    }
    memberships = {
        name: Membership.objects.create(user=users[name], project=project, role=role)
        for name, role in roles.items()
    }
    Membership.objects.create(
        user=users["outsider"], project=other, role=ProjectRole.QUALITY_MANAGER
    )

    criterion = Criterion.objects.create(
        project=project, code="FAIR-01", name="Parity", category="fairness",
        check_key="fairness.classification", metric="demographic_parity_ratio",
        comparator=">=", threshold=0.8, severity="high", rationale="r", guidance="g",
    )  # fmt: skip
    unused_criterion = Criterion.objects.create(
        project=project, code="EFF-01", name="Latency", category="efficiency",
        check_key="efficiency.latency", metric="latency_p95_ms", comparator="<=", threshold=50,
        severity="low", rationale="r", guidance="g",
    )  # fmt: skip
    process_fields = {
        "project": project, "category": "governance", "kind": "process",
        "question": "Is the intended use approved?", "answered_by_role": "developer",
        "evidence_expected": "file_or_link", "validity_days": 365, "severity": "high",
        "rationale": "r", "guidance": "g",
    }  # fmt: skip
    process_criterion = Criterion.objects.create(code="PROC-01", name="Use", **process_fields)
    answered_criterion = Criterion.objects.create(code="PROC-02", name="Docs", **process_fields)
    attestation = Attestation(
        criterion=answered_criterion, answer="Yes.", submitted_by=users["dev"],
        evidence_name="docs.pdf",
    )  # fmt: skip
    attestation.evidence_file.save("docs.pdf", ContentFile(b"%PDF-1.7 documentation"))
    template = CriterionTemplate.objects.order_by("code").first()
    draft = TestPlan.objects.create(project=project, name="Draft plan")
    draft_check = PlanCheck.objects.create(
        plan=draft, criterion=criterion, check_key="fairness.classification"
    )
    approved = TestPlan.objects.create(project=project, name="Gate", status="approved")
    PlanCheck.objects.create(
        plan=approved, criterion=criterion, check_key="fairness.classification"
    )
    model = ModelVersion(
        project=project, label="v1", sequence=1, artifact_format="skops", task_type="binary",
        sha256="1" * 64,
    )  # fmt: skip
    model.artifact.save("model.skops", ContentFile(b"PK\x05\x06" + bytes(18)))
    unused_model = ModelVersion.objects.create(
        project=project, label="v2", sequence=2, artifact_format="none", task_type="binary"
    )
    dataset = Dataset(
        project=project, name="eval", role="evaluation", file_format="csv", sha256="0" * 64,
        validation_status="valid", columns=["age", "repaid"], target_column="repaid",
    )  # fmt: skip
    dataset.file.save("eval.csv", ContentFile(b"age,repaid\n30,1\n"))
    unused_dataset = Dataset(
        project=project, name="train", role="train", file_format="csv", sha256="2" * 64,
        validation_status="valid",
    )  # fmt: skip
    unused_dataset.file.save("train.csv", ContentFile(b"age,repaid\n31,0\n"))
    run = EvaluationRun.objects.create(
        project=project, test_plan=approved, model_version=model, dataset=dataset,
        status="succeeded", verdict="fail",
    )  # fmt: skip
    result = CheckResult.objects.create(
        run=run, criterion=criterion, check_key="fairness.classification", category="fairness",
        subject="sex", outcome="fail", observed={"demographic_parity_ratio": 0.6},
    )  # fmt: skip
    finding = Finding.objects.create(
        project=project, title="Parity below 0.8", severity="high", category="fairness",
        assigned_team=team, due_date=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    fresh_finding = Finding.objects.create(
        project=project, title="Slow predictions", severity="low", category="efficiency",
        assigned_team=team,
    )  # fmt: skip
    action = CorrectiveAction.objects.create(finding=finding, description="Reweigh the data")
    comment = Comment.objects.create(finding=finding, author=users["qm"], body="Look at sex=F")
    acceptance = RiskAcceptance.objects.create(
        finding=finding, justification="mitigated", requested_by=users["qm"],
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )  # fmt: skip
    change = StatusChange.objects.create(
        project=project, content_type_id=_content_type(Finding), object_id=finding.pk,
        to_status="open",
    )  # fmt: skip
    notification = Notification.objects.create(
        user=users["qm"], project=project, kind="k", message="m"
    )
    token, _ = AuthToken.objects.create(user=users["qm"])
    webhook = Webhook.objects.create(
        project=project, url="https://hooks.example.com/credit", events=["run.finished"],
        secret="s", created_by=users["qm"],
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="run.finished", event_id="6c0f2a51-3f1e-4f7e-9a51-0d3c2b1a0e99",
        payload="{}", status="failed", attempts=1,
    )  # fmt: skip
    shared_report = Report.objects.create(
        kind="run", project=project, run=run, status="ready", created_by=users["qm"]
    )
    shared_report.html.save("report.html", ContentFile(b"<!doctype html><h1>Run report</h1>"))
    shared_report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 report"))
    report_share = ReportShare.objects.create(
        report=shared_report, token_sha256="3" * 64, label="Auditor", created_by=users["qm"],
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )  # fmt: skip
    ReportShareOpening.objects.create(share=report_share, address="192.0.2.1", format="html")

    monitoring_schedule = monitoring_schedule_create(
        user=None, project=project, plan_name="Gate", day_of_week="1", time=datetime.time(6)
    )

    eu_ai_act = Framework.objects.get(identifier="eu-ai-act")
    project_framework = ProjectFramework.objects.create(project=project, framework=eu_ai_act)
    exclusion = RequirementExclusion.objects.create(
        project=project,
        requirement=Requirement.objects.get(framework=eu_ai_act, identifier="art-72"),
        justification="Retired after one season: nothing runs after release.",
    )

    world = World(project=project, users=users)
    world.ids = {
        "team": team.pk,
        "membership": memberships["viewer"].pk,
        "user": users["dev"].pk,
        "criterion": criterion.pk,
        "unused_criterion": unused_criterion.pk,
        "process_criterion": process_criterion.pk,
        "attestation": attestation.pk,
        "template": template.pk,
        "draft_plan": draft.pk,
        "approved_plan": approved.pk,
        "plan_check": draft_check.pk,
        "model_version": model.pk,
        "unused_model_version": unused_model.pk,
        "dataset": dataset.pk,
        "unused_dataset": unused_dataset.pk,
        "run": run.pk,
        "check_result": result.pk,
        "finding": finding.pk,
        "fresh_finding": fresh_finding.pk,
        "action": action.pk,
        "comment": comment.pk,
        "risk_acceptance": acceptance.pk,
        "history": change.pk,
        "notification": notification.pk,
        "token_key": token.token_key,
        "webhook": webhook.pk,
        "delivery": delivery.pk,
        "shared_report": shared_report.pk,
        "report_share": report_share.pk,
        "monitoring_schedule": monitoring_schedule.pk,
        "project_framework": project_framework.pk,
        "requirement_exclusion": exclusion.pk,
    }
    return world


def _content_type(model: type) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk
