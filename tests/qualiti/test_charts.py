"""The shared chart style: a palette that reads on white, thresholds labelled with their
value beside the line, failing marks told by shape as well as colour, counts on integer
axes and weeks on date axes; and the rule checker the other chart tests lean on catches
each defect users saw."""

import datetime

import pytest

from qualiti import charts
from tests.support.chart_rules import chart_rule_breaches


def contrast_on_white(colour: str) -> float:
    """WCAG 2 contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_every_palette_colour_reads_on_white_with_aa_contrast():
    used = set(charts.PALETTE.values()) | set(charts.SERIES) | set(charts.AGE_COLOURS)
    used |= {colour for colour, _, _ in charts.VERDICT_STYLE.values()}
    used |= {colour for _, colour, _ in charts.FINDING_KIND_STYLE.values()}

    assert used <= set(charts.PALETTE.values())
    assert {colour: round(contrast_on_white(colour), 2) for colour in used if
            contrast_on_white(colour) < 4.5} == {}  # fmt: skip


def test_open_findings_are_a_warning_and_closed_ones_green():
    assert charts.FINDING_KIND_STYLE["closed"][1] == charts.GREEN
    for kind in ("open", "opened", "overdue"):
        assert charts.FINDING_KIND_STYLE[kind][1] in (charts.AMBER, charts.RED)
    assert charts.GREEN not in charts.AGE_COLOURS  # every aged finding is still open


def test_a_threshold_line_is_labelled_with_its_value_beside_the_line():
    lines = charts.threshold(0.8, comparator=">=")

    [line], [label] = lines["shapes"], lines["annotations"]
    assert line["y0"] == line["y1"] == 0.8 and line["line"] == charts.THRESHOLD_LINE
    assert label["text"] == "threshold<br>≥ 0.8"
    assert (label["x"], label["xref"], label["xanchor"]) == (1, "paper", "left")  # past the edge
    assert label["y"] == 0.8 and label["bgcolor"]
    assert charts.layout("Recall", **lines)["margin"]["r"] == charts.EDGE_LABEL_MARGIN
    assert charts.layout("Recall")["margin"]["r"] < charts.EDGE_LABEL_MARGIN


def test_a_vertical_threshold_is_labelled_at_the_top_right_of_its_line():
    lines = charts.threshold(250.0, comparator="<=", vertical=True)

    [line], [label] = lines["shapes"], lines["annotations"]
    assert line["x0"] == line["x1"] == 250.0
    assert label["text"] == "threshold ≤ 250" and label["x"] == 250.0
    assert (label["xanchor"], label["yanchor"]) == ("left", "top")


def test_without_a_threshold_nothing_is_drawn():
    assert charts.threshold(None) == {}
    assert charts.failing_points_note(None) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.8, "0.8"), (0.05, "0.05"), (0.123456, "0.123"), (20.0, "20"), (250.4, "250"),
     (12345.6, "12,346"), (3, "3")],
)  # fmt: skip
def test_numbers_on_labels_are_short(value, text):
    assert charts.number_text(value) == text


def test_a_count_axis_ticks_whole_units_from_zero_while_the_counts_are_few():
    few = charts.count_axis("findings", [0, 2, None, 3])
    many = charts.count_axis("runs", [12, 140])
    none = charts.count_axis("findings", [0, 0])

    assert (few["tickformat"], few["rangemode"], few["dtick"]) == ("d", "tozero", 1)
    assert many["tickformat"] == "d" and "dtick" not in many  # plotly spaces whole ticks
    assert none["range"] == [0, 1] and none["dtick"] == 1


def test_weeks_sit_on_a_date_axis_ticking_on_their_mondays():
    monday = datetime.date(2025, 1, 6)
    weeks = [monday + datetime.timedelta(weeks=index) for index in range(12)]

    axis = charts.week_axis(weeks)

    assert axis["type"] == "date" and axis["tick0"] == "2025-01-06"
    assert axis["dtick"] == 2 * charts.WEEK_MS  # twelve weeks, six ticks
    assert charts.iso_dates(weeks[:2]) == ["2025-01-06", "2025-01-13"]
    assert charts.date_axis()["tickformatstops"][0]["value"].startswith("%H:%M:%S")


def test_failing_bars_are_hatched_and_failing_points_are_crosses():
    bars = charts.bar_marks([True, False])
    points = charts.point_marks([False, True], colour=charts.TEAL)

    assert bars["color"] == [charts.RED, charts.BLUE]
    assert bars["pattern"]["shape"] == [charts.FAIL_PATTERN, ""]
    assert points["symbol"] == ["circle", "x"] and points["color"] == [charts.TEAL, charts.RED]


def test_the_rule_checker_names_each_defect_users_saw():
    unlabelled = {"data": [], "layout": {"shapes": charts.threshold(0.8)["shapes"]}}
    red_only = {"data": [{"type": "bar", "y": [0.3, 0.5], "marker": {"color": [charts.RED,
                charts.BLUE]}}], "layout": {}}  # fmt: skip
    fractional = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {"yaxis": {}}}
    repeated_dates = {"data": [{"type": "bar", "x": ["30 Nov", "7 Dec"], "y": [0.5, 0.6]}],
                      "layout": {"xaxis": {"type": "category"}}}  # fmt: skip
    iso_on_category = {"data": [{"type": "scatter", "x": ["2025-01-06"], "y": [1.0]}],
                       "layout": {"xaxis": {"type": "category"}}}  # fmt: skip

    assert chart_rule_breaches(unlabelled) == ["the line at 0.8 has no label carrying its value"]
    assert chart_rule_breaches(red_only) == [
        "None: red bar 0 has no pattern",
        "None: nothing says what its marks mean",
    ]
    assert chart_rule_breaches(fractional) == [
        "the count axis None is not whole numbers from zero",
        "the count axis None may tick fractions of its few counts",
    ]
    assert chart_rule_breaches(repeated_dates) == ["dates spelled as categories on the x axis"]
    assert chart_rule_breaches(iso_on_category) == ["dates on a category x axis"]
