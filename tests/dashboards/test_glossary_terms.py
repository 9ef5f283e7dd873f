"""The names of checks and metrics across the pages: the name, linked to the check's guide
page or the metric's glossary entry, the key on hover; plain text for reports; the key
itself for one the engine no longer knows."""

import pytest
from django.template import Context, Template
from django.urls import reverse


def render(source: str, **context) -> str:
    return Template("{% load glossary_terms %}" + source).render(Context(context))


def test_a_check_is_shown_by_its_name_linked_to_its_guide_page_with_its_key_on_hover():
    html = render("{% check_name key %}", key="calibration.classification")

    assert html == (
        f'<a class="term" href="{reverse("guide-check", args=["calibration.classification"])}" '
        'title="key: calibration.classification">Probability calibration</a>'
    )


def test_a_guide_link_names_its_check_for_screen_readers_and_needs_a_known_check():
    html = render('{% guide_link key before=" · " %}', key="drift.columns")

    assert html == (
        f' · <a class="guide-link" href="{reverse("guide-check", args=["drift.columns"])}">'
        'Guide<span class="visually-hidden"> to Column drift</span></a>'
    )
    assert render("{% guide_link 'retired.check' %}") == ""
    assert render("{% guide_link key %}", key="") == ""


def test_a_metric_is_shown_by_its_name_linked_to_the_glossary_with_its_key_on_hover():
    html = render("{% metric_name key %}", key="expected_calibration_error")

    assert html == (
        f'<a class="term" href="{reverse("glossary")}#metric-expected_calibration_error" '
        'title="key: expected_calibration_error">Expected calibration error</a>'
    )


def test_a_report_shows_the_name_without_a_link_and_may_show_the_key_in_small_type():
    html = render("{% check_name key link=False show_key=True %}", key="drift.columns")

    assert html == (
        '<span class="term" title="key: drift.columns">Column drift</span> '
        '<code class="term-key">drift.columns</code>'
    )
    assert "<a " not in render("{% metric_name 'psi' link=False %}")


@pytest.mark.parametrize("tag", ["check_name", "metric_name"])
def test_nothing_is_shown_for_no_key(tag):
    assert render(f"{{% {tag} key %}}", key=None) == ""
    assert render(f"{{% {tag} key %}}", key="") == ""


def test_a_key_the_engine_no_longer_knows_is_shown_as_it_is():
    assert render("{% check_name 'retired.check' %}") == "<code>retired.check</code>"
    assert render("{% metric_name 'rows_seen_twice' %}") == (
        '<span title="key: rows_seen_twice">Rows seen twice</span>'
    )


def test_the_labels_are_plain_text_for_attributes():
    html = render(
        '<b aria-label="{{ check|check_label }}, {{ metric|metric_label }}"></b>',
        check="drift.columns",
        metric="psi",
    )

    assert html == '<b aria-label="Column drift, Population stability index (PSI)"></b>'
    assert render("{{ 'retired.check'|check_label }}") == "retired.check"


def test_a_key_is_escaped():
    html = render("{% check_name key %}{% metric_name key %}", key="<b>")

    assert "<b>" not in html and "&lt;b&gt;" in html


def test_a_status_links_to_its_glossary_entry_and_no_status_shows_the_name_alone():
    html = render('{% term "finding-status" "fix_submitted" "Fix submitted" %}')

    assert html == (
        f'<a class="term" href="{reverse("glossary")}#finding-status-fix_submitted" '
        'title="key: fix_submitted">Fix submitted</a>'
    )
    assert render('{% term "run-status" "" "Not run" %}') == "Not run"
