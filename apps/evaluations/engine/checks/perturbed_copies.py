"""Perturbed copies of a sample, sent to the model a part at a time.

Robustness checks make a copy of the sample per feature (and per repeat), so all their
copies at once grow with the features squared: 200 features of 2,000 rows are 200 copies of
400,000 cells per check. A `CopyStream` draws the copies from a generator in order, sends
them in parts of at most `EngineSettings.copy_chunk_cells` cells, keeps at most `WINDOW`
parts with the model, and keeps only each copy's outputs (a label position or a value per
row). The copies are drawn in the same order whatever the part's size, so a seeded check
gives the same measurements as when every copy went in one request.

The first parts are sent when the check is prepared; `advance`, called between checks,
takes in the parts the model has finished and sends the next, so the model keeps working
while the data checks run; `outputs` waits for the rest.

`separately` sends each copy as its own request (as many at once as the parts would hold):
a copy the model fails on then fails alone, and `answers` gives its error in its place.
"""

import itertools
from collections import deque
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.context import EvaluationContext, FrameHandle
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.sources import Predictions

# Parts with the model at once, per stream: one predicted while the next waits its turn.
WINDOW = 2


def decisions(context: EvaluationContext, predictions: Predictions) -> NDArray[Any]:
    """Labels (as class positions) or values."""
    if context.task == "regression":
        return np.asarray(predictions.labels, dtype=float)
    return context.class_index(np.asarray(predictions.labels))


class CopyStream:
    """The model's outputs on each of `copies` (frames of at most `rows` rows and
    `columns` columns), predicted a part at a time."""

    def __init__(
        self,
        context: EvaluationContext,
        copies: Iterable[pd.DataFrame],
        *,
        rows: int,
        columns: int,
        separately: bool = False,
    ) -> None:
        self.context, self.separately = context, separately
        fitting = max(1, context.settings.copy_chunk_cells // max(rows * columns, 1))
        self.copies_per_part = 1 if separately else fitting
        self.window = WINDOW * fitting if separately else WINDOW
        self._copies = iter(copies)
        self._sent: deque[tuple[FrameHandle, list[int]]] = deque()  # a part, its copies' rows
        self._outputs: list[NDArray[Any] | EngineError] = []
        self._failure: EngineError | None = None
        self._send()
        context.between_checks(self.advance)

    @property
    def failed(self) -> bool:
        """Whether a part the model has answered failed (`outputs` will raise)."""
        return self._failure is not None

    def outputs(self) -> list[NDArray[Any]]:
        """Each copy's outputs, in the order of the copies; waits for the model. A part the
        model failed on raises its error, once every part sent has been answered."""
        answers = self.answers()
        if self._failure is not None:
            raise self._failure
        return cast(list[NDArray[Any]], answers)

    def answers(self) -> list[NDArray[Any] | EngineError]:
        """Each copy's outputs, or (sent separately) the error the model met on it."""
        while self._sent:
            self._take()
            self._send()
        if self.separately and self._failure is not None:  # a crash: no copy left is sent
            self._outputs += [self._failure for _ in self._copies]
        return self._outputs

    def advance(self) -> None:
        """Take in the parts the model has finished and send the next ones, without waiting."""
        try:
            while self._sent and self.context.frame_finished(self._sent[0][0]):
                self._take()
            self._send()
        except EngineError as error:  # a crash: met again, and raised, by `outputs`
            self._failure = self._failure or error

    def _send(self) -> None:
        while len(self._sent) < self.window and self._failure is None:
            part = list(itertools.islice(self._copies, self.copies_per_part))
            if not part:
                return
            sizes = [len(copy) for copy in part]
            frame = part[0] if len(part) == 1 else pd.concat(part, ignore_index=True)
            del part  # the concatenation holds the rows now: one copy of the part in memory
            self._sent.append((self.context.predict_frame_later(frame), sizes))

    def _take(self) -> None:
        handle, sizes = self._sent.popleft()
        try:
            values = decisions(self.context, self.context.collect_frame(handle))
        except EngineError as error:
            if self.separately:
                self._outputs.append(error)
            else:
                self._failure = self._failure or error
            return
        if self._failure is None:
            self._outputs += np.split(values, np.cumsum(sizes)[:-1])
