"""Writes of a project's compliance choices: which frameworks it follows, which requirements
do not apply to it (with a justification), and the templates that cover a gap, added in one
step.

Only the project's quality manager and admins make these choices. Each write is guarded by
the current state, so a repeated call changes nothing, and leaves a line of history.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.audit.services import status_change_record
from apps.criteria.models import Criterion, CriterionTemplate
from apps.criteria.services import criteria_create_from_templates
from apps.projects.models import Project
from apps.standards.models import Framework, ProjectFramework, Requirement, RequirementExclusion
from qualiti.errors import InvalidInput

_DECIDE = "Only the project's quality manager and admins decide its frameworks and what applies."

# History lines: a choice is made or withdrawn, a requirement stops or starts applying.
CHOSEN, UNCHOSEN = "chosen", "unchosen"
NOT_APPLICABLE, APPLICABLE = "not_applicable", "applicable"


def _decide_check(user: User | None, project: Project) -> None:
    # Criteria and test plans are the quality manager's; so is what the project is judged by.
    project_action_check(
        user=user, project_id=project.pk, action=Action.CRITERIA_MANAGE, refusal=_DECIDE
    )


def project_framework_choose(
    *, project: Project, framework: Framework, user: User | None
) -> ProjectFramework:
    """Make the project follow a framework (its reports then show coverage of it); choosing
    one already chosen returns the existing choice."""
    _decide_check(user, project)
    with transaction.atomic():
        existing = ProjectFramework.objects.filter(project=project, framework=framework).first()
        if existing is not None:
            return existing
        choice = ProjectFramework(project=project, framework=framework, chosen_by=user)
        choice.full_clean()
        choice.save()
        status_change_record(
            subject=choice,
            project_id=project.pk,
            from_status="",
            to_status=CHOSEN,
            actor_id=user.pk if user else None,
            reason=f"The project follows {framework.name}.",
        )
    return choice


def project_framework_unchoose(*, project: Project, framework: Framework, user: User) -> None:
    """Stop following a framework; its exclusions stay, should it be chosen again."""
    _decide_check(user, project)
    with transaction.atomic():
        choice = ProjectFramework.objects.filter(project=project, framework=framework).first()
        if choice is not None:
            _delete_recorded(
                choice, project=project, user=user, change=(CHOSEN, UNCHOSEN),
                reason=f"The project no longer follows {framework.name}.",
            )  # fmt: skip


def requirement_exclude(
    *, project: Project, requirement: Requirement, justification: str, user: User
) -> RequirementExclusion:
    """Mark a requirement not applicable to the project, saying why; marking it again
    replaces the justification."""
    _decide_check(user, project)
    justification = justification.strip()
    with transaction.atomic():
        exclusion = RequirementExclusion.objects.filter(
            project=project, requirement=requirement
        ).first()
        from_status = APPLICABLE
        if exclusion is None:
            exclusion = RequirementExclusion(project=project, requirement=requirement)
        elif exclusion.justification == justification:
            return exclusion
        else:
            from_status = NOT_APPLICABLE
        exclusion.justification = justification
        exclusion.decided_by = user
        exclusion.decided_at = timezone.now()
        try:
            exclusion.full_clean()
        except ValidationError as error:
            messages = error.message_dict.get("justification") or error.messages
            raise InvalidInput(" ".join(messages), field="justification") from error
        exclusion.save()
        status_change_record(
            subject=exclusion,
            project_id=project.pk,
            from_status=from_status,
            to_status=NOT_APPLICABLE,
            actor_id=user.pk,
            reason=f"{requirement.identifier}: {justification}",
        )
    return exclusion


def requirement_include(*, project: Project, requirement: Requirement, user: User) -> None:
    """Revert a not-applicable decision: the requirement applies to the project again."""
    _decide_check(user, project)
    with transaction.atomic():
        exclusion = RequirementExclusion.objects.filter(
            project=project, requirement=requirement
        ).first()
        if exclusion is not None:
            _delete_recorded(
                exclusion, project=project, user=user, change=(NOT_APPLICABLE, APPLICABLE),
                reason=f"{requirement.identifier} applies again.",
            )  # fmt: skip


def _delete_recorded(
    row: ProjectFramework | RequirementExclusion,
    *,
    project: Project,
    user: User,
    change: tuple[str, str],
    reason: str,
) -> None:
    """Delete a project's decision, its history keeping who reverted it and why."""
    status_change_record(
        subject=row,
        project_id=project.pk,
        from_status=change[0],
        to_status=change[1],
        actor_id=user.pk,
        reason=reason,
    )
    row.delete()


def requirement_templates_missing(
    *, project: Project, requirement: Requirement
) -> list[CriterionTemplate]:
    """The catalogue templates mapped to the requirement that the project has no criterion
    from (nor a criterion with the template's code), by code."""
    taken = Criterion.objects.filter(project=project).values_list("template_id", "code")
    taken_templates = {template_id for template_id, _ in taken}
    taken_codes = {code for _, code in taken}
    return [
        template
        for template in requirement.templates.order_by("code")
        if template.pk not in taken_templates and template.code not in taken_codes
    ]


def requirement_gap_fill(
    *, project: Project, requirement: Requirement, user: User
) -> list[Criterion]:
    """Add, in one step, every catalogue template that gives evidence for the requirement
    and that the project does not have yet; each becomes a criterion with the template's
    bar (the catalogue's own all-or-none service)."""
    _decide_check(user, project)
    templates = requirement_templates_missing(project=project, requirement=requirement)
    if not templates:
        raise InvalidInput(
            "The project already has every catalogue template that covers this requirement.",
            field="requirement",
        )
    return criteria_create_from_templates(project=project, templates=templates, user=user)


@transaction.atomic
def frameworks_sync() -> int:
    """Load the shipped framework packs and the templates' mapping as the migrations do
    (a changed mapping gives the template its next version); this restores them where a
    flush emptied the tables. Returns how many frameworks there are."""
    from django.apps import apps as live_apps

    from apps.standards.migrations._pack_loader import load_packs

    load_packs(live_apps, None)
    return Framework.objects.count()
