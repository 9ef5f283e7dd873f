"""Frameworks have revisions too: a release or an import that changes a framework's pack
records its next revision with what changed, and "What's new" lists them; an imported
template that changes gets a revision like a shipped one."""

import dataclasses

import pytest
from django.apps import apps as live_apps

from apps.criteria.catalogue.changes import change_in_words
from apps.criteria.models import CriterionTemplate, TemplateRevision
from apps.criteria.packs.services import criterion_pack_import
from apps.standards import packs
from apps.standards.migrations._pack_loader import load_packs
from apps.standards.models import Framework, FrameworkRevision
from apps.standards.packs.changes import framework_change_in_words, framework_changes
from apps.standards.selectors import framework_revisions
from tests.criteria.pack_texts import acme
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def release_eu_ai_act(monkeypatch, change) -> None:
    """A new Qualiti release whose EU AI Act pack is `change(framework entry)`, installed as
    the migrations install it."""
    shipped = packs.shipped_frameworks()
    changed = tuple(change(entry) if entry.id == "eu-ai-act" else entry for entry in shipped)
    monkeypatch.setattr(packs, "shipped_frameworks", lambda: changed)
    load_packs(live_apps, None)


def with_new_requirement_and_retitled_first(entry):
    first, *rest = entry.requirements
    added = packs.RequirementEntry(
        id="art-99", group="Article 99", title="A made-up duty", summary="", url=entry.url
    )
    return dataclasses.replace(
        entry,
        requirements=[dataclasses.replace(first, title="Risks are managed"), *rest, added],
    )


def test_every_shipped_framework_has_its_first_revision_as_first_published():
    for framework in Framework.objects.all():
        (revision,) = framework.revisions.all()
        assert (revision.revision, revision.changes) == (framework.revision, [])
        assert revision.requirement_count == framework.requirements.count() > 0
    words = dict((r.framework.identifier, w) for r, w in framework_revisions())
    count = Framework.objects.get(identifier="eu-ai-act").requirements.count()
    assert words["eu-ai-act"] == [f"first published, {count} requirements"]


def test_a_release_that_changes_a_framework_records_its_next_revision_in_words(monkeypatch):
    release_eu_ai_act(monkeypatch, with_new_requirement_and_retitled_first)

    framework = Framework.objects.get(identifier="eu-ai-act")
    assert framework.revision == 2
    latest = framework.revisions.get(revision=2)
    words = [framework_change_in_words(change) for change in latest.changes]
    assert words == [
        "art-9 title: A risk management process runs for the whole life of the system → "
        "Risks are managed",
        "art-99 added: A made-up duty",
    ]
    assert latest.requirement_count == framework.requirements.count()
    assert framework_revisions()[0] == (latest, words)


def test_a_release_that_changes_no_framework_records_no_revision(monkeypatch):
    revisions = FrameworkRevision.objects.count()

    release_eu_ai_act(monkeypatch, lambda entry: entry)

    assert FrameworkRevision.objects.count() == revisions
    assert Framework.objects.get(identifier="eu-ai-act").revision == 1


def test_a_removed_requirement_and_a_newer_official_text_are_told():
    before = {
        "values": {"name": "F", "version": "2024", "url": "u", "summary": ""},
        "requirements": {"r-1": {"group": "", "title": "One", "summary": "", "url": "u"}},
    }
    after = {"values": {**before["values"], "version": "2026"}, "requirements": {}}

    words = [framework_change_in_words(c) for c in framework_changes(before, after)]

    assert words == ["official text: 2024 → 2026", "r-1 removed (One)"]


def test_whats_new_lists_framework_changes_by_revision(monkeypatch, client):
    release_eu_ai_act(monkeypatch, with_new_requirement_and_retitled_first)
    client.force_login(ProjectCast().qm)

    page = client.get("/catalogue/whats-new/").content.decode()

    assert "Framework changes" in page and "art-99 added: A made-up duty" in page
    assert "r2" in page and "first published" in page


def test_an_imported_pack_that_changes_records_template_and_framework_revisions():
    criterion_pack_import(user=None, content=acme())
    template = CriterionTemplate.objects.get(code="acme:FAIR-01")
    framework = Framework.objects.get(identifier="acme:acme-ai-policy")
    assert list(template.revisions.values_list("version", flat=True)) == [1]
    assert list(framework.revisions.values_list("revision", flat=True)) == [1]

    criterion_pack_import(
        user=None,
        content=acme(
            {
                "threshold: 0.9": "threshold: 0.85",
                "title: Decisions are fair between groups": "title: Fair between groups",
            }
        ),
    )

    changed = TemplateRevision.objects.get(template=template, version=2)
    assert [change_in_words(c) for c in changed.changes] == ["default threshold: 0.9 → 0.85"]
    revised = framework.revisions.get(revision=2)
    assert [framework_change_in_words(c) for c in revised.changes] == [
        "fair-1 title: Decisions are fair between groups → Fair between groups"
    ]


def test_importing_the_same_pack_again_records_no_revision():
    criterion_pack_import(user=None, content=acme())
    counts = (TemplateRevision.objects.count(), FrameworkRevision.objects.count())

    criterion_pack_import(user=None, content=acme())

    assert (TemplateRevision.objects.count(), FrameworkRevision.objects.count()) == counts
