"""Every check and metric has a name for people, distinct from the key engineers use."""

import pytest

from apps.evaluations.engine.names import METRIC_NAMES, metric_name
from apps.evaluations.engine.registry import (
    READS,
    Check,
    CheckDocs,
    check_name,
    register,
    registered_checks,
)


def test_every_check_has_a_name_that_is_not_its_key():
    for key, check in registered_checks().items():
        assert check.name.strip(), key
        assert check.name != key
        assert check.describe()["name"] == check.name


def test_no_two_checks_share_a_name():
    names = [check.name for check in registered_checks().values()]

    assert len(names) == len(set(names))


def test_every_metric_of_every_check_has_a_name_that_is_not_its_key():
    for key, check in registered_checks().items():
        for metric in check.metrics:
            assert METRIC_NAMES.get(metric, "").strip(), f"{key}: {metric}"
            assert METRIC_NAMES[metric] != metric
        assert check.describe()["metric_names"] == {m: METRIC_NAMES[m] for m in check.metrics}


def test_no_two_metrics_share_a_name_and_every_named_metric_is_reported_by_a_check():
    reported = {metric for check in registered_checks().values() for metric in check.metrics}

    assert len(set(METRIC_NAMES.values())) == len(METRIC_NAMES)
    assert set(METRIC_NAMES) == reported


def test_calibration_reads_as_words():
    check = registered_checks()["calibration.classification"]

    assert check.name == check_name("calibration.classification") == "Probability calibration"
    assert metric_name("expected_calibration_error") == "Expected calibration error"


def test_a_metric_without_a_name_is_shown_in_words_and_an_unknown_check_by_its_key():
    assert metric_name("rows_seen_twice") == "Rows seen twice"
    assert metric_name("ks_p_value") == "KS p value"
    assert check_name("retired.check") == "retired.check"


@pytest.mark.parametrize("name", [None, "", "  ", "test.nameless"])
def test_a_check_without_a_name_for_people_is_refused(name):
    declared = {
        "key": "test.nameless",
        "category": "performance",
        "reads": frozenset(READS) & {"labels"},
        "metrics": {"score": "A score."},
        "default_metric": "score",
        "docs": CheckDocs(what="w", why="w", fix="f", reference="r"),
    }
    if name is not None:
        declared["name"] = name
    cls = type("Nameless", (Check,), declared)

    with pytest.raises(ValueError, match="must have a `name`"):
        register(cls)
    assert "test.nameless" not in registered_checks()


def test_a_check_named_like_another_is_refused():
    declared = {
        "key": "test.copycat",
        "name": "Probability calibration",
        "category": "calibration",
        "reads": frozenset({"labels"}),
        "metrics": {"score": "A score."},
        "default_metric": "score",
        "docs": CheckDocs(what="w", why="w", fix="f", reference="r"),
    }
    registered_checks()  # the families are loaded, so the name is taken

    with pytest.raises(ValueError, match="already named"):
        register(type("Copycat", (Check,), declared))
    assert "test.copycat" not in registered_checks()
