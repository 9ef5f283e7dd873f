import time

import pytest
import skops.io
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.runner import ModelSandbox
from tests.engine.conftest import context_for
from tests.engine.estimator_source import EstimatorSource, fitted
from tests.engine.synthetic import datasets, population

# A latency budget of 100 ms per call, and the other costs reported. The slow model sleeps
# twice the budget, which no load makes shorter; the fast one costs about a millisecond, so
# only a machine slowed a hundredfold would make it miss. No test asserts a time alone.
BUDGETS = [
    {"check": "efficiency.latency", "metric": "p95_latency_ms", "comparator": "<=",
     "threshold": 100.0, "params": {"repeats": 10, "warmup": 1}},
    {"check": "efficiency.throughput", "metric": "rows_per_second", "threshold": None},
    {"check": "efficiency.memory", "metric": "peak_memory_mb", "threshold": None},
    {"check": "efficiency.model_size", "metric": "artifact_size_mb", "threshold": None},
]  # fmt: skip


def slow_identity(inputs):
    time.sleep(0.2)  # the deliberate cost: 200 ms per call
    return inputs


def context_with(data, estimator):
    return EvaluationContext(
        evaluation=data.evaluation, target="y", source=EstimatorSource(estimator)
    )


def results(context):
    return {r.check: r for r in evaluate(context, plan_parse(BUDGETS)).results}


def test_a_slow_pipeline_breaks_its_latency_budget_and_a_fast_one_keeps_it():
    data = datasets(1, rows=500)
    fast = fitted(data.train)
    slow = make_pipeline(FunctionTransformer(slow_identity), fast)

    slow_results, fast_results = (
        results(context_with(data, slow)),
        results(context_with(data, fast)),
    )

    latency = slow_results["efficiency.latency"]
    assert latency.outcome == "fail"
    # A lower bound the sleep guarantees: a busy machine only makes the calls slower.
    assert latency.observed["p50_latency_ms"] >= 200
    assert sum(latency.evidence["histogram"]["counts"]) == 10
    assert fast_results["efficiency.latency"].outcome == "pass"
    slow_rate = slow_results["efficiency.throughput"].observed["rows_per_second"]
    assert slow_rate < fast_results["efficiency.throughput"].observed["rows_per_second"]


def test_costs_are_measured_in_the_sandboxed_models_process(tmp_path):
    frame = population(600, 2)
    columns = ["age", "score", "region"]
    model = make_pipeline(
        make_column_transformer(
            (StandardScaler(), ["age", "score"]),
            (OneHotEncoder(handle_unknown="ignore"), ["region"]),
        ),
        LogisticRegression(),
    ).fit(frame[columns], frame["y"])
    path = tmp_path / "model.skops"
    path.write_bytes(skops.io.dumps(model))

    with ModelSandbox(path) as sandbox:
        context = EvaluationContext(evaluation=frame[[*columns, "y"]], target="y", source=sandbox)
        measured = results(context)

    latency = measured["efficiency.latency"].observed
    assert 0 < latency["p50_latency_ms"] <= latency["p95_latency_ms"] <= latency["p99_latency_ms"]
    assert measured["efficiency.throughput"].observed["rows_per_second"] > 0
    assert 50 < measured["efficiency.memory"].observed["peak_memory_mb"] < 4096
    size = measured["efficiency.model_size"].observed["artifact_size_mb"]
    assert size == pytest.approx(path.stat().st_size / 1024**2)


def test_predictions_alone_have_no_cost_to_measure():
    measured = results(context_for(datasets(3, rows=200)))

    assert {r.outcome for r in measured.values()} == {"skipped"}


class RecordingSandbox(ModelSandbox):
    """The real sandbox, writing down when a timing is sent and when it is read."""

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.events, self.timings_sent = events, set()

    def benchmark_later(self, frame, features, **options):
        ticket = super().benchmark_later(frame, features, **options)
        self.timings_sent.add(ticket)
        self.events.append(("timing sent", options["repeats"]))
        return ticket

    def collect(self, ticket):
        answer = super().collect(ticket)
        if ticket in self.timings_sent:
            self.events.append(("timing read", len(answer["seconds"])))
        return answer


def test_latency_is_timed_while_no_other_check_runs(tmp_path):
    frame = population(400, 3)
    columns = ["age", "score"]
    model = LogisticRegression().fit(frame[columns], frame["y"])
    path = tmp_path / "model.skops"
    path.write_bytes(skops.io.dumps(model))
    plan = plan_parse(
        [
            {"check": "efficiency.throughput", "metric": "rows_per_second", "threshold": None},
            {"check": "efficiency.latency", "metric": "p95_latency_ms", "threshold": None,
             "params": {"repeats": 7, "warmup": 1}},
            {"check": "robustness.noise", "metric": "prediction_flip_rate", "threshold": None},
            {"check": "data_quality.missing_values", "metric": "missing_rate",
             "threshold": None},
        ]
    )  # fmt: skip
    events = []

    with RecordingSandbox(path, events=events) as sandbox:
        context = EvaluationContext(evaluation=frame[[*columns, "y"]], target="y", source=sandbox)
        report = evaluate(context, plan, progress=lambda _, __, check: events.append(check))

    # Throughput (5 repeats) is queued at the start; latency (7) only when its turn comes,
    # and read before the next check starts.
    sent = events.index(("timing sent", 7))
    assert events.index(("timing sent", 5)) < events.index("data_quality.missing_values")
    assert events[sent - 1] == "efficiency.latency"
    assert events[sent + 1] == ("timing read", 7)
    latency = next(r for r in report.results if r.check == "efficiency.latency")
    assert latency.evidence["timed_alone"] is True
    assert "no other check ran" in latency.message
