"""The `qualiti` command. Exit codes: 0 pass, 1 fail, 2 bad input or a refused upload,
3 a server or network error after retries, or the timeout reached."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from qualiti_client import __version__
from qualiti_client.api import Client, QualitiClientError
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
        "--poll-interval", type=float, default=2.0, help="seconds between looks at the run"
    )
    gate.add_argument("--junit", type=Path, help="write the results as JUnit XML")
    gate.add_argument("--markdown", type=Path, help="write a Markdown summary")
    gate.add_argument("--fail-on", choices=["warnings"], help="a pass with warnings fails too")
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
    outcome = gate_run(client, options, say=lambda line: print(line, flush=True))
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


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: parses, runs the command, maps errors to exit codes."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse's usage errors are bad input
        return EXIT_BAD_INPUT if exit_.code else 0
    if not args.url or not args.token:
        print("qualiti: give --url and --token, or set QUALITI_URL and QUALITI_TOKEN.")
        return EXIT_BAD_INPUT
    client = Client(
        args.url,
        args.token,
        retries=args.retries,
        backoff=args.backoff,
        progress=not args.no_progress,
    )
    try:
        return _gate(client, args)
    except QualitiClientError as error:
        print(f"qualiti: {error}", file=sys.stderr)
        return error.exit_code
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
