"""The pieces the role table is written in: what each role gets on a read or a write, and
the Case of one operation."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from tests.api.world import World

VISIBLE = ("admin", "qm", "dev", "viewer", "manager")
IN_A_YEAR = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()


def reads(*, outsider: int = 404) -> dict[str, int]:
    return {**dict.fromkeys(VISIBLE, 200), "outsider": outsider, "anonymous": 401}


def writes(ok: int, allowed: set[str], *, outsider: int = 404) -> dict[str, int]:
    expected = {role: (ok if role in allowed else 403) for role in VISIBLE}
    return {**expected, "outsider": outsider, "anonymous": 401}


QM = {"admin", "qm"}
PACK = b"""pack: {id: acme, version: 1}
templates:
  - {code: FAIR-01, name: Parity, category: fairness, check_key: fairness.classification,
     metric: demographic_parity_ratio, comparator: ">=", threshold: 0.8, severity: high,
     rationale: Why., guidance: How.}
"""
TEAM = {"admin", "qm", "dev"}


@dataclass(frozen=True)
class Case:
    expected: dict[str, int]
    params: Callable[[World], dict] = lambda world: {}
    body: Callable[[World], dict] | None = None
    project_object: str | None = None  # an id a list must not show to an outsider
    multipart: bool = False


def ids(key: str, name: str = "id") -> Callable[[World], dict]:
    return lambda world: {name: world.ids[key]}
