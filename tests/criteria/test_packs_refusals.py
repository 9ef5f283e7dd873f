"""A bad pack is refused whole, with every problem at once: each names the entry, the line
and the field, and quotes the value as written. Nothing is written."""

import pytest
from django.test import override_settings

from apps.criteria.models import CriterionPack, CriterionTemplate
from apps.criteria.packs.services import criterion_pack_import
from apps.standards.models import Framework, Requirement
from qualiti.errors import InvalidInput, TooLarge
from tests.criteria.pack_texts import acme

pytestmark = pytest.mark.django_db

THREE_BAD_ENTRIES = """\
pack:
  id: acme
  version: 1
templates:
  - code: BAD-01
    name: Unknown check
    category: fairness
    check_key: Fairness.Clasification
    metric: demographic_parity_ratio
    comparator: ">="
    threshold: 0.8
    severity: high
    rationale: r
    guidance: g
  - code: BAD-02
    name: Bad severity
    category: fairness
    check_key: fairness.classification
    metric: demographic_parity_ratio
    comparator: ">="
    threshold: 0.8
    severity: urgent
    rationale: r
    guidance: g
  - code: BAD-03
    name: Bad parameter
    category: fairness
    check_key: fairness.classification
    metric: demographic_parity_ratio
    comparator: ">="
    threshold: 0.8
    params: {alpha: lots}
    severity: high
    rationale: r
    guidance: g
"""


def rows() -> tuple[int, int, int, int]:
    return (
        CriterionTemplate.objects.count(),
        CriterionPack.objects.count(),
        Framework.objects.count(),
        Requirement.objects.count(),
    )


def refusal(content: bytes | str) -> list[dict]:
    before = rows()
    with pytest.raises(InvalidInput) as caught:
        criterion_pack_import(
            user=None, content=content.encode() if isinstance(content, str) else content
        )
    assert rows() == before, "a refused pack wrote something"
    assert "nothing was imported" in caught.value.message
    return caught.value.extra["errors"]


def located(error: dict) -> tuple:
    return (
        error["section"],
        error["entry"],
        error["code"],
        error["line"],
        error["field"],
        error["value"],
    )


def test_three_bad_entries_are_refused_with_one_error_each_naming_entry_line_field_and_value():
    errors = refusal(THREE_BAD_ENTRIES)

    assert [located(error) for error in errors] == [
        ("templates", 1, "BAD-01", 8, "check_key", "Fairness.Clasification"),
        ("templates", 2, "BAD-02", 22, "severity", "urgent"),
        ("templates", 3, "BAD-03", 32, "params.alpha", "lots"),
    ]
    assert errors[1]["message"] == (
        "Template 2 (BAD-02), line 22, severity: must be one of critical, high, medium, low; "
        "given 'urgent'."
    )
    assert errors[2]["message"].startswith("Template 3 (BAD-03), line 32, params.alpha:")


def test_an_unknown_check_key_is_quoted_as_given():
    (error,) = refusal(
        acme({"check_key: fairness.classification": "check_key: Fairness.Classification "})
    )

    assert error["value"] == "Fairness.Classification"
    assert "'Fairness.Classification'" in error["message"]
    assert "did you mean fairness.classification?" in error["message"]


def test_a_quoted_check_key_keeps_its_spaces_in_the_error():
    (error,) = refusal(
        acme({"check_key: fairness.classification": 'check_key: " fairness.classification"'})
    )

    assert error["value"] == " fairness.classification"
    assert "' fairness.classification'" in error["message"]


def test_a_metric_the_check_does_not_report_and_an_unknown_parameter_are_named():
    errors = refusal(
        acme(
            {"metric: demographic_parity_ratio": "metric: accuracy", "min_group_size": "min_group"}
        )
    )

    assert [(error["field"], error["value"]) for error in errors] == [
        ("metric", "accuracy"),
        ("params.min_group", "min_group"),
    ]
    assert "did you mean min_group_size?" in errors[1]["message"]


def test_a_billion_laughs_of_aliases_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )

    (error,) = refusal(bomb)

    assert error["line"] == 1
    assert "aliases" in error["message"]


@override_settings(QUALITI_PACK_MAX_BYTES=512)
def test_a_pack_over_the_size_cap_is_refused_unread():
    with pytest.raises(TooLarge, match="512 bytes"):
        criterion_pack_import(user=None, content=acme())
    assert not CriterionPack.objects.exists()


