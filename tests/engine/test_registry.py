import pytest

from apps.criteria.catalogue import CHECK_KEYS, TEMPLATES
from apps.evaluations.engine.registry import registered_checks
from apps.evaluations.engine.results import CATEGORIES


def test_every_catalogue_check_key_is_registered():
    assert set(CHECK_KEYS) <= set(registered_checks())


def test_every_registered_check_is_implemented():
    checks = registered_checks()

    assert len(checks) >= len(CHECK_KEYS)
    assert [key for key, check in checks.items() if not check.implemented] == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template["code"])
def test_each_template_names_a_metric_its_check_produces_with_valid_params(template):
    check = registered_checks()[template["check_key"]]

    assert template["metric"] in check.metrics
    assert template["category"] == check.category
    check.params_with_defaults(template["params"])  # raises on an unknown parameter


@pytest.mark.parametrize("key", sorted(registered_checks()))
def test_each_check_is_documented(key):
    check = registered_checks()[key]
    described = check.describe()

    assert check.category in CATEGORIES
    assert described["default_metric"] in described["metrics"]
    if check.implemented:
        for text in ("what", "why", "fix", "reference"):
            assert len(described["docs"][text]) >= 20, text
        for name, spec in check.params_schema["properties"].items():
            assert "default" in spec, name


def test_params_get_their_defaults_and_unknown_params_are_refused():
    check = registered_checks()["drift.columns"]

    assert check.params_with_defaults({})["alpha"] == 0.05
    with pytest.raises(Exception, match="unexpected"):
        check.params_with_defaults({"alpah": 0.1})
