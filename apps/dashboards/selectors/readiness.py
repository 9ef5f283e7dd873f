"""What a project still lacks before anything in it is evaluated: criteria, an approved
test plan, a model version, valid evaluation data, and a run that finished. A project
without a succeeded run is "not evaluated yet": it has nothing to be green about."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.permissions import Action, user_can
from apps.criteria.models import Criterion
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.services.launch import EVALUATED_ROLES
from apps.projects.models import Dataset, ModelVersion, Project, ValidationStatus
from apps.testplans.models import PlanStatus, TestPlan

if TYPE_CHECKING:
    from apps.dashboards.selectors.portfolio import ProjectStatus


@dataclass(frozen=True)
class ReadinessStep:
    """One thing a project needs before it can be judged, and where it is done."""

    key: str
    missing: str  # what is missing, in words ("an approved test plan")
    todo: str  # what to do about it, as a link's words ("Approve a test plan")
    url_name: str  # the page where it is done (takes the project's slug)
    action: Action  # who may do it


CRITERIA = ReadinessStep("criteria", "criteria", "Define criteria", "criteria-list",
                         Action.CRITERIA_MANAGE)  # fmt: skip
PLAN = ReadinessStep("plan", "an approved test plan", "Approve a test plan", "plan-list",
                     Action.CRITERIA_MANAGE)  # fmt: skip
MODEL_VERSION = ReadinessStep("model_version", "a model version", "Upload a model version",
                              "uploads", Action.MODEL_UPLOAD)  # fmt: skip
EVALUATION_DATA = ReadinessStep("evaluation_data", "valid evaluation data",
                                "Upload evaluation data", "uploads",
                                Action.DATASET_UPLOAD)  # fmt: skip
RUN = ReadinessStep("run", "a finished run", "Launch a run", "run-launch", Action.RUN_LAUNCH)
RUN_WORKING = ReadinessStep("run", "a finished run (one is queued or running)", "Follow the run",
                            "run-launch", Action.VIEW)  # fmt: skip
RUN_FAILED = ReadinessStep("run", "a run that succeeded (every run so far failed or was "
                           "cancelled)", "Launch a run", "run-launch",
                           Action.RUN_LAUNCH)  # fmt: skip


def readiness_annotations() -> dict[str, Any]:
    """Annotations for a project queryset: whether each step is done (Exists subqueries,
    so the portfolio stays one query whatever the number of projects)."""
    project = OuterRef("pk")
    return {
        "has_criteria": Exists(Criterion.objects.filter(project=project)),
        "has_approved_plan": Exists(
            TestPlan.objects.filter(project=project, status=PlanStatus.APPROVED)
        ),
        "has_model_version": Exists(ModelVersion.objects.filter(project=project)),
        "has_evaluation_data": Exists(
            Dataset.objects.filter(
                project=project,
                role__in=EVALUATED_ROLES,
                validation_status=ValidationStatus.VALID,
            )
        ),
        "has_working_run": Exists(
            EvaluationRun.objects.filter(
                project=project, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
            )
        ),
        "has_run": Exists(EvaluationRun.objects.filter(project=project)),
    }


def missing_steps(project: Project) -> list[ReadinessStep]:
    """The steps a project annotated by `readiness_annotations` (and with `latest_run_id`,
    its latest succeeded run) still lacks, in the order they are done. Empty once a run
    has succeeded: the project is evaluated, whatever was changed since."""
    if getattr(project, "latest_run_id", None) is not None:
        return []
    done = {
        CRITERIA: getattr(project, "has_criteria", False),
        PLAN: getattr(project, "has_approved_plan", False),
        MODEL_VERSION: getattr(project, "has_model_version", False),
        EVALUATION_DATA: getattr(project, "has_evaluation_data", False),
    }
    steps = [step for step, is_done in done.items() if not is_done]
    if getattr(project, "has_working_run", False):
        steps.append(RUN_WORKING)
    elif getattr(project, "has_run", False):
        steps.append(RUN_FAILED)
    else:
        steps.append(RUN)
    return steps


@dataclass(frozen=True)
class NextStep:
    """A missing step as one user sees it: a link where they may do it, words otherwise."""

    missing: str
    todo: str
    url: str  # empty when the user may not do it


def next_steps(*, user: User, status: "ProjectStatus") -> list[NextStep]:
    """The project's missing steps, each linked to its page for a user who may act."""
    project = status.project
    return [
        NextStep(
            missing=step.missing,
            todo=step.todo,
            url=reverse(step.url_name, args=[project.slug])
            if user_can(user=user, project_id=project.pk, action=step.action)
            else "",
        )
        for step in status.missing
    ]


@dataclass(frozen=True)
class ChecklistItem:
    """A step of a new project's checklist: done (ticked) or what to do, linked for a user
    who may do it."""

    done: bool
    missing: str
    todo: str
    url: str


FIRST_PROJECT_STEPS = [
    (CRITERIA, "has_criteria"),
    (PLAN, "has_approved_plan"),
    (MODEL_VERSION, "has_model_version"),
    (EVALUATION_DATA, "has_evaluation_data"),
]


def first_project_checklist(*, user: User, status: "ProjectStatus") -> list[ChecklistItem]:
    """Criteria → plan → model → data → run, each ticked as soon as the project has it: the
    same annotations as the status, so it ticks itself with no extra query."""
    project = status.project
    run_step = next((step for step in missing_steps(project) if step.key == "run"), RUN)
    items = [(step, bool(getattr(project, flag, False))) for step, flag in FIRST_PROJECT_STEPS]
    items.append((run_step, False))
    return [
        ChecklistItem(
            done=done,
            missing=step.missing,
            todo=step.todo,
            url=""
            if done or not user_can(user=user, project_id=project.pk, action=step.action)
            else reverse(step.url_name, args=[project.slug]),
        )
        for step, done in items
    ]