def test_the_shipped_packs_id_is_refused():
    (error,) = refusal(acme({"id: acme\n": "id: qualiti\n"}))

    assert (error["section"], error["field"], error["line"]) == ("pack", "id", 2)
    assert "shipped" in error["message"]


def test_an_older_version_of_an_imported_pack_is_refused():
    criterion_pack_import(user=None, content=acme({"version: 1": "version: 3"}))

    (error,) = refusal(acme({"version: 1": "version: 2"}))

    assert (error["field"], error["value"]) == ("version", "2")
    assert "version 3" in error["message"]


def test_unknown_requirements_are_named_each():
    errors = refusal(
        acme(
            {
                "[acme-ai-policy/fair-1, eu-ai-act/art-10-2-f]": (
                    "[acme-ai-policy/fair-9, eu-ai-act/art-99, iso-27001/a-5]"
                )
            }
        )
    )

    assert [(error["field"], error["line"]) for error in errors] == [
        ("requirements[0]", 18),
        ("requirements[1]", 18),
        ("requirements[2]", 18),
    ]
    assert "acme-ai-policy has no requirement 'fair-9'" in errors[0]["message"]
    assert "eu-ai-act has no requirement 'art-99'" in errors[1]["message"]
    assert "no framework 'iso-27001'" in errors[2]["message"]


def test_a_process_template_may_not_name_a_check_and_a_measured_one_needs_its_threshold():
    errors = refusal(
        acme(
            {
                "    answered_by_role:": (
                    "    check_key: fairness.classification\n    answered_by_role:"
                ),
                "    threshold: 0.9\n": "",
            }
        )
    )

    assert sorted((error["entry"], error["field"], error["value"]) for error in errors) == [
        (1, "threshold", None),
        (2, "check_key", "fairness.classification"),
    ]
    messages = " ".join(error["message"] for error in errors)
    assert "a measured template needs it" in messages
    assert "a process template has no check_key" in messages


def test_codes_too_long_once_namespaced_duplicated_or_misspelt_fields_are_refused():
    errors = refusal(
        acme(
            {
                "code: FAIR-01": "code: FAIRNESS-01",
                "code: PROC-01": "code: FAIRNESS-01",
                "severity: critical": "severty: critical",
                "id: acme\n": "id: a-very-long-pack-name-x\n",
            }
        )
    )

    found = [(error["entry"], error["field"], error["value"]) for error in errors]
    assert found == [
        (1, "code", "FAIRNESS-01"),  # too long once namespaced
        (1, "severity", None),  # missing, as it is misspelt:
        (1, "severty", "severty"),
        (2, "code", "FAIRNESS-01"),  # given twice,
        (2, "code", "FAIRNESS-01"),  # and too long
    ]
    assert "did you mean severity?" in errors[2]["message"]
    assert "'a-very-long-pack-name-x:FAIRNESS-01' it would have 35 characters" in " ".join(
        error["message"] for error in errors
    )


def test_keys_given_twice_anchors_and_exotic_tags_are_refused_with_their_lines():
    errors = refusal(
        "pack: {id: acme, version: 1}\ntemplates: []\ntemplates: []\nx: !!binary aGk=\n"
    )

    assert [(error["line"], error["section"], error["field"]) for error in errors] == [
        (3, "templates", ""),
        (4, "", "x"),
    ]


def test_a_threshold_that_is_not_finite_is_refused():
    (error,) = refusal(acme({"threshold: 0.9": "threshold: .inf"}))

    assert (error["field"], error["value"]) == ("threshold", ".inf")


def test_an_entry_with_a_bad_severity_and_an_unknown_check_gets_both_errors():
    errors = refusal(
        acme(
            {
                "severity: critical": "severity: urgent",
                "check_key: fairness.classification": "check_key: fairness.nope",
            }
        )
    )

    assert [(error["line"], error["field"], error["value"]) for error in errors] == [
        (9, "check_key", "fairness.nope"),
        (14, "severity", "urgent"),
    ]


def test_a_threshold_its_metric_can_never_take_is_refused():
    (error,) = refusal(acme({"threshold: 0.9": "threshold: 1.5"}))

    assert (error["field"], error["value"]) == ("threshold", "1.5")
    assert "between 0 and 1" in error["message"]
