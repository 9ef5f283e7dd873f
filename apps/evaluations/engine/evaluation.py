"""Running a plan: each item's check is run once per distinct set of parameters, and each
measurement is judged against the item's comparator and threshold.

The point estimate decides pass or fail; an interval that straddles the threshold is said
in the message. A check may carry its own statistical gate (`Measurement.significant`):
when it is False the difference is within noise and the item passes, so drift at a
million rows is not flagged for trivial shifts. A check that raises becomes one "error"
result; the other items still run.
"""

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, cast

from threadpoolctl import threadpool_limits

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.errors import EngineError, ModelCrashed, PlanError
from apps.evaluations.engine.names import metric_name
from apps.evaluations.engine.plan import PlanItem
from apps.evaluations.engine.registry import NEEDS, Check, Measurement, get_check
from apps.evaluations.engine.results import CheckResult

_BOUND_WORDS = {"<=": "at most", "<": "below", ">=": "at least", ">": "above"}


@dataclass
class EvaluationReport:
    results: list[CheckResult]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == "fail" and r.blocking]

    def summary(self) -> dict[str, Any]:
        counts = {outcome: 0 for outcome in ("pass", "fail", "error", "skipped")}
        for result in self.results:
            counts[result.outcome] += 1
        if self.blocking_failures:
            verdict = "fail"
        elif counts["fail"] or counts["error"]:
            verdict = "pass_with_warnings"
        else:
            verdict = "pass"
        return {**counts, "blocking_failures": len(self.blocking_failures), "verdict": verdict}


def run_order(plan: list[PlanItem]) -> list[int]:
    """Positions of the plan's items in the order they run: checks of the data first (the
    model predicts meanwhile), then those that read its outputs (the model works on the
    queued perturbations and timings meanwhile), then those that call the model; within
    each, a check that summarizes the columns first. Of the checks of the outputs, those
    that read the reference run last: the model predicts the reference after the
    evaluation data, and the others keep this process busy meanwhile."""
    stage = {need: number for number, need in enumerate(NEEDS)}

    def key(index: int) -> tuple[int, bool, bool]:
        check = get_check(plan[index].check)
        waits = check.needs == "predictions" and "reference" in check.reads
        return stage[check.needs], not check.summarizes_columns, waits

    return sorted(range(len(plan)), key=key)


def in_turn(context: EvaluationContext, plan: list[PlanItem], order: list[int]) -> Iterator[int]:
    """The items in `order`, except that those calling the model move up as soon as its
    process (one working in the background) has answered everything handed to it: they
    collect that work and time the model there, with nothing else running, and the process
    can then be stopped, so the checks left do not run beside its memory."""
    calling_model = [i for i in order if get_check(plan[i].check).needs == "model"]
    moved_up = False
    for index in order:
        if not moved_up and calling_model and index not in calling_model and _idle(context):
            yield from calling_model
            moved_up = True
        if not (moved_up and index in calling_model):
            yield index


def _idle(context: EvaluationContext) -> bool:
    """Whether the model's process has answered every request, once the work handed over
    between checks (the next parts of a stream of copies) is sent; False for a source that
    does not work in the background: nothing would be freed by moving up."""
    finished = getattr(context.source, "finished", None)
    if finished is None:
        return False
    try:
        context.collect_finished()
        return bool(finished())
    except EngineError:  # a crashed model: the check that needs it reports it
        return False


def prepare_model_work(context: EvaluationContext, plan: list[PlanItem]) -> None:
    """Let the checks that call the model queue their work behind the predictions."""
    prepared = set()
    for item in plan:
        check = get_check(item.check)
        key = item.check + json.dumps(item.params, sort_keys=True, default=str)
        if check.needs != "model" or key in prepared or context.task not in check.task_types:
            continue
        prepared.add(key)
        # A failure here is met again by run(), inside its check, and reported there.
        with contextlib.suppress(Exception):
            check.prepare(context, item.params)


