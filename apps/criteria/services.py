"""Writes of criteria: a project's quality bars, instantiated from the catalogue and adjusted.

Each write checks the caller's role (only the project's quality manager and admins manage
criteria), validates the data and refuses with InvalidInput, naming the field, when it
cannot be stored as asked.
"""

import copy
import math
from typing import Any

import jsonschema
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from apps.accounts.models import Membership, User
from apps.accounts.permissions import Action, project_action_check
from apps.audit.services import status_change_record
from apps.criteria.catalogue import CHECK_KEYS, TEMPLATES
from apps.criteria.models import Criterion, CriterionKind, CriterionTemplate
from apps.evaluations import engine
from apps.projects.models import Project
from apps.testplans.models import PlanCheck
from qualiti.errors import InvalidInput

# The fields a quality manager sets on a criterion; a template provides each of them.
EDITABLE_FIELDS = (
    "code",
    "name",
    "category",
    "kind",
    "check_key",
    "metric",
    "comparator",
    "threshold",
    "question",
    "answered_by_role",
    "evidence_expected",
    "validity_days",
    "severity",
    "blocking",
    "params",
    "rationale",
    "guidance",
)
# Set on a project's criterion only: the person who answers a process criterion.
PERSON_FIELDS = ("answerer",)

# The audit trail records what happened to a criterion as a status-less event.
EVENT_CREATED = "created"
EVENT_UPDATED = "updated"
EVENT_DELETED = "deleted"

_MANAGE_CRITERIA = "Only the project's quality manager and admins manage its criteria."


def _manage_check(user: User | None, project_id: int) -> None:
    project_action_check(
        user=user, project_id=project_id, action=Action.CRITERIA_MANAGE, refusal=_MANAGE_CRITERIA
    )


def criterion_create_from_template(
    *,
    project: Project,
    template: CriterionTemplate,
    user: User,
    overrides: dict[str, Any] | None = None,
) -> Criterion:
    """Instantiate a catalogue template in a project; `overrides` replace the template's values."""
    fields = {name: copy.deepcopy(getattr(template, name)) for name in EDITABLE_FIELDS}
    fields.update(overrides or {})
    return criterion_create(
        project=project,
        user=user,
        template=template,
        template_version=template.version,
        **fields,
    )


def criteria_create_from_templates(
    *, project: Project, templates: list[CriterionTemplate], user: User
) -> list[Criterion]:
    """Several catalogue templates added to a project at once, all or none: a template the
    project already has a criterion from (or whose code it uses) refuses the lot, named."""
    _manage_check(user, project.pk)
    if not templates:
        raise InvalidInput("Choose at least one template to add.", field="template")
    taken = set(Criterion.objects.filter(project=project).values_list("template_id", "code"))
    taken_templates = {template_id for template_id, _ in taken}
    taken_codes = {code for _, code in taken}
    clashes = [t.code for t in templates if t.pk in taken_templates or t.code in taken_codes]
    if clashes:
        raise InvalidInput(
            f"Already in this project: {', '.join(sorted(clashes))}. Nothing was added.",
            field="template",
        )
    with transaction.atomic():
        return [
            criterion_create_from_template(project=project, template=template, user=user)
            for template in sorted(templates, key=lambda template: template.code)
        ]


def criterion_create(
    *,
    project: Project,
    user: User,
    template: CriterionTemplate | None = None,
    template_version: int | None = None,
    **fields: Any,
) -> Criterion:
    """Create a project's criterion from explicit values."""
    _manage_check(user, project.pk)
    _refuse_unknown_fields(fields)
    criterion = Criterion(
        project=project, template=template, template_version=template_version, **fields
    )
    with transaction.atomic():
        _validate_and_save(criterion)
        status_change_record(
            subject=criterion,
            project_id=project.pk,
            from_status="",
            to_status=EVENT_CREATED,
            actor_id=user.pk,
            reason=_describe(criterion),
        )
    return criterion


