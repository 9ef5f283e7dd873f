"""Who may see and do what: DESIGN.md's role table, in one place.

Every page, API endpoint and file download asks here. A project the user may not see does
not exist for them (404); a project they see but may not act on answers 403.
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.accounts.models import Membership, OrgRole, ProjectRole, User
from qualiti.errors import NotFound, PermissionRefused


class Action(StrEnum):
    VIEW = "view"
    PROJECT_MANAGE = "project_manage"  # members, teams, SLA settings, project fields
    CRITERIA_MANAGE = "criteria_manage"  # criteria and test plans: edit, approve, archive
    MODEL_UPLOAD = "model_upload"
    DATASET_UPLOAD = "dataset_upload"  # any role of dataset
    TRAIN_DATASET_UPLOAD = "train_dataset_upload"
    RUN_LAUNCH = "run_launch"  # launch and cancel
    COLLABORATE = "collaborate"  # comment, progress own team's findings, update their actions
    FINDING_TRIAGE = "finding_triage"  # severity, assign, false positive, verify, reopen
    RISK_REQUEST = "risk_request"
    RISK_APPROVE = "risk_approve"
    WEBHOOKS_MANAGE = "webhooks_manage"  # a project's outgoing webhooks and their deliveries
    SCHEDULES_MANAGE = "schedules_manage"  # a project's report schedule and its subscribers
    REPORT_SHARE = "report_share"  # create and revoke a report's share links, read their log
    REPORT_SIGN = "report_sign"  # write a run's analysis and sign its report


# What each action is called in a refusal a person reads.
ACTION_WORDS: dict[Action, str] = {
    Action.VIEW: "seeing this project",
    Action.PROJECT_MANAGE: "managing the project and its members",
    Action.CRITERIA_MANAGE: "managing criteria and test plans",
    Action.MODEL_UPLOAD: "uploading model versions",
    Action.DATASET_UPLOAD: "uploading this kind of dataset",
    Action.TRAIN_DATASET_UPLOAD: "uploading training data",
    Action.RUN_LAUNCH: "launching or cancelling runs",
    Action.COLLABORATE: "working on findings",
    Action.FINDING_TRIAGE: "triaging findings",
    Action.RISK_REQUEST: "requesting a risk acceptance",
    Action.RISK_APPROVE: "deciding on a risk acceptance",
    Action.WEBHOOKS_MANAGE: "managing webhooks",
    Action.SCHEDULES_MANAGE: "scheduling reports",
    Action.REPORT_SHARE: "sharing reports",
    Action.REPORT_SIGN: "writing the analysis of a run and signing its report",
}


def refusal_words(action: Action) -> str:
    return f"Your role on this project does not allow {ACTION_WORDS[action]}."


# The effective role of a user on one project.
ADMIN = "admin"
MANAGEMENT = "management"

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    ADMIN: frozenset(Action),
    ProjectRole.QUALITY_MANAGER: frozenset(Action) - {Action.RISK_APPROVE},
    ProjectRole.DEVELOPER: frozenset(
        {
            Action.VIEW,
            Action.MODEL_UPLOAD,
            Action.TRAIN_DATASET_UPLOAD,
            Action.RUN_LAUNCH,
            Action.COLLABORATE,
        }
    ),
    ProjectRole.VIEWER: frozenset({Action.VIEW}),
    MANAGEMENT: frozenset({Action.VIEW, Action.RISK_APPROVE}),
}


def effective_role(*, user: User, project_id: int) -> str | None:
    """admin, management, the membership role, or None when the project is invisible."""
    if not user.is_authenticated:
        return None
    if user.is_org_admin:
        return ADMIN
    role = _membership_roles(user).get(project_id)
    if role is not None:
        return role
    if user.org_role == OrgRole.MANAGEMENT:
        return MANAGEMENT
    return None


def _membership_roles(user: User) -> dict[int, str]:
    # Cached on the user object for the request: pages ask many times.
    cached = getattr(user, "_qualiti_membership_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("project_id", "role"))
        user._qualiti_membership_roles = cached
    return cached


def project_actions(*, user: User, project_id: int) -> frozenset[Action]:
    """Everything the user may do on the project: their membership role's actions, and
    management's organisation-wide ones on top (a manager who is also a project's viewer
    still approves its risk acceptances)."""
    role = effective_role(user=user, project_id=project_id)
    if role is None:
        return frozenset()
    actions = ROLE_ACTIONS[role]
    if user.org_role == OrgRole.MANAGEMENT:
        actions = actions | ROLE_ACTIONS[MANAGEMENT]
    return actions


def user_can(*, user: User, project_id: int, action: Action) -> bool:
    return action in project_actions(user=user, project_id=project_id)


def require_action(*, user: User, project_id: int, action: Action) -> None:
    """For pages: 403 when the user sees the project but may not do this (the 404 for an
    invisible project comes first, from the lookup)."""
    if not user_can(user=user, project_id=project_id, action=action):
        raise PermissionDenied(refusal_words(action))


def can_create_project(*, user: User) -> bool:
    return user.is_authenticated and (user.is_org_admin or user.org_role == OrgRole.QUALITY_MANAGER)


def project_action_check(
    *, user: User | None, project_id: int, action: Action, refusal: str = ""
) -> None:
    """The check every write service makes: a project the user may not see does not exist
    (NotFound, 404), a change their role may not make is refused (PermissionRefused, 403).
    `user=None` is the system itself (a worker, the demo seed): it may do anything. Pages
    and API call the services and only translate the refusal."""
    if user is None:
        return
    if effective_role(user=user, project_id=project_id) is None:
        raise NotFound("No such project.")
    if not user_can(user=user, project_id=project_id, action=action):
        raise PermissionRefused(refusal or refusal_words(action))


def can_import_criterion_packs(*, user: User) -> bool:
    """Packs change the organisation's catalogue: admins and organisation quality managers."""
    return can_create_project(user=user)


def organisation_action_check(*, user: User | None, refusal: str) -> None:
    """Creating projects, managing teams, importing criterion packs: admins and
    organisation quality managers."""
    if user is not None and not can_create_project(user=user):
        raise PermissionRefused(refusal)


def dataset_upload_action(role: str) -> Action:
    """Developers may upload training data only; any other role of dataset needs more."""
    return Action.TRAIN_DATASET_UPLOAD if role == "train" else Action.DATASET_UPLOAD


def visible_project_ids(*, user: User | AnonymousUser) -> QuerySet | None:
    """Ids of the projects the user may see, or None meaning every project. An anonymous
    user (the schema generator's request) sees none."""
    if not user.is_authenticated:
        return Membership.objects.none().values("project_id")
    if user.sees_every_project:
        return None
    return Membership.objects.filter(user=user).values("project_id")


def scope_to_visible_projects(
    queryset: QuerySet, *, user: User | AnonymousUser, project_field: str = "project"
) -> QuerySet:
    """The one scoping helper: keep only rows of projects the user may see."""
    visible = visible_project_ids(user=user)
    if visible is None:
        return queryset
    return queryset.filter(**{f"{project_field}__in": visible})
