from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.audit.models import StatusChange
from apps.findings.models import Finding, FindingStatus
from apps.findings.services import finding_transition
from qualiti.errors import StaleVersion
from tests.findings.factories import ProjectCast

WRITERS = 50


@pytest.mark.django_db(transaction=True)
def test_of_fifty_concurrent_transitions_exactly_one_wins():
    cast = ProjectCast()
    finding_id = cast.finding().pk

    def move(index: int) -> str:
        try:
            finding = Finding.objects.select_related("project").get(pk=finding_id)
            finding_transition(
                finding=finding, user=cast.qm, to="in_progress", reason=f"writer {index}", version=1
            )
            return "won"
        except StaleVersion:
            return "409"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        outcomes = list(pool.map(move, range(WRITERS)))

    assert outcomes.count("won") == 1
    assert outcomes.count("409") == WRITERS - 1
    finding = Finding.objects.get()
    assert (finding.status, finding.version) == (FindingStatus.IN_PROGRESS, 2)
    assert StatusChange.objects.filter(object_id=finding_id).count() == 1
