"""JUnit XML and the Markdown summary of a run."""

import xml.etree.ElementTree as ET

from conftest import FAILING_RESULTS
from qualiti_client.junit import junit_xml
from qualiti_client.markdown import markdown_summary

RUN = {"id": 12, "project": "credit", "verdict": "fail", "status": "succeeded"}
URL = "http://qualiti.test/projects/credit/runs/12/"


def test_it_writes_one_test_case_per_check_result() -> None:
    root = ET.fromstring(junit_xml(run=RUN, results=FAILING_RESULTS, url=URL))

    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.attrib["tests"] == "4"
    assert suite.attrib["failures"] == "2"
    assert suite.attrib["skipped"] == "1"
    cases = suite.findall("testcase")
    assert [(case.attrib["classname"], case.attrib["name"]) for case in cases] == [
        ("performance", "accuracy"),
        ("fairness", "demographic_parity [sex]"),
        ("data_quality", "missing_values [age]"),
        ("performance", "latency"),
    ]


def test_it_gives_each_failure_its_message() -> None:
    root = ET.fromstring(junit_xml(run=RUN, results=FAILING_RESULTS, url=URL))

    failures = root.findall(".//testcase/failure")
    assert [failure.attrib["message"] for failure in failures] == [
        "The selection-rate gap 0.31 exceeds 0.10.",
        "4% missing | over 2%.",
    ]
    assert failures[0].attrib["type"] == "critical, blocking"
    assert URL in (failures[0].text or "")
    assert root.find(".//testcase[@name='latency']/skipped") is not None
    assert root.find(".//testcase[@name='accuracy']/failure") is None


def test_it_writes_an_empty_suite_for_a_run_without_results() -> None:
    root = ET.fromstring(junit_xml(run=RUN, results=[], url=URL))

    assert root.find("testsuite").attrib["tests"] == "0"  # type: ignore[union-attr]


def test_the_markdown_summary_names_the_verdict_and_the_failures() -> None:
    text = markdown_summary(run=RUN, results=FAILING_RESULTS, url=URL)

    assert text.startswith("### Qualiti gate: failed\n")
    assert f"[Run 12]({URL})" in text
    assert "1 passed, 2 failed, 0 errors, 1 skipped" in text
    rows = [line for line in text.splitlines() if line.startswith("| blocking") or "| fail" in line]
    assert rows[0].startswith("| blocking | `demographic_parity [sex]` | fairness | critical")
    assert "4% missing \\| over 2%." in rows[1]  # a pipe does not break the table


def test_the_markdown_summary_of_a_pass_has_no_table() -> None:
    text = markdown_summary(run={**RUN, "verdict": "pass"}, results=FAILING_RESULTS[:1], url=URL)

    assert "passed" in text
    assert "|---" not in text