def criterion_update(*, criterion: Criterion, user: User, **fields: Any) -> Criterion:
    """Change some of a criterion's values; a call that changes nothing writes nothing."""
    _manage_check(user, criterion.project_id)
    _refuse_unknown_fields(fields)
    changes = {
        name: (getattr(criterion, name), value)
        for name, value in fields.items()
        if getattr(criterion, name) != value
    }
    if not changes:
        return criterion
    if "kind" in changes:
        _kind_change_check(criterion)
    for name, (_before, after) in changes.items():
        setattr(criterion, name, after)
    try:
        with transaction.atomic():
            _validate_and_save(criterion)
            status_change_record(
                subject=criterion,
                project_id=criterion.project_id,
                from_status="",
                to_status=EVENT_UPDATED,
                actor_id=user.pk,
                reason="; ".join(
                    _describe_change(name, before, after)
                    for name, (before, after) in changes.items()
                ),
            )
    except InvalidInput:
        # Leave the caller's object as it was stored, not half-changed.
        for name, (before, _after) in changes.items():
            setattr(criterion, name, before)
        raise
    return criterion


def _kind_change_check(criterion: Criterion) -> None:
    """A criterion a plan checks cannot become a process criterion, and one with answers
    cannot become measured: either would leave rows that no longer fit it."""
    if PlanCheck.objects.filter(criterion=criterion).exists():
        raise InvalidInput(
            f"{criterion.code} is a check of a test plan; remove it from the plan before "
            "making it a process criterion.",
            field="kind",
        )
    if criterion.attestations.exists():
        raise InvalidInput(
            f"{criterion.code} has answers; it stays a process criterion. Make a new "
            "criterion instead.",
            field="kind",
        )


def criterion_delete(*, criterion: Criterion, user: User) -> None:
    """Delete a criterion that no test plan uses."""
    _manage_check(user, criterion.project_id)
    description = _describe(criterion)
    criterion_id, project_id = criterion.pk, criterion.project_id
    try:
        with transaction.atomic():
            criterion.delete()
            # The record keeps the id of the deleted criterion, so the trail stays complete.
            criterion.pk = criterion_id
            status_change_record(
                subject=criterion,
                project_id=project_id,
                from_status="",
                to_status=EVENT_DELETED,
                actor_id=user.pk,
                reason=description,
            )
    except ProtectedError as error:
        criterion.pk = criterion_id
        # Plan checks are the only rows that protect a criterion.
        plans = sorted(
            {check.plan for check in error.protected_objects if isinstance(check, PlanCheck)},
            key=lambda p: (p.name, p.version),
        )
        names = ", ".join(f'"{plan.name}" v{plan.version} ({plan.status})' for plan in plans)
        noun = "test plan" if len(plans) == 1 else "test plans"
        raise InvalidInput(
            f"{criterion.code} is used by the {noun} {names}; "
            "remove it from the plan, or make a new plan version without it, before deleting it."
        ) from error


def _refuse_unknown_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS) - set(PERSON_FIELDS))
    if unknown:
        raise InvalidInput(f"A criterion has no field {', '.join(unknown)}.", field=unknown[0])


def _validate_answerer(criterion: Criterion) -> None:
    if criterion.answerer_id is None:
        return
    if criterion.kind != CriterionKind.PROCESS:
        raise InvalidInput("Only a process criterion has an answerer.", field="answerer")
    if not Membership.objects.filter(
        project_id=criterion.project_id, user_id=criterion.answerer_id
    ).exists():
        raise InvalidInput("The answerer must be a member of the project.", field="answerer")


