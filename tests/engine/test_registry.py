import pytest

from apps.criteria.catalogue import CHECK_KEYS, TEMPLATES
from apps.evaluations.engine.registry import (
    READS,
    Check,
    CheckDocs,
    register,
    registered_checks,
)
from apps.evaluations.engine.results import CATEGORIES


def test_every_catalogue_check_key_is_registered():
    assert set(CHECK_KEYS) <= set(registered_checks())


def test_every_registered_check_is_implemented():
    checks = registered_checks()

    assert len(checks) >= len(CHECK_KEYS)
    assert [key for key, check in checks.items() if not check.implemented] == []


MEASURED = [template for template in TEMPLATES if template["check_key"]]


@pytest.mark.parametrize("template", MEASURED, ids=lambda template: template["code"])
def test_each_measured_template_names_a_metric_its_check_produces_with_valid_params(template):
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


@pytest.mark.parametrize("key", sorted(registered_checks()))
def test_each_check_declares_what_it_reads_as_its_needs_say(key):
    check = registered_checks()[key]
    outputs = check.reads & {"predictions", "probabilities"}

    assert check.reads <= {"labels", "predictions", "probabilities", "reference", "training"}
    assert check.describe()["reads"] == sorted(check.reads)
    if check.needs == "data":
        assert not outputs
    if check.needs == "predictions":
        assert outputs


def test_the_checks_that_read_labels_include_weak_segments_and_residual_outliers():
    reading = {key for key, check in registered_checks().items() if "labels" in check.reads}

    assert {"weak_segments.discovery", "anomaly.residual_outliers"} <= reading
    assert "drift.columns" not in reading


def unregistered_check(**attributes) -> type[Check]:
    declared = {
        "key": "test.unregistered",
        "name": "An unregistered check",
        "category": "performance",
        "metrics": {"score": "A score."},
        "default_metric": "score",
        "docs": CheckDocs(what="w", why="w", fix="f", reference="r"),
        **attributes,
    }
    return type("Unregistered", (Check,), declared)


@pytest.mark.parametrize("reads", [None, frozenset({"labels", "the model's mood"}), ["labels"]])
def test_a_check_that_does_not_say_in_known_words_what_it_reads_is_refused(reads):
    cls = unregistered_check() if reads is None else unregistered_check(reads=reads)

    with pytest.raises(ValueError, match="must declare `reads`"):
        register(cls)
    assert "test.unregistered" not in registered_checks()


def test_what_a_check_reads_is_said_in_plain_words():
    described = registered_checks()["drift.label"].describe()

    assert described["reads_in_words"] == "labels and reference data"
    assert set(READS) == {"labels", "predictions", "probabilities", "reference", "training"}
    assert registered_checks()["efficiency.model_size"].describe()["reads_in_words"] == (
        "nothing beyond the evaluation data's features"
    )
