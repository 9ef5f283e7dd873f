"""Robustness copies sent to the model a part at a time: the same measurements whatever the
part's size, no request above the budget, and the first parts sent before the data checks
run (the model works on them meanwhile)."""

import time

import skops.io

from apps.evaluations.engine.checks.perturbed_copies import WINDOW
from apps.evaluations.engine.context import EngineSettings, EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.runner import ModelSandbox
from tests.engine.estimator_source import EstimatorSource, fitted
from tests.engine.synthetic import FEATURES, datasets

PLAN = [
    {"check": "data_quality.missing_values", "metric": "missing_rate", "threshold": None},
    {"check": "robustness.noise", "metric": "prediction_flip_rate", "threshold": None,
     "params": {"categorical_swap_rate": 0.1}},
    {"check": "robustness.ablation", "metric": "metric_drop", "threshold": None},
    {"check": "robustness.missing_inputs", "metric": "failure_rate", "threshold": None},
    {"check": "data_quality.constant_columns", "metric": "constant_column_count",
     "threshold": None},
]  # fmt: skip
ROBUSTNESS = {"robustness.noise", "robustness.ablation", "robustness.missing_inputs"}


class RecordingSource(EstimatorSource):
    """The estimator, called here, writing down the cells of every frame it predicts."""

    def __init__(self, estimator):
        super().__init__(estimator)
        self.cells = []

    def predict(self, frame, features):
        self.cells.append(frame.shape[0] * frame.shape[1])
        return super().predict(frame, features)


class RecordingSandbox(ModelSandbox):
    """The real sandbox, writing down each request's cells and what it still had to do."""

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = events

    def predict_later(self, frame, features):
        ticket = super().predict_later(frame, features)
        self.events.append(("sent", frame.shape[0] * frame.shape[1], len(self._pending)))
        self.last_ticket = ticket
        return ticket


def measured(context):
    return [
        (r.check, r.subject, r.outcome, r.observed, r.evidence, r.ci)
        for r in evaluate(context, plan_parse(PLAN)).results
        if r.check in ROBUSTNESS
    ]


def copy_cells(data):
    """The cells of one perturbed copy: the sample (every labelled row, here) with every
    column of the evaluation data."""
    return data.evaluation.shape[0] * data.evaluation.shape[1]


def test_measurements_do_not_depend_on_the_part_size():
    data = datasets(4, rows=300)
    model = fitted(data.train)
    results = []
    for budget in (1, 5 * copy_cells(data), 10**9):  # one copy a request .. all in one
        context = EvaluationContext(
            evaluation=data.evaluation,
            target="y",
            source=EstimatorSource(model),
            settings=EngineSettings(copy_chunk_cells=budget),
        )
        results.append(measured(context))

    assert all(outcome == "pass" for _, _, outcome, *_ in results[0])
    assert len(results[0]) == 1 + len(FEATURES) + len(FEATURES) + 1  # noise, ablation, blanks
    assert results[0] == results[1] == results[2]


def test_no_request_holds_more_cells_than_the_budget():
    data = datasets(5, rows=300)
    budget = 3 * copy_cells(data)
    source = RecordingSource(fitted(data.train))
    context = EvaluationContext(
        evaluation=data.evaluation,
        target="y",
        source=source,
        settings=EngineSettings(copy_chunk_cells=budget),
    )

    measured(context)

    # noise: 3 repeats, 4 curve points, a shift, 6 features; ablation: 3 repeats of 6
    # features; blanks: 6 features. At 3 copies a request: 5 + 6 + 2 requests, and one
    # for the evaluation data.
    assert max(source.cells) <= budget
    assert len(source.cells) == 1 + 5 + 6 + 2