def _validate_params(criterion: Criterion) -> None:
    """The criterion's parameters must be ones its check accepts, or every plan judging it
    would fail at launch, far from the cause and in front of someone who cannot fix it."""
    check = engine.registered_checks().get(criterion.check_key)
    if check is None:
        return
    try:
        check.params_with_defaults(criterion.params)
    except jsonschema.ValidationError as error:
        accepted = ", ".join(sorted(check.params_schema.get("properties", {}))) or "none"
        name = ".".join(str(part) for part in error.absolute_path)
        if error.validator == "additionalProperties":
            unknown = sorted(set(criterion.params) - set(check.params_schema.get("properties", {})))
            problem = f"{check.name} has no parameter {', '.join(map(repr, unknown))}"
        else:
            problem = f"{check.name}'s parameter {name!r} is not valid: {error.message}"
        raise InvalidInput(
            f"{problem}. The parameters it accepts: {accepted}.", field="params"
        ) from error


def _validate_threshold_range(criterion: Criterion) -> None:
    if criterion.threshold is None:
        return
    problem = engine.threshold_out_of_range(criterion.metric, float(criterion.threshold))
    if problem:
        raise InvalidInput(f"{problem}.", field="threshold")


def _validate_and_save(criterion: Criterion) -> None:
    _validate_answerer(criterion)
    if criterion.kind == CriterionKind.MEASURED and criterion.check_key not in CHECK_KEYS:
        raise InvalidInput(
            f"Unknown check key '{criterion.check_key}': use one of the engine's checks "
            "listed by the criterion templates.",
            field="check_key",
        )
    if not isinstance(criterion.params, dict):
        raise InvalidInput(
            "params must be an object of parameter names and values.", field="params"
        )
    if criterion.kind == CriterionKind.MEASURED:
        _validate_params(criterion)
    if isinstance(criterion.threshold, float | int) and not math.isfinite(criterion.threshold):
        raise InvalidInput("threshold must be a finite number.", field="threshold")
    if criterion.kind == CriterionKind.MEASURED:
        _validate_threshold_range(criterion)
    if (
        Criterion.objects.filter(project_id=criterion.project_id, code=criterion.code)
        .exclude(pk=criterion.pk)
        .exists()
    ):
        raise InvalidInput(
            f"The code {criterion.code} is already used by another criterion of this project.",
            field="code",
        )
    try:
        criterion.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(
            f"{field}: {' '.join(messages)}" if field != NON_FIELD_ERRORS else " ".join(messages),
            field=field if field != NON_FIELD_ERRORS else None,
            extra={"errors": error.message_dict},
        ) from error
    try:
        with transaction.atomic():
            criterion.save()
    except IntegrityError as error:
        # Another request took the code between the check above and this insert.
        raise InvalidInput(
            f"The code {criterion.code} is already used by another criterion of this project.",
            field="code",
        ) from error


def _describe_change(name: str, before: Any, after: Any) -> str:
    # Texts like the guidance are too long for the trail; say only that they changed.
    if isinstance(after, str) and max(len(after), len(str(before))) > 60:
        return f"{name} changed"
    if isinstance(after, User) or isinstance(before, User):
        before, after = (getattr(person, "username", None) for person in (before, after))
    return f"{name}: {before!r} → {after!r}"


def _describe(criterion: Criterion) -> str:
    if criterion.kind == CriterionKind.PROCESS:
        who = criterion.answerer.username if criterion.answerer else criterion.answered_by_role
        return (
            f"{criterion.code} {criterion.name}: answered by {who}, valid "
            f"{criterion.validity_days} days ({criterion.severity})"
        )
    threshold = "" if criterion.threshold is None else f"{criterion.threshold:g}"
    return (
        f"{criterion.code} {criterion.name}: {criterion.metric} {criterion.comparator} "
        f"{threshold} ({criterion.severity})"
    )


@transaction.atomic
def criterion_templates_sync() -> int:
    """Upsert the catalogue's templates as the data migrations do at install time (a changed
    template gets its next version); this restores them where a test or a flush emptied the
    table. Returns how many."""
    from django.apps import apps as live_apps

    from apps.criteria.migrations._catalogue_loader import load_catalogue

    load_catalogue(live_apps, None)
    return len(TEMPLATES)
