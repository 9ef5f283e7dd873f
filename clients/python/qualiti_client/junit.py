"""JUnit XML of a run, as GitLab, Jenkins and GitHub's test reporters read it: one test case
per check result, `classname` the category, `name` the check and its subject."""

import xml.etree.ElementTree as ET
from pathlib import Path


def result_name(result: dict) -> str:
    """The check and its subject: `fairness_gap [sex]`, or the check alone."""
    subject = result.get("subject") or ""
    return f"{result['check_key']} [{subject}]" if subject else result["check_key"]


def _message(result: dict) -> str:
    if result.get("message"):
        return result["message"]
    observed, threshold = result.get("observed"), result.get("threshold")
    metric = result.get("metric") or "value"
    return f"{metric} {observed} {result.get('comparator', '')} {threshold}".strip()


def junit_xml(*, run: dict, results: list[dict], url: str) -> str:
    """The run's results as a JUnit XML document."""
    counts = {
        outcome: sum(item["outcome"] == outcome for item in results)
        for outcome in ("fail", "error", "skipped")
    }
    seconds = sum(item.get("duration_ms") or 0 for item in results) / 1000
    suites = ET.Element("testsuites", name="qualiti")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"qualiti run {run['id']}",
        tests=str(len(results)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=f"{seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("url", url),
        ("verdict", run.get("verdict") or ""),
        ("project", run.get("project") or ""),
    ):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.get("category") or "check",
            name=result_name(result),
            time=f"{(result.get('duration_ms') or 0) / 1000:.3f}",
        )
        severity = result.get("severity") or ""
        kind = f"{severity}{', blocking' if result.get('blocking') else ''}"
        if result["outcome"] == "fail":
            failure = ET.SubElement(case, "failure", message=_message(result), type=kind)
            failure.text = f"{_message(result)}\nseverity: {kind or 'n/a'}\n{url}"
        elif result["outcome"] == "error":
            ET.SubElement(case, "error", message=_message(result), type="error")
        elif result["outcome"] == "skipped":
            ET.SubElement(case, "skipped", message=_message(result))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def junit_write(path: Path, *, run: dict, results: list[dict], url: str) -> None:
    path.write_text(junit_xml(run=run, results=results, url=url), encoding="utf-8")
