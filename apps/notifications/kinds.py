"""Every kind of notice Qualiti sends, who gets it, and how it is delivered by default.

The notifications page and the preferences page are drawn from this table, so what the
product promises and what it sends are the same list.
"""

from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    APP = "app", "In the app only"
    IMMEDIATE = "immediate", "E-mail at once"
    DIGEST = "digest", "Daily digest"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    when: str  # completes "You are told when…"
    default: Delivery
    management_default: Delivery | None = None  # management's default, when it differs


KINDS: tuple[Kind, ...] = (
    Kind(
        "finding_assigned",
        "Finding assigned to you",
        "a finding is assigned to you",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "finding_opened",
        "New finding",
        "a run opens a finding for you or your team",
        Delivery.DIGEST,
    ),
    Kind(
        "finding_reopened",
        "Finding reopened",
        "a finding of yours or your team's is reopened (a regression, an expired risk)",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "fix_submitted",
        "Fix submitted",
        "a developer submits a fix in a project you manage, waiting for verification",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "fix_failed",
        "Fix did not pass",
        "a run finds that a submitted fix did not pass",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "finding_verified",
        "Finding verified",
        "a finding assigned to you, or whose fix you submitted, is verified",
        Delivery.DIGEST,
    ),
    Kind(
        "run_finished",
        "Run finished",
        "a run you launched ends or fails (runs started by an upload or a schedule: the "
        "project's quality managers)",
        Delivery.APP,
    ),
    Kind(
        "run_not_started",
        "Run not started",
        "a model version or production sample you uploaded, or a monitoring schedule you "
        "set, could not start its run",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "mention",
        "Mentioned in a comment",
        "someone mentions you as @username in a comment",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "action_proposed",
        "Corrective action proposed",
        "a developer proposes a corrective action in a project you manage",
        Delivery.DIGEST,
    ),
    Kind(
        "risk_requested",
        "Risk acceptance requested",
        "a risk acceptance waits for your decision",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "risk_decided",
        "Risk acceptance decided",
        "a risk acceptance you requested is approved or rejected",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "risk_expired",
        "Risk acceptance expired",
        "a risk acceptance you requested or approved expires and its finding reopens",
        Delivery.IMMEDIATE,
    ),
    Kind(
        "sla_warning",
        "Due soon or overdue",
        "a finding or corrective action of yours is due within two days, and when it is overdue",
        Delivery.DIGEST,
    ),
    Kind(
        "webhook_disabled",
        "Webhook disabled",
        "a webhook you created has failed for a day and was disabled",
        Delivery.IMMEDIATE,
    ),
)

KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def kind_default(key: str, *, is_management: bool) -> Delivery:
    """The delivery a user gets until they choose; management reads a daily digest of
    everything but the decisions that wait for them."""
    kind = KINDS_BY_KEY[key]
    if is_management:
        return kind.management_default or (
            Delivery.IMMEDIATE if key == "risk_requested" else Delivery.DIGEST
        )
    return kind.default
