import importlib
import re
import subprocess
import sys

import pytest
from django.apps import apps as django_apps

from apps.criteria.catalogue import CHECK_KEYS, TEMPLATES
from apps.criteria.models import (
    AnswererRole,
    Category,
    Comparator,
    CriterionKind,
    CriterionTemplate,
    EvidenceKind,
    Severity,
)

CODE_PATTERN = re.compile(r"^(PERF|CAL|ROB|FAIR|SEG|DQ|DRIFT|ANOM|EFF|PROC)-\d{2}$")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
CHECK_KEY_PATTERN = re.compile(r"^[a-z_]+\.[a-z_]+$")
MEASURED = [t for t in TEMPLATES if t.get("kind", CriterionKind.MEASURED) == CriterionKind.MEASURED]
PROCESS = [t for t in TEMPLATES if t.get("kind") == CriterionKind.PROCESS]


def test_the_catalogue_has_at_least_thirty_two_templates_with_unique_codes():
    codes = [template["code"] for template in TEMPLATES]

    assert len(codes) >= 32
    assert len(codes) == len(set(codes))
    assert all(CODE_PATTERN.match(code) for code in codes)


def test_every_category_is_covered():
    assert {template["category"] for template in TEMPLATES} == set(Category.values)


def test_every_measured_template_names_a_documented_check_key_and_every_key_is_used():
    used = {template["check_key"] for template in MEASURED}

    assert used <= set(CHECK_KEYS)
    assert set(CHECK_KEYS) <= used
    assert all(CHECK_KEY_PATTERN.match(key) and CHECK_KEYS[key] for key in CHECK_KEYS)


@pytest.mark.parametrize("template", MEASURED, ids=lambda template: template["code"])
def test_each_measured_template_is_complete_and_consistent(template):
    assert SNAKE_CASE.match(template["metric"])
    assert template["comparator"] in Comparator.values
    assert template["severity"] in Severity.values
    assert isinstance(template["threshold"], float)
    assert isinstance(template["blocking"], bool)
    assert isinstance(template["params"], dict)
    assert len(template["name"]) <= 200
    for text in ("rationale", "guidance", "references"):
        assert len(template[text].strip()) >= 30, text
    # Guidance is a short paragraph of concrete advice: two to five sentences.
    assert 2 <= len(re.findall(r"[.?!](\s|$)", template["guidance"])) <= 5


def test_the_catalogue_ships_process_templates_for_documentation_oversight_records_and_risk():
    names = " ".join(template["name"].lower() for template in PROCESS)

    assert len(PROCESS) >= 8
    for duty in ("intended use", "documentation", "logged", "oversight", "risk", "monitoring"):
        assert duty in names, duty


@pytest.mark.parametrize("template", PROCESS, ids=lambda template: template["code"])
def test_each_process_template_asks_a_question_and_names_no_check(template):
    assert template["code"].startswith("PROC-")
    assert template["question"].strip().endswith("?")
    assert template["answered_by_role"] in AnswererRole.values
    assert template["evidence_expected"] in EvidenceKind.values
    assert isinstance(template["validity_days"], int) and template["validity_days"] > 0
    assert template["severity"] in Severity.values
    assert template["blocking"] is False
    assert (template["check_key"], template["metric"], template["comparator"]) == ("", "", "")
    assert template["threshold"] is None
    for text in ("rationale", "guidance", "references"):
        assert len(template[text].strip()) >= 30, text
    assert 2 <= len(re.findall(r"[.?!](\s|$)", template["guidance"])) <= 5


def test_the_catalogue_module_imports_no_django():
    code = (
        "import sys; import apps.criteria.catalogue; "
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.django_db
def test_the_migration_loads_every_template_and_each_passes_validation():
    stored = {template.code: template for template in CriterionTemplate.objects.all()}

    assert set(stored) == {template["code"] for template in TEMPLATES}
    for entry in TEMPLATES:
        template = stored[entry["code"]]
        template.full_clean()
        assert template.check_key == entry["check_key"]
        assert template.threshold == entry["threshold"]
        assert template.params == entry["params"]
        assert template.guidance == entry["guidance"]


@pytest.mark.django_db
def test_loading_the_catalogue_again_restores_a_changed_template_without_duplicates():
    migration = importlib.import_module("apps.criteria.migrations.0002_load_catalogue")
    CriterionTemplate.objects.filter(code="FAIR-01").update(threshold=0.5)

    migration.load_catalogue(django_apps, None)

    assert CriterionTemplate.objects.get(code="FAIR-01").threshold == 0.8
    assert CriterionTemplate.objects.count() == len(TEMPLATES)


@pytest.mark.django_db
def test_the_migrations_map_the_process_templates_to_their_requirements():
    from apps.standards.packs import shipped_evidence

    for template in CriterionTemplate.objects.filter(kind=CriterionKind.PROCESS):
        loaded = {
            (requirement.framework.identifier, requirement.identifier)
            for requirement in template.requirements.select_related("framework")
        }
        assert loaded == set(shipped_evidence()[template.code]), template.code
    oversight = CriterionTemplate.objects.get(code="PROC-04")
    assert oversight.requirements.filter(identifier="art-14").exists()
