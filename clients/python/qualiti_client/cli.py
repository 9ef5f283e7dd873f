"""The `qualiti` command: `gate`, `upload model|data`, `run show`, `findings`.

Exit codes: 0 pass, 1 fail, 2 bad input or a refused upload, 3 a server or network error
after retries, or the timeout reached."""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from qualiti_client import __version__
from qualiti_client.api import Client, QualitiClientError, RefusedError
from qualiti_client.gate import (
    EXIT_BAD_INPUT,
    GateOptions,
    blocking_failures,
    gate_run,
    verdict_exit_code,
)
from qualiti_client.junit import junit_write, result_name
from qualiti_client.markdown import VERDICT_TITLES, markdown_write


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, then the command and its options."""
    parser = argparse.ArgumentParser(prog="qualiti", description=__doc__)
    parser.add_argument("--version", action="version", version=f"qualiti-client {__version__}")
    parser.add_argument("--url", default=os.environ.get("QUALITI_URL"), help="$QUALITI_URL")
    parser.add_argument("--token", default=os.environ.get("QUALITI_TOKEN"), help="$QUALITI_TOKEN")
    parser.add_argument("--retries", type=int, default=4, help="per request (default 4)")
    parser.add_argument(
        "--backoff", type=float, default=1.0, help="first wait between retries, doubled each time"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", required=True)

    gate = commands.add_parser(
        "gate", help="upload a model and its data, run an approved plan, gate on the verdict"
    )
    gate.add_argument("--project", required=True, help="the project's slug")
    gate.add_argument("--plan", required=True, help="the test plan's name (its approved version)")
    gate.add_argument("--model", required=True, type=Path, help="a .skops or .onnx file")
    gate.add_argument("--data", required=True, type=Path, help="the evaluation data (CSV/Parquet)")
    gate.add_argument("--reference", type=Path, help="reference data (for drift checks)")
    gate.add_argument("--train", type=Path, help="training data")
    gate.add_argument("--target", help="the target column (default: the latest dataset's)")
    gate.add_argument(
        "--sensitive", nargs="*", help="sensitive columns (default: the latest dataset's)"
    )
    gate.add_argument("--label", default="", help='the model version\'s label ("v<n>" if empty)')
    gate.add_argument(
        "--wait",
        action="store_true",
        help="follow the run to its verdict (implied by --junit, --markdown and --fail-on)",
    )
    gate.add_argument("--timeout", type=float, default=3600.0, help="seconds (default 3600)")
    gate.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        help="longest pause in seconds between looks at the run (the first are shorter)",
    )
    gate.add_argument("--junit", type=Path, help="write the results as JUnit XML")
    gate.add_argument("--markdown", type=Path, help="write a Markdown summary")
    gate.add_argument("--fail-on", choices=["warnings"], help="a pass with warnings fails too")

    upload = commands.add_parser("upload", help="upload a model version or a dataset")
    kinds = upload.add_subparsers(dest="kind", required=True)
    model = kinds.add_parser("model", help="a .skops or .onnx file")
    model.add_argument("file", type=Path)
    model.add_argument("--project", required=True)
    model.add_argument("--label", default="")
    data = kinds.add_parser("data", help="a CSV or Parquet file")
    data.add_argument("file", type=Path)
    data.add_argument("--project", required=True)
    data.add_argument(
        "--role", required=True, choices=["train", "evaluation", "reference", "production_sample"]
    )
    data.add_argument("--target", default="")
    data.add_argument("--sensitive", nargs="*", default=[])

    run = commands.add_parser("run", help="read a run")
    run_commands = run.add_subparsers(dest="run_command", required=True)
    show = run_commands.add_parser("show", help="a run's status, verdict and failures")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="the run and its results as JSON")

    findings = commands.add_parser("findings", help="a project's findings")
    findings.add_argument("--project", required=True)
    findings.add_argument("--json", action="store_true")
    return parser


def _gate(client: Client, args: argparse.Namespace) -> int:
    wait = bool(args.wait or args.junit or args.markdown or args.fail_on)
    options = GateOptions(
        project=args.project,
        plan=args.plan,
        model=args.model,
        data=args.data,
        reference=args.reference,
        train=args.train,
        target=args.target,
        sensitive=args.sensitive,
        label=args.label,
        wait=wait,
        timeout=args.timeout,
        poll_interval=args.poll_interval,
        fail_on_warnings=args.fail_on == "warnings",
    )
    bars: list[tqdm] = []  # the run's progress bar, opened once the run is launched

    def progress(run: dict) -> None:
        if not bars:
            bars.append(tqdm(total=100, desc="Run", unit="%", disable=args.no_progress))
        bar = bars[0]
        bar.update(max(0, int(run.get("progress") or 0) - bar.n))
        bar.set_postfix_str(run.get("current_step") or run["status"], refresh=True)

    try:
        outcome = gate_run(
            client, options, say=lambda line: print(line, flush=True), on_progress=progress
        )
    finally:
        for bar in bars:
            bar.close()
    if not wait:
        print("Not waiting for the verdict (--wait to gate on it).")
        return 0
    run, results = outcome.run, outcome.results
    if args.junit:
        junit_write(args.junit, run=run, results=results, url=outcome.url)
    if args.markdown:
        markdown_write(args.markdown, run=run, results=results, url=outcome.url)
    code = verdict_exit_code(run.get("verdict"), fail_on_warnings=options.fail_on_warnings)
    print(f"Verdict: {VERDICT_TITLES.get(run['verdict'], run['verdict'])}")
    for item in blocking_failures(results):
        print(f"  blocking failure: {result_name(item)}: {item.get('message') or ''}")
    if run["verdict"] == "pass_with_warnings":
        warnings = [item for item in results if item["outcome"] == "fail"]
        for item in warnings:
            print(f"  warning: {result_name(item)}: {item.get('message') or ''}")
    return code


def _upload(client: Client, args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise RefusedError(f"No such file: {args.file}")
    if args.kind == "model":
        created = client.model_version_upload(
            project=args.project, path=args.file, label=args.label
        )
    else:
        created = client.dataset_upload(
            project=args.project,
            path=args.file,
            role=args.role,
            target_column=args.target,
            sensitive_columns=args.sensitive,
        )
    print(json.dumps(created, indent=2))
    return 0


def _run_show(client: Client, args: argparse.Namespace) -> int:
    run = client.run_get(args.id)
    results = client.check_results(args.id) if run["status"] == "succeeded" else []
    if args.json:
        print(json.dumps({"run": run, "results": results}, indent=2))
        return 0
    print(f"Run {run['id']}: {run['status']}, {run.get('progress', 0)}% — {client.run_url(run)}")
    if run.get("verdict"):
        print(f"Verdict: {VERDICT_TITLES.get(run['verdict'], run['verdict'])}")
    if run.get("error"):
        print(f"Error: {run['error']}")
    for item in results:
        if item["outcome"] in ("fail", "error"):
            mark = "blocking failure" if item.get("blocking") else item["outcome"]
            print(f"  {mark}: {result_name(item)}: {item.get('message') or ''}")
    return 0


def _findings(client: Client, args: argparse.Namespace) -> int:
    items = client.findings(project=args.project)
    if args.json:
        print(json.dumps(items, indent=2))
        return 0
    for item in items:
        print(f"#{item['id']} [{item['severity']}] {item['status']}: {item['title']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: parses, runs the command, maps errors to exit codes."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse's usage errors are bad input
        return EXIT_BAD_INPUT if exit_.code else 0
    if not args.url or not args.token:
        print(
            "qualiti: give --url and --token, or set QUALITI_URL and QUALITI_TOKEN.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    client = Client(
        args.url,
        args.token,
        retries=args.retries,
        backoff=args.backoff,
        progress=not args.no_progress,
    )
    try:
        if args.command == "upload":
            return _upload(client, args)
        if args.command == "run":
            return _run_show(client, args)
        if args.command == "findings":
            return _findings(client, args)
        return _gate(client, args)
    except QualitiClientError as error:
        print(f"qualiti: {error}", file=sys.stderr)
        return error.exit_code
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
