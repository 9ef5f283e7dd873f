"""The finding status graph for manual transitions (runs move findings in services of
their own, by DESIGN.md's table). Pure data and functions: no database access."""

from apps.accounts.permissions import Action
from apps.findings.models import FindingStatus as S

# (from, to) → the permission the move needs. COLLABORATE moves are open to the developers
# of the finding's own team; FINDING_TRIAGE is the quality manager's (and admin's).
MANUAL_TRANSITIONS: dict[tuple[str, str], Action] = {
    (S.OPEN, S.IN_PROGRESS): Action.COLLABORATE,
    (S.OPEN, S.FIX_SUBMITTED): Action.COLLABORATE,
    (S.OPEN, S.FALSE_POSITIVE): Action.FINDING_TRIAGE,
    (S.OPEN, S.VERIFIED): Action.FINDING_TRIAGE,
    (S.IN_PROGRESS, S.FIX_SUBMITTED): Action.COLLABORATE,
    (S.IN_PROGRESS, S.OPEN): Action.COLLABORATE,
    (S.IN_PROGRESS, S.FALSE_POSITIVE): Action.FINDING_TRIAGE,
    (S.IN_PROGRESS, S.VERIFIED): Action.FINDING_TRIAGE,
    (S.FIX_SUBMITTED, S.IN_PROGRESS): Action.COLLABORATE,
    (S.FIX_SUBMITTED, S.OPEN): Action.FINDING_TRIAGE,
    (S.FIX_SUBMITTED, S.VERIFIED): Action.FINDING_TRIAGE,
    (S.VERIFIED, S.OPEN): Action.FINDING_TRIAGE,
    (S.FALSE_POSITIVE, S.OPEN): Action.FINDING_TRIAGE,
    (S.RISK_ACCEPTED, S.OPEN): Action.FINDING_TRIAGE,
}

# Moves that must say why (a submitted fix: what changed, in which model version).
REASON_REQUIRED = {S.FALSE_POSITIVE, S.OPEN, S.VERIFIED, S.FIX_SUBMITTED}


def reason_missing(to_status: str) -> str:
    """The refusal of a move to `to_status` without its reason."""
    if to_status == S.FIX_SUBMITTED:
        return (
            "Submitting a fix needs a note: what changed, and which model version carries the fix."
        )
    return f"Moving a finding to {to_status} needs a reason."


# The way a finding moves forward: a list of moves offers the next steps first.
PROGRESSION: list[str] = [S.OPEN, S.IN_PROGRESS, S.FIX_SUBMITTED, S.VERIFIED, S.FALSE_POSITIVE]


def forward_first(from_status: str, targets: list[str]) -> list[str]:
    """`targets` with the steps forward from `from_status` first (nearest first), then the
    steps back: a status select starts on the natural next step, never on a step back."""
    here = PROGRESSION.index(from_status) if from_status in PROGRESSION else -1

    def rank(target: str) -> tuple[int, int]:
        place = PROGRESSION.index(target) if target in PROGRESSION else len(PROGRESSION)
        return (0, place) if place > here else (1, -place)

    return sorted(targets, key=rank)


def allowed_targets(from_status: str) -> list[str]:
    return [to for (source, to) in MANUAL_TRANSITIONS if source == from_status]


def transition_refusal(from_status: str, to_status: str) -> str | None:
    """Why a manual move is illegal, naming the allowed ones; None when it is legal."""
    if (from_status, to_status) in MANUAL_TRANSITIONS:
        return None
    allowed = allowed_targets(from_status)
    hint = ""
    if to_status == S.RISK_ACCEPTED:
        hint = " Risk is accepted through a risk acceptance request, approved by management."
    allowed_text = ", ".join(allowed) if allowed else "none"
    return (
        f"A finding cannot move from {from_status} to {to_status}; allowed: {allowed_text}.{hint}"
    )
