"""What happened, told to whoever listens: in-app notices, e-mail, webhooks.

The apps where things happen (findings, evaluations) publish an event from inside the
service's transaction; the apps that tell people (notifications, webhooks) subscribe in
their AppConfig.ready. Neither side imports the other. A subscriber runs inside the
publishing transaction, so what it writes (a notice, a delivery row) commits or rolls back
with the change itself; anything it sends leaves only on commit.

Events and what they carry (`subject` is the model instance named):

| name                     | subject           | data                                          |
|--------------------------|-------------------|-----------------------------------------------|
| `run.finished`           | EvaluationRun     | status, verdict                               |
| `run.not_started`        | ModelVersion      | uploader (User), why, link; what (see below)  |
| `finding.opened`         | Finding           | reopened (bool), run_id, reason               |
| `finding.status_changed` | Finding           | from, to, reason, run_id                      |
| `finding.assigned`       | Finding           | assignee_id, previous_assignee_id             |
| `comment.created`        | Comment           |                                               |
| `action.taken`           | CorrectiveAction  | owner_id                                      |
| `action.proposed`        | CorrectiveAction  |                                               |
| `risk.requested`         | RiskAcceptance    |                                               |
| `risk.decided`           | RiskAcceptance    | state (approved or rejected)                  |
| `risk.expired`           | RiskAcceptance    |                                               |

`run.not_started` is also published by monitoring, about a production sample (Dataset) or a
MonitoringSchedule: `uploader` is then who is told, and `what` the sentence before `why`.

`finding.status_changed` is published for every change of status, by a person or by a run
(a reopening publishes both it and `finding.opened` with reopened true).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    project: Any  # apps.projects.models.Project
    subject: Any  # the model instance the event is about
    actor: Any = None  # the User who did it, or None for the system (a run, beat)
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]

_subscribers: list[Subscriber] = []


def event_subscribe(subscriber: Subscriber) -> None:
    """Call `subscriber(event)` for every published event (subscribing twice is harmless)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def event_publish(event: Event) -> None:
    """Hand the event to every subscriber, in the caller's transaction.

    A subscriber that fails fails the change: a notice that must go out is part of it.
    """
    for subscriber in tuple(_subscribers):
        subscriber(event)
