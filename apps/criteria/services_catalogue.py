"""A project takes a newer version of a catalogue template: its criterion changes where the
catalogue changed, and each test plan that judges it gets a new draft version for approval.
An approved plan never changes: it froze the criterion's judgement when it was approved."""

from dataclasses import dataclass

from django.db import transaction

from apps.accounts.models import User
from apps.criteria.models import Criterion
from apps.criteria.selectors import catalogue_changes_for
from apps.criteria.services import EDITABLE_FIELDS, _manage_check, criterion_update
from apps.testplans.models import PlanStatus, TestPlan
from apps.testplans.services import test_plan_revise
from qualiti.errors import InvalidInput

# A project's own code for the criterion stays its own, whatever the catalogue calls it.
TAKEN_FIELDS = tuple(name for name in EDITABLE_FIELDS if name != "code")


@dataclass
class TakenUpdate:
    criterion: Criterion
    changed: list[str]  # the criterion's fields that took the catalogue's new values
    drafts: list[TestPlan]  # the plan drafts that now carry them, for approval


@transaction.atomic
def criterion_catalogue_update_take(*, criterion: Criterion, user: User) -> TakenUpdate:
    """Bring the criterion to its template's current version: each field the catalogue
    changed since then takes the new value (the project's other edits stay), and every plan
    judging it gets a draft (the existing draft, or the next version of the approved one)
    whose checks use the new check and parameters."""
    _manage_check(user, criterion.project_id)
    criterion = (
        Criterion.objects.select_for_update(of=("self",))
        .select_related("template")
        .get(pk=criterion.pk)
    )
    template = criterion.template
    if template is None:
        raise InvalidInput(f"{criterion.code} was not taken from the catalogue.")
    if (criterion.template_version or 0) >= template.version:
        raise InvalidInput(
            f"{criterion.code} already follows version {template.version} of {template.code}."
        )
    changed = [
        change["field"]
        for change in catalogue_changes_for(criterion)
        if change["field"] in TAKEN_FIELDS
    ]
    criterion_update(
        criterion=criterion, user=user, **{name: getattr(template, name) for name in changed}
    )
    criterion.template_version = template.version
    criterion.save(update_fields=["template_version", "updated_at"])
    return TakenUpdate(
        criterion=criterion, changed=changed, drafts=_drafts_judging(criterion, user)
    )


def _drafts_judging(criterion: Criterion, user: User) -> list[TestPlan]:
    plans = (
        TestPlan.objects.filter(
            checks__criterion=criterion, status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]
        )
        .distinct()
        .order_by("name", "-version")
    )
    drafts: dict[str, TestPlan] = {}
    for plan in plans:
        if plan.name in drafts:
            continue
        draft = plan if plan.status == PlanStatus.DRAFT else test_plan_revise(plan=plan, user=user)
        draft.checks.filter(criterion=criterion).update(
            check_key=criterion.check_key, params=criterion.params
        )
        drafts[plan.name] = draft
    return list(drafts.values())