def test_the_sandboxed_model_gets_its_first_parts_before_the_data_checks(tmp_path):
    data = datasets(6, rows=300)
    path = tmp_path / "model.skops"
    path.write_bytes(skops.io.dumps(fitted(data.train)))
    budget = 4 * copy_cells(data)
    events = []

    with RecordingSandbox(path, events=events) as sandbox:
        context = EvaluationContext(
            evaluation=data.evaluation,
            target="y",
            source=sandbox,
            settings=EngineSettings(copy_chunk_cells=budget),
        )
        report = evaluate(context, plan_parse(PLAN), progress=lambda *a: events.append(a[2]))

    sent = [event for event in events if isinstance(event, tuple)]
    copies = sent[1:]  # after the evaluation data's request
    assert max(cells for _, cells, _ in copies) <= budget
    # Each of the 3 checks has at most WINDOW parts with the model, the first of them sent
    # before the first check runs (the next ones follow as parts come back, between checks
    # while the model keeps up, or when the robustness checks collect them; the first
    # return may already be taken in before the first check, when asking if it is idle).
    assert max(waiting for _, _, waiting in sent) <= 1 + 3 * WINDOW
    first_check = events.index("data_quality.missing_values")
    assert len([e for e in events[:first_check] if isinstance(e, tuple)]) >= 1 + 3 * WINDOW
    assert {r.outcome for r in report.results if r.check in ROBUSTNESS} == {"pass"}


def blanks_result(report):
    return next(r for r in report.results if r.check == "robustness.missing_inputs")


def test_a_model_that_fails_on_some_blanks_is_answered_feature_by_feature():
    """Without imputation the linear model raises on a blank number; the encoder takes a
    blank category as unknown. Only the numeric features' copies fail."""
    data = datasets(7, rows=300)
    context = EvaluationContext(
        evaluation=data.evaluation,
        target="y",
        source=EstimatorSource(fitted(data.train, impute=False)),
    )

    result = blanks_result(evaluate(context, plan_parse(PLAN)))

    errors = result.evidence["errors"]
    assert set(errors) == {"age", "income", "score", "tenure"}
    assert all("NaN" in message for message in errors.values())
    assert set(result.evidence["metric_drop"]) == {"region", "channel"}
    failed = sum(result.evidence["failures"][name] for name in errors)
    assert result.observed["failure_rate"] == failed / sum(
        result.evidence["blanked_values"].values()
    )
    assert "age, income, score, tenure" in result.message


def test_the_sandboxed_model_gets_the_copies_one_by_one_between_checks(tmp_path):
    """When the model fails on the copies sent together, each copy is sent on its own as
    soon as the failure is in, while the other checks run, not when the check collects."""
    data = datasets(7, rows=300)
    path = tmp_path / "model.skops"
    path.write_bytes(skops.io.dumps(fitted(data.train, impute=False)))
    events = []

    with RecordingSandbox(path, events=events) as sandbox:

        def progress(done, total, check):
            if check == "data_quality.constant_columns":  # the copies together are answered
                while not sandbox.finished(sandbox.last_ticket):
                    time.sleep(0.01)
            events.append(check)

        context = EvaluationContext(evaluation=data.evaluation, target="y", source=sandbox)
        report = evaluate(context, plan_parse([PLAN[0], PLAN[3], PLAN[4]]), progress=progress)

    blanks_run = events.index("robustness.missing_inputs")
    sent_before = [
        cells for _, cells, _ in (e for e in events[:blanks_run] if isinstance(e, tuple))
    ]
    # The evaluation data, the copies together, then each copy alone before the check ran;
    # a copy holds only its feature's blanked rows (about a tenth of the sample).
    evaluation, together, *alone = sent_before
    assert evaluation == copy_cells(data)
    assert len(alone) == len(FEATURES) and together == sum(alone)
    assert all(0 < cells < copy_cells(data) / 4 for cells in alone)
    assert not [e for e in events[blanks_run:] if isinstance(e, tuple)]
    assert set(blanks_result(report).evidence["errors"]) == {"age", "income", "score", "tenure"}
