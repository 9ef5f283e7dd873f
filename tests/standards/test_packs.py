"""The shipped framework packs: loaded by the migrations, internally consistent, and every
catalogue template gives evidence for at least one requirement."""

import pytest

from apps.criteria.catalogue import TEMPLATES
from apps.criteria.models import CriterionTemplate
from apps.standards.models import Framework, Requirement
from apps.standards.packs import shipped_evidence, shipped_frameworks

SHIPPED = {"eu-ai-act", "nist-ai-rmf-1.0", "iso-iec-42001", "iso-iec-25059"}


def test_it_ships_the_four_frameworks_each_with_unique_requirement_ids():
    frameworks = {framework.id: framework for framework in shipped_frameworks()}
    assert set(frameworks) == SHIPPED
    for framework in frameworks.values():
        ids = [requirement.id for requirement in framework.requirements]
        assert len(ids) == len(set(ids)), framework.id
        assert framework.url.startswith("https://")
        for requirement in framework.requirements:
            assert requirement.title and requirement.url.startswith("https://"), requirement


def test_the_eu_ai_act_pack_covers_articles_9_to_15_17_72_and_annex_iv():
    eu_ai_act = next(f for f in shipped_frameworks() if f.id == "eu-ai-act")
    ids = {requirement.id for requirement in eu_ai_act.requirements}
    articles = {f"art-{n}" for n in (9, 10, 11, 12, 13, 14, 15, 17, 72)}
    annex_iv = {f"annex-iv-{n}" for n in range(1, 10)}
    assert articles | annex_iv <= ids


def test_every_mapped_requirement_exists():
    known = {(f.id, r.id) for f in shipped_frameworks() for r in f.requirements}
    unknown = {
        (code, reference)
        for code, references in shipped_evidence().items()
        for reference in references
        if reference not in known
    }
    assert unknown == set()


def test_every_catalogue_template_maps_to_a_requirement_and_only_templates_are_mapped():
    codes = {template["code"] for template in TEMPLATES}
    evidence = shipped_evidence()
    assert set(evidence) == codes
    assert all(evidence[code] for code in codes)


@pytest.mark.django_db
def test_the_migrations_load_every_framework_requirement_and_mapping():
    for entry in shipped_frameworks():
        framework = Framework.objects.get(identifier=entry.id)
        assert (framework.name, framework.version) == (entry.name, entry.version)
        assert list(framework.requirements.values_list("identifier", flat=True)) == [
            requirement.id for requirement in entry.requirements
        ]
    fair = CriterionTemplate.objects.get(code="FAIR-01")
    assert {
        (r.framework.identifier, r.identifier)
        for r in fair.requirements.select_related("framework")
    } == set(shipped_evidence()["FAIR-01"])
    mapped = Requirement.objects.filter(templates__isnull=False).distinct().count()
    assert mapped > 30
