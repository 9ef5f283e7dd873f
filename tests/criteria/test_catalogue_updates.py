"""A catalogue that lives: a release that changes a template gives it a new version with
what changed; a project takes it when it chooses, and only drafts of its plans change."""

import copy

import pytest
from django.apps import apps as live_apps

from apps.criteria import catalogue
from apps.criteria.catalogue.changes import change_in_words
from apps.criteria.models import Criterion, CriterionTemplate, TemplateRevision
from apps.criteria.selectors import catalogue_revisions, criteria_behind_catalogue
from apps.criteria.services import criterion_create_from_template, criterion_update
from apps.criteria.services_catalogue import criterion_catalogue_update_take
from apps.standards import packs
from apps.standards.migrations._pack_loader import load_packs
from apps.testplans import services as plans
from apps.testplans.models import PlanStatus, TestPlan
from qualiti.errors import InvalidInput, PermissionRefused
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def release(monkeypatch, code: str, **changes) -> None:
    """A new Qualiti release whose catalogue changes one template, installed as the
    migrations install it."""
    templates = copy.deepcopy(catalogue.TEMPLATES)
    next(entry for entry in templates if entry["code"] == code).update(changes)
    monkeypatch.setattr(catalogue, "TEMPLATES", templates)
    from apps.criteria.migrations._catalogue_loader import load_catalogue

    load_catalogue(live_apps, None)


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.fixture
def fairness(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")
    return criterion_create_from_template(project=cast.project, template=template, user=cast.qm)


@pytest.fixture
def approved_plan(cast, fairness):
    plan = plans.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")
    plans.plan_check_add(user=None, plan=plan, criterion=fairness)
    return plans.test_plan_approve(plan=plan, user=cast.qm)


def test_a_release_that_changes_a_template_gives_it_its_next_version_saying_what_changed(
    monkeypatch,
):
    before = CriterionTemplate.objects.get(code="FAIR-01")

    release(monkeypatch, "FAIR-01", threshold=0.85)

    template = CriterionTemplate.objects.get(code="FAIR-01")
    assert template.version == before.version + 1
    revision = TemplateRevision.objects.get(template=template, version=template.version)
    assert [change_in_words(c) for c in revision.changes] == ["default threshold: 0.8 → 0.85"]
    assert [words for _, words in catalogue_revisions()] == [["default threshold: 0.8 → 0.85"]]


def test_a_release_that_changes_nothing_keeps_every_version(monkeypatch):
    versions = dict(CriterionTemplate.objects.values_list("code", "version"))

    release(monkeypatch, "FAIR-01")

    assert dict(CriterionTemplate.objects.values_list("code", "version")) == versions


def test_a_template_mapped_to_a_new_requirement_gets_a_new_version(monkeypatch):
    evidence = dict(packs.shipped_evidence())
    evidence["EFF-01"] = (*evidence["EFF-01"], ("eu-ai-act", "art-15"))
    monkeypatch.setattr(packs, "shipped_evidence", lambda: evidence)
    version = CriterionTemplate.objects.get(code="EFF-01").version

    load_packs(live_apps, None)

    template = CriterionTemplate.objects.get(code="EFF-01")
    assert template.version == version + 1
    (words,) = [change_in_words(c) for c in template.revisions.get(version=version + 1).changes]
    assert words == "now gives evidence for eu-ai-act/art-15"


def test_a_project_sees_the_change_and_taking_it_makes_a_draft_and_leaves_the_approved_plan(
    monkeypatch, cast, fairness, approved_plan
):
    criterion_update(criterion=fairness, user=cast.qm, severity="critical")  # its own choice
    release(monkeypatch, "FAIR-01", threshold=0.85)

    ((behind, words),) = criteria_behind_catalogue(project_id=cast.project.pk)
    assert behind == fairness and words == ["default threshold: 0.8 → 0.85"]

    taken = criterion_catalogue_update_take(criterion=fairness, user=cast.qm)

    fairness.refresh_from_db()
    assert (fairness.threshold, fairness.severity) == (0.85, "critical")
    assert taken.changed == ["threshold"]
    approved_plan.refresh_from_db()
    assert approved_plan.status == PlanStatus.APPROVED
    assert approved_plan.checks.get().criterion_snapshot["threshold"] == 0.8
    (draft,) = taken.drafts
    assert (draft.name, draft.version, draft.status) == ("Release gate", 2, PlanStatus.DRAFT)
    assert draft.checks.get().criterion_id == fairness.pk
    assert criteria_behind_catalogue(project_id=cast.project.pk) == []


def test_an_up_to_date_criterion_has_nothing_to_take(cast, fairness):
    with pytest.raises(InvalidInput, match="already follows version"):
        criterion_catalogue_update_take(criterion=fairness, user=cast.qm)


def test_a_developer_cannot_take_an_update(monkeypatch, cast, fairness):
    release(monkeypatch, "FAIR-01", threshold=0.85)

    with pytest.raises(PermissionRefused):
        criterion_catalogue_update_take(criterion=fairness, user=cast.dev)
    assert Criterion.objects.get(pk=fairness.pk).threshold == 0.8
    assert not TestPlan.objects.exists()


def test_the_criteria_page_offers_the_update_and_whats_new_lists_it(
    monkeypatch, client, cast, fairness, approved_plan
):
    release(monkeypatch, "FAIR-01", threshold=0.85)
    client.force_login(cast.qm)

    page = client.get(f"/projects/{cast.project.slug}/criteria/").content.decode()
    assert "Catalogue updates" in page and "default threshold: 0.8 → 0.85" in page
    response = client.post(f"/projects/{cast.project.slug}/criteria/{fairness.pk}/take-update/")
    assert response.status_code == 302
    assert "Catalogue updates" not in client.get(response.url).content.decode()

    whats_new = client.get("/catalogue/whats-new/").content.decode()
    assert "FAIR-01" in whats_new and "default threshold: 0.8 → 0.85" in whats_new


def test_a_developer_posting_take_update_is_refused(monkeypatch, client, cast, fairness):
    release(monkeypatch, "FAIR-01", threshold=0.85)
    client.force_login(cast.dev)

    response = client.post(f"/projects/{cast.project.slug}/criteria/{fairness.pk}/take-update/")

    assert response.status_code == 403


def test_a_release_that_adds_a_template_lists_it_as_new(monkeypatch):
    templates = copy.deepcopy(catalogue.TEMPLATES)
    added = {**next(t for t in templates if t["code"] == "FAIR-01"), "code": "FAIR-99"}
    monkeypatch.setattr(catalogue, "TEMPLATES", [*templates, added])
    from apps.criteria.migrations._catalogue_loader import load_catalogue

    load_catalogue(live_apps, None)

    new = CriterionTemplate.objects.get(code="FAIR-99")
    assert [(r.template, words) for r, words in catalogue_revisions()] == [
        (new, ["new in the catalogue"])
    ]