def evaluate(
    context: EvaluationContext,
    plan: list[PlanItem],
    *,
    progress: Callable[[int, int, str], None] | None = None,
    keep_model: bool | None = None,
) -> EvaluationReport:
    """Run every plan item against the context; results come in the plan's order.

    A check that fails becomes an "error" result; a model that cannot predict raises
    (EngineError), since then no check that needs it can run. The model's process is
    released as soon as its predictions are in, unless `keep_model` (by default: whether
    a check of the plan calls the model itself, and then it is released once the last of
    those has run; they move up as soon as the model is idle, see `in_turn`).
    With `settings.workers` above 1 the checks that do not call the model run side by side
    in threads (numpy, pandas and scikit-learn release the interpreter's lock in their
    heavy loops); those that call the model, and time it, run after them one at a time."""
    workers, threads = context.settings.workers, context.settings.threads
    release_at_end = keep_model is None or (workers > 1 and not keep_model)
    if keep_model is None:
        keep_model = any(get_check(item.check).needs == "model" for item in plan)
    context.request_predictions()
    prepare_model_work(context, plan)
    # Side by side, the model's process is kept to the end: a check in a pool thread that
    # needed it again would restart it there, and it dies with the thread that started it.
    runs = _PlanRun(context, plan, keep_model=keep_model or workers > 1)
    order = run_order(plan)
    # Each thread's libraries get their share of the cores, so that together they do not
    # ask for more threads than there are (OpenMP's spinning threads punish that).
    with threadpool_limits(limits=max(1, threads // workers) if workers > 1 else threads):
        if workers > 1:
            order = _run_side_by_side(runs, order, workers, progress)
        calling_model = {i for i in order if get_check(plan[i].check).needs == "model"}
        for index in in_turn(context, plan, order):
            if progress is not None:
                progress(len(runs.results), len(plan), plan[index].check)
            runs.run_item(index)
            calling_model.discard(index)
            if release_at_end and not calling_model and runs.keep_model:
                runs.keep_model = False  # no check left calls it: stopped before the next
                context.release_model()
    if release_at_end:
        context.release_model()
    if progress is not None:
        progress(len(plan), len(plan), "done")
    ordered = [result for index in range(len(plan)) for result in runs.results[index]]
    return EvaluationReport(results=ordered, timings=runs.timings)


def _run_side_by_side(
    runs: "_PlanRun",
    order: list[int],
    workers: int,
    progress: Callable[[int, int, str], None] | None,
) -> list[int]:
    """Run the items that do not call the model in `workers` threads, one per distinct
    check and parameters; return the items left for one at a time, in order."""
    plan = runs.plan
    first_of: dict[str, int] = {}
    for index in order:
        if get_check(plan[index].check).needs != "model":
            first_of.setdefault(runs.cache_key(index), index)
    firsts = list(first_of.values())
    # Checks that read the columns' summaries wait for those that leave them (column
    # drift), else both would sort the same columns at the same time; others run meanwhile.
    summarizing = {i for i in firsts if get_check(plan[i].check).summarizes_columns}
    later = [i for i in firsts if summarizing and get_check(plan[i].check).reads_column_summaries]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool:
        pending = {pool.submit(runs.run_item, i): i for i in firsts if i not in later}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    future.result()  # a model that cannot predict, or crashed, stops the run
                    summarizing.discard(index)
                    if progress is not None:
                        progress(len(runs.results), len(plan), plan[index].check)
                if later and not summarizing:
                    pending.update({pool.submit(runs.run_item, i): i for i in later})
                    later = []
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return [index for index in order if index not in runs.results]


class _PlanRun:
    """The items of one plan being run: each distinct check and parameters measured once,
    every item judged."""

    def __init__(self, context: EvaluationContext, plan: list[PlanItem], *, keep_model: bool):
        self.context, self.plan, self.keep_model = context, plan, keep_model
        self.measured: dict[str, tuple[list[Measurement] | None, str | None, float]] = {}
        self.results: dict[int, list[CheckResult]] = {}
        self.timings: dict[str, float] = {}

    def cache_key(self, index: int) -> str:
        item = self.plan[index]
        return item.check + json.dumps(item.params, sort_keys=True, default=str)

    def run_item(self, index: int) -> None:
        context, item = self.context, self.plan[index]
        check = get_check(item.check)
        if context.task not in check.task_types:
            reason = f"{item.check} does not apply to {context.task} models."
            self.results[index] = [_skipped(item, check, None, reason)]
            return
        if check.needs == "predictions":
            context.predictions("evaluation")  # raises when the model cannot predict
        context.collect_finished()
        if not self.keep_model:
            context.release_model()
        key = self.cache_key(index)
        if key not in self.measured:
            self.measured[key] = self._measure(check, item)
            self.timings[item.check] = self.timings.get(item.check, 0.0) + self.measured[key][2]
        measurements, failure, elapsed = self.measured[key]
        if failure is not None:
            self.results[index] = [_error(item, check, failure, elapsed)]
        else:  # without a failure the check returned its measurements
            measured = cast(list[Measurement], measurements)
            self.results[index] = _judge_all(item, check, measured, elapsed)

    def _measure(
        self, check: Check, item: PlanItem
    ) -> tuple[list[Measurement] | None, str | None, float]:
        started = time.perf_counter()
        try:
            measurements, failure = check.run(self.context, item.params), None
        except ModelCrashed:
            raise
        except EngineError as error:
            measurements, failure = None, error.message
        except Exception as error:  # one broken check must not stop the run
            measurements, failure = None, f"{type(error).__name__}: {error}"
        return measurements, failure, time.perf_counter() - started


def _base(
    item: PlanItem, check: Check, subject: str | None, outcome: str, message: str
) -> CheckResult:
    return CheckResult(
        check=item.check,
        category=check.category,
        subject=subject,
        outcome=outcome,
        threshold=item.threshold,
        criterion=item.criterion,
        severity=item.severity,
        blocking=item.blocking,
        message=message,
        metric=item.metric,
        comparator=item.comparator,
    )


def _skipped(item: PlanItem, check: Check, subject: str | None, reason: str) -> CheckResult:
    return _base(item, check, subject, "skipped", reason)


def _error(item: PlanItem, check: Check, message: str, elapsed: float) -> CheckResult:
    result = _base(item, check, None, "error", f"The check {check.name} failed: {message}")
    result.duration_ms = int(elapsed * 1000)
    return result


def _judge_all(
    item: PlanItem, check: Check, measurements: list[Measurement], elapsed: float
) -> list[CheckResult]:
    relevant = [m for m in measurements if m.skipped or item.metric in m.observed]
    if not relevant:
        reasons = [m.skipped for m in measurements if m.skipped]
        return [
            _skipped(
                item,
                check,
                None,
                reasons[0] if reasons else f"There was nothing to measure {item.metric} on.",
            )
        ]
    results = []
    for measurement in relevant:
        result = judge(item, check, measurement)
        result.duration_ms = int(elapsed * 1000 / len(relevant))
        results.append(result)
    return results


def judge(item: PlanItem, check: Check, m: Measurement) -> CheckResult:
    """One measurement judged by one plan item."""
    if m.skipped:
        return _skipped(item, check, m.subject, m.skipped)
    result = _base(item, check, m.subject, "pass", "")
    result.observed = m.observed
    result.ci = m.ci.get(item.metric)
    result.evidence = m.evidence
    result.flagged_rows = m.flagged_rows
    result.sampling = m.sampling
    value = m.observed.get(item.metric)
    label = _label(item.metric, m.subject)
    if value is None or (isinstance(value, int | float) and not math.isfinite(value)):
        result.outcome = "skipped"
        result.message = f"{label} could not be computed" + (f": {m.note}." if m.note else ".")
        return result
    shown = _number(value)
    if item.threshold is None:
        result.message = _sentence(f"{label} is {shown} (no threshold: reported only)", m.note)
        return result
    comparator = item.comparator
    if comparator is None:  # plan_parse never makes such an item
        raise PlanError(f"The plan item of {item.check} has a threshold but no comparator.")
    bound = f"{_BOUND_WORDS[comparator]} {_number(item.threshold)}"
    meets = _compare(float(value), comparator, item.threshold)
    significant = m.significant
    if isinstance(significant, dict):
        significant = significant.get(item.metric)
    if meets:
        text = f"{label} is {shown}, within the bound ({bound})"
    elif significant is False:
        text = (
            f"{label} is {shown}, outside the bound ({bound}), but the difference is "
            f"not statistically significant ({m.test}), so it passes"
        )
    else:
        result.outcome = "fail"
        text = f"{label} is {shown}, outside the bound ({bound})"
        if significant:
            text += f", and the difference is statistically significant ({m.test})"
    interval = result.ci
    if interval and interval["low"] < item.threshold < interval["high"]:
        text += (
            f"; its {interval['level']:.0%} interval [{_number(interval['low'])}, "
            f"{_number(interval['high'])}] straddles the threshold, so the verdict is "
            "uncertain"
        )
    result.message = _sentence(text, m.note)
    return result


def _compare(value: float, comparator: str, threshold: float) -> bool:
    return {
        "<=": value <= threshold,
        "<": value < threshold,
        ">=": value >= threshold,
        ">": value > threshold,
    }[comparator]


# The metric's name, as the pages show it, starts each result's message.
metric_label = metric_name


def _label(metric: str, subject: str | None) -> str:
    name = metric_label(metric)
    return f"{name} of {subject}" if subject else name


def _number(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4g}"
    return str(value)


def _sentence(text: str, note: str) -> str:
    if note:
        text = f"{text}; {note}"
    return text.rstrip(".") + "."
