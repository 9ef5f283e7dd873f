"""A Markdown summary of a run, for a pull-request or merge-request comment."""

from pathlib import Path

from qualiti_client.junit import result_name

VERDICT_TITLES = {
    "pass": "passed",
    "pass_with_warnings": "passed with warnings",
    "fail": "failed",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_summary(*, run: dict, results: list[dict], url: str) -> str:
    """The verdict, the counts, and a table of the failures (blocking ones first)."""
    verdict = VERDICT_TITLES.get(run.get("verdict") or "", run.get("verdict") or "no verdict")
    counts = {
        outcome: sum(item["outcome"] == outcome for item in results)
        for outcome in ("pass", "fail", "error", "skipped")
    }
    lines = [
        f"### Qualiti gate: {verdict}",
        "",
        f"[Run {run['id']}]({url}) of project `{run.get('project', '')}`: "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors, "
        f"{counts['skipped']} skipped.",
    ]
    failures = sorted(
        (item for item in results if item["outcome"] in ("fail", "error")),
        key=lambda item: (not item.get("blocking"), item["outcome"] != "fail"),
    )
    if failures:
        lines += [
            "",
            "| | check | category | severity | message |",
            "|---|---|---|---|---|",
        ]
        for item in failures:
            mark = "blocking" if item.get("blocking") else item["outcome"]
            lines.append(
                f"| {mark} | `{_cell(result_name(item))}` | {_cell(item.get('category', ''))} "
                f"| {_cell(item.get('severity') or '')} | {_cell(item.get('message') or '')} |"
            )
    return "\n".join(lines) + "\n"


def markdown_write(path: Path, *, run: dict, results: list[dict], url: str) -> None:
    path.write_text(markdown_summary(run=run, results=results, url=url), encoding="utf-8")
