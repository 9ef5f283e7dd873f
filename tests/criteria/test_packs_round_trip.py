"""Packs exported and imported again: the same file comes back, the pack's id aside, and a
pack lives in its own namespace."""

import jsonschema
import pytest
import yaml

from apps.criteria.models import CriterionPack, CriterionTemplate
from apps.criteria.packs import pack_schema
from apps.criteria.packs.export import criterion_pack_export
from apps.criteria.packs.services import criterion_pack_import
from apps.standards.models import Framework
from qualiti.errors import NotFound
from tests.criteria.pack_texts import acme

pytestmark = pytest.mark.django_db


def imported(content: bytes):
    return criterion_pack_import(user=None, content=content)


def test_the_shipped_pack_exported_imported_as_another_pack_and_exported_again_is_the_same_file():
    first = criterion_pack_export()
    renamed = first.text.replace("\n  id: qualiti\n", "\n  id: beta\n", 1)
    assert renamed != first.text

    result = imported(renamed.encode())
    second = criterion_pack_export(pack="beta")

    assert second.text == renamed
    shipped = CriterionTemplate.objects.filter(pack="qualiti").count()
    assert len(result.templates.created) == shipped
    assert CriterionTemplate.objects.get(code="beta:FAIR-01").local_code == "FAIR-01"
    assert Framework.objects.filter(identifier="beta:eu-ai-act").exists()


def test_an_imported_pack_exports_to_the_file_it_came_from_in_the_export_format():
    imported(acme())
    first = criterion_pack_export(pack="acme")

    imported(first.text.replace("id: acme\n", "id: acme-copy\n", 1).encode())
    second = criterion_pack_export(pack="acme-copy")

    assert second.text == first.text.replace("id: acme\n", "id: acme-copy\n", 1)
    assert first.filename == "acme-criteria-pack-v1.yaml"
    data = yaml.safe_load(first.text)
    assert data["pack"] == {"id": "acme", "version": 1, "name": "ACME's criteria"}
    assert [entry["code"] for entry in data["templates"]] == ["FAIR-01", "PROC-01"]
    assert data["templates"][0]["requirements"] == ["acme-ai-policy/fair-1", "eu-ai-act/art-10-2-f"]
    assert "check_key" not in data["templates"][1]
    assert data["frameworks"][0]["id"] == "acme-ai-policy"


def test_every_export_follows_the_published_schema():
    imported(acme())

    for pack in ("qualiti", "acme"):
        document = yaml.safe_load(criterion_pack_export(pack=pack).text)
        jsonschema.Draft202012Validator(pack_schema()).validate(document)


def test_a_pack_is_stored_under_its_own_namespace_beside_the_shipped_templates():
    shipped = CriterionTemplate.objects.get(code="FAIR-01")
    before = (shipped.threshold, shipped.severity, shipped.version)

    imported(acme())

    template = CriterionTemplate.objects.get(code="acme:FAIR-01")
    assert (template.pack, template.threshold, template.severity) == ("acme", 0.9, "critical")
    assert template.params == {"min_group_size": 50}
    assert {(r.framework.identifier, r.identifier) for r in template.requirements.all()} == {
        ("acme:acme-ai-policy", "fair-1"),
        ("eu-ai-act", "art-10-2-f"),
    }
    process = CriterionTemplate.objects.get(code="acme:PROC-01")
    assert (process.kind, process.check_key, process.validity_days) == ("process", "", 180)
    shipped.refresh_from_db()
    assert (shipped.threshold, shipped.severity, shipped.version) == before
    assert CriterionPack.objects.get(slug="acme").name == "ACME's criteria"


def test_importing_the_same_pack_again_changes_nothing_and_says_so():
    imported(acme())

    again = imported(acme())

    assert again.first_import is False
    assert sorted(again.templates.unchanged) == ["acme:FAIR-01", "acme:PROC-01"]
    assert again.templates.updated == again.templates.created == again.templates.removed == []
    assert CriterionTemplate.objects.get(code="acme:FAIR-01").version == 1


def test_a_changed_template_is_updated_with_its_version_raised_and_a_dropped_one_removed():
    imported(acme())
    text = acme({"threshold: 0.9": "threshold: 0.85", "version: 1": "version: 2"}).decode()
    start, end = text.index("  - code: PROC-01"), text.index("frameworks:")

    result = imported((text[:start] + text[end:]).encode())

    assert result.templates.updated == ["acme:FAIR-01"]
    assert result.templates.removed == ["acme:PROC-01"]
    template = CriterionTemplate.objects.get(code="acme:FAIR-01")
    assert (template.threshold, template.version) == (0.85, 2)
    assert not CriterionTemplate.objects.filter(code="acme:PROC-01").exists()
    assert CriterionPack.objects.get(slug="acme").version == 2


def test_a_second_pack_with_the_same_codes_cannot_overwrite_the_first_packs_templates():
    imported(acme())

    imported(acme({"id: acme\n": "id: other\n", "threshold: 0.9": "threshold: 0.5"}))

    assert CriterionTemplate.objects.get(code="acme:FAIR-01").threshold == 0.9
    assert CriterionTemplate.objects.get(code="other:FAIR-01").threshold == 0.5
    assert (
        Framework.objects.filter(
            identifier__in=["acme:acme-ai-policy", "other:acme-ai-policy"]
        ).count()
        == 2
    )


def test_exporting_a_pack_that_is_not_here_is_not_found():
    with pytest.raises(NotFound):
        criterion_pack_export(pack="nowhere")
