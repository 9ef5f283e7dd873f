"""The checks that call the model move up once its process has answered all it was handed,
so it can be stopped before the checks left run (one at a time, as the command line runs)."""

import time
from types import SimpleNamespace

import pytest

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.evaluation import evaluate, in_turn, run_order
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.registry import REGISTRY, Check, CheckDocs, Measurement, register
from apps.evaluations.engine.runner import ModelSandbox
from tests.engine.synthetic import population
from tests.engine.test_runner import FEATURES, dump, fitted_pipeline

PLAN = [
    {"check": "data_quality.missing_values"},
    {"check": "performance.classification"},
    {"check": "robustness.noise", "params": {"max_rows": 200}},
    {"check": "data_quality.duplicates"},
    {"check": "efficiency.latency", "params": {"repeats": 20, "warmup": 2}},
    {"check": "calibration.classification"},
]


def answers(*values):
    """A source whose `finished` gives these answers, then the last one for ever."""
    given = iter(values)
    last = [values[-1]]

    def finished():
        value = next(given, last[0])
        if isinstance(value, Exception):
            raise value
        return value

    return SimpleNamespace(source=SimpleNamespace(finished=finished), collect_finished=lambda: None)


def names(plan, order):
    return [plan[index].check for index in order]


def test_the_model_checks_move_up_at_the_first_check_after_the_model_is_idle():
    plan = plan_parse(PLAN)
    order = run_order(plan)
    assert names(plan, order)[-2:] == ["robustness.noise", "efficiency.latency"]

    moved = names(plan, in_turn(answers(False, False, True), plan, order))

    assert moved == [
        *names(plan, order)[:2],
        "robustness.noise",
        "efficiency.latency",
        *names(plan, order)[2:4],
    ]


@pytest.mark.parametrize(
    "context",
    [
        answers(False),
        answers(EngineError("the model's process crashed")),
        SimpleNamespace(source=object()),  # predictions given: no process to stop
    ],
    ids=["busy", "crashed", "no-process"],
)
def test_the_order_stays_when_the_model_is_never_idle_or_runs_in_no_process(context):
    plan = plan_parse(PLAN)
    order = run_order(plan)

    assert list(in_turn(context, plan, order)) == order


class WaitsForTheModel(Check):
    """A check of the outputs that returns once the model has answered every request; until
    it has run, the model is never said to be idle, so the model checks move up right after
    it and nowhere else."""

    key = "testing.waits_for_the_model"
    name = "Waits for the model"
    category = "performance"
    needs = "predictions"
    reads = frozenset({"predictions"})
    metrics = {"value": "nothing"}
    default_metric = "value"
    docs = CheckDocs("a", "b", "c", "d")
    answered = None  # the sandbox's own `finished`, set by the test
    ran = False

    def run(self, context, params):
        deadline = time.monotonic() + 120
        while not WaitsForTheModel.answered() and time.monotonic() < deadline:
            context.collect_finished()  # sends the next parts of the copies
            time.sleep(0.05)
        WaitsForTheModel.ran = True
        return [Measurement(None, observed={"value": 1.0})]


@pytest.fixture
def waiting_check():
    register(WaitsForTheModel)
    yield
    REGISTRY.pop(WaitsForTheModel.key, None)
    WaitsForTheModel.answered, WaitsForTheModel.ran = None, False


def test_the_checks_after_the_model_checks_run_without_the_models_process(tmp_path, waiting_check):
    frame = population(600, 3)
    plan = plan_parse([{"check": WaitsForTheModel.key}, *PLAN])
    seen = []
    with ModelSandbox(dump(tmp_path, fitted_pipeline(frame))) as sandbox:
        answered = sandbox.finished
        WaitsForTheModel.answered = answered
        sandbox.finished = lambda ticket=None: (  # idle only once the check above has run
            answered(ticket) if ticket is not None else WaitsForTheModel.ran and answered()
        )
        context = EvaluationContext(
            evaluation=frame, reference=population(600, 4), target="y",
            features=FEATURES, source=sandbox,
        )  # fmt: skip

        def progress(done, total, check):
            seen.append((check, sandbox.pid))

        report = evaluate(context, plan, progress=progress)

    order = [check for check, _ in seen[:-1]]  # the last call says "done"
    after = order.index(WaitsForTheModel.key) + 1
    assert order[after : after + 2] == ["robustness.noise", "efficiency.latency"]
    running = dict(seen[:-1])
    assert running["efficiency.latency"] is not None
    assert running["calibration.classification"] is None  # stopped before it ran
    assert running["performance.classification"] is None
    outcomes = {result.check: result.outcome for result in report.results}
    assert outcomes["efficiency.latency"] in ("pass", "fail")
    assert outcomes["robustness.noise"] in ("pass", "fail")


def test_a_sandbox_holding_answers_not_collected_is_not_stopped(tmp_path):
    frame = population(300, 5)
    with ModelSandbox(dump(tmp_path, fitted_pipeline(frame))) as sandbox:
        first = sandbox.predict_later(frame, FEATURES)
        second = sandbox.predict_later(frame.iloc[:50], FEATURES)
        deadline = time.monotonic() + 120
        while not sandbox.finished() and time.monotonic() < deadline:
            time.sleep(0.05)
        sandbox.collect(first)

        sandbox.suspend()
        assert sandbox.pid is not None  # the second answer's files live in its folder

        assert len(sandbox.collect(second).labels) == 50
        sandbox.suspend()
        assert sandbox.pid is None
