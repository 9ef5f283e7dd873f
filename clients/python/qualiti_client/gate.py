"""`qualiti gate`: upload (or reuse) the files, launch the plan's approved version, follow
the run, and turn its verdict into an exit code."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualiti_client.api import Client, RefusedError, ServerError, file_sha256

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_SERVER = 3

FINISHED_STATUSES = ("succeeded", "failed", "cancelled")


@dataclass
class GateOptions:
    project: str
    plan: str
    model: Path
    data: Path
    reference: Path | None = None
    train: Path | None = None
    target: str | None = None
    sensitive: list[str] | None = None
    label: str = ""
    wait: bool = True
    timeout: float = 3600.0
    poll_interval: float = 1.0
    fail_on_warnings: bool = False


@dataclass
class GateOutcome:
    run: dict
    url: str
    results: list[dict] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)  # what was sent (not reused)


def verdict_exit_code(verdict: str | None, *, fail_on_warnings: bool = False) -> int:
    """0 for a pass (and a pass with warnings, unless they fail the gate), 1 for a fail."""
    if verdict == "pass":
        return EXIT_PASS
    if verdict == "pass_with_warnings":
        return EXIT_FAIL if fail_on_warnings else EXIT_PASS
    if verdict == "fail":
        return EXIT_FAIL
    raise ServerError(f"The run finished without a verdict ({verdict!r}).")


def blocking_failures(results: list[dict]) -> list[dict]:
    return [item for item in results if item["outcome"] == "fail" and item.get("blocking")]


def _model_version(
    client: Client, options: GateOptions, outcome: GateOutcome, say: Callable[[str], None]
) -> dict:
    sha256 = file_sha256(options.model)
    found = client.model_version_with_sha256(project=options.project, sha256=sha256)
    if found is not None:
        say(f"Model {options.model.name}: reusing version {found['label']} (same sha256).")
        return found
    created = client.model_version_upload(
        project=options.project, path=options.model, label=options.label
    )
    outcome.uploaded.append(str(options.model))
    say(f"Model {options.model.name}: uploaded as version {created['label']}.")
    return created


def _dataset(
    client: Client,
    options: GateOptions,
    outcome: GateOutcome,
    say: Callable[[str], None],
    *,
    path: Path,
    role: str,
) -> dict:
    """The dataset for a file: the project's own with the same sha256 and columns, else
    uploaded. Its validation (on a worker) may still be running."""
    sha256 = file_sha256(path)
    found = client.dataset_with_sha256(project=options.project, sha256=sha256, role=role)
    # The same bytes named with other columns are another dataset: upload it as asked.
    if found is not None and (
        (options.target is not None and found.get("target_column") != options.target)
        or (
            options.sensitive is not None
            and sorted(found.get("sensitive_columns") or []) != sorted(options.sensitive)
        )
    ):
        found = None
    if found is not None:
        say(f"Data {path.name} ({role}): reusing dataset {found['id']} (same sha256).")
        return found
    # Target and sensitive columns default to those of the latest dataset of the role.
    target, sensitive = options.target, options.sensitive
    if target is None or sensitive is None:
        latest = client.dataset_latest(project=options.project, role=role) or {}
        target = latest.get("target_column", "") if target is None else target
        sensitive = latest.get("sensitive_columns", []) if sensitive is None else sensitive
    dataset = client.dataset_upload(
        project=options.project,
        path=path,
        role=role,
        target_column=target or "",
        sensitive_columns=list(sensitive or []),
    )
    outcome.uploaded.append(str(path))
    say(f"Data {path.name} ({role}): uploaded as dataset {dataset['id']}.")
    return dataset


def poll_delays(longest: float) -> Iterator[float]:
    """Pauses between looks: brisk at first (a small file validates in a moment), doubling
    up to `longest` seconds."""
    delay = min(0.25, longest)
    while True:
        yield delay
        delay = min(delay * 2, longest)


def _validated(
    client: Client, options: GateOptions, dataset: dict, *, path: Path, deadline: float
) -> dict:
    """Wait for the worker's validation: a run may only use a valid dataset."""
    delays = poll_delays(options.poll_interval)
    while dataset["validation_status"] == "validating":
        if time.monotonic() > deadline:
            raise ServerError(f"The dataset {path.name} was still being validated at the timeout.")
        time.sleep(next(delays))
        dataset = client.dataset_get(dataset["id"])
    if dataset["validation_status"] != "valid":
        reason = dataset.get("validation_error") or dataset["validation_status"]
        raise RefusedError(f"The dataset {path.name} is invalid: {reason}")
    return dataset


def gate_run(
    client: Client,
    options: GateOptions,
    *,
    say: Callable[[str], None] = print,
    on_progress: Callable[[dict], None] | None = None,
) -> GateOutcome:
    """Upload or reuse, launch, and (with `wait`) follow the run to its end. Raises
    RefusedError (exit 2) or ServerError (exit 3); the verdict decides between 0 and 1."""
    for path in (options.model, options.data, options.reference, options.train):
        if path is not None and not path.is_file():
            raise RefusedError(f"No such file: {path}")
    deadline = time.monotonic() + options.timeout
    plan = client.approved_plan(project=options.project, name=options.plan)
    outcome = GateOutcome(run={}, url="")
    # The files go up side by side (each hashed first, and not sent when the project has it),
    # and no validation is waited for until every file is sent: the worker validates one
    # while the others upload.
    roles = [
        (key, path, role)
        for key, path, role in (
            ("dataset", options.data, "evaluation"),
            ("reference_dataset", options.reference, "reference"),
            ("training_dataset", options.train, "train"),
        )
        if path is not None
    ]
    with ThreadPoolExecutor(max_workers=1 + len(roles)) as pool:
        model_job = pool.submit(_model_version, client, options, outcome, say)
        dataset_jobs = [
            (key, path, pool.submit(_dataset, client, options, outcome, say, path=path, role=role))
            for key, path, role in roles
        ]
        model_version = model_job.result()
        pending = [(key, path, job.result()) for key, path, job in dataset_jobs]
    datasets: dict[str, Any] = {
        key: _validated(client, options, dataset, path=path, deadline=deadline)["id"]
        for key, path, dataset in pending
    }
    run = client.run_create(
        project=options.project,
        test_plan=plan["id"],
        model_version=model_version["id"],
        **datasets,
    )
    outcome.run, outcome.url = run, client.run_url(run)
    say(f"Run {run['id']} of {plan['name']} v{plan['version']}: {outcome.url}")
    if not options.wait:
        return outcome
    delays = poll_delays(options.poll_interval)
    while run["status"] not in FINISHED_STATUSES:
        if time.monotonic() > deadline:
            raise ServerError(
                f"The run {run['id']} had not finished after {options.timeout:g} s "
                f"({run['status']}, {run.get('progress', 0)}%): {outcome.url}"
            )
        time.sleep(next(delays))
        run = client.run_get(run["id"])
        if on_progress is not None:
            on_progress(run)
    outcome.run = run
    if run["status"] == "cancelled":
        raise ServerError(f"The run {run['id']} was cancelled: {outcome.url}")
    if run["status"] == "failed":
        # The engine could not evaluate these files (a model that does not load, data it
        # cannot read): the input is at fault, not the quality of the model.
        raise RefusedError(f"The run {run['id']} failed: {run.get('error') or 'no reason given'}")
    outcome.results = client.check_results(run["id"])
    return outcome
