import datetime

import pytest
from django.utils import timezone

from apps.findings.models import Finding, FindingStatus
from apps.findings.tasks import risk_acceptances_expire_task
from tests.findings.factories import ProjectCast


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_expiry_task_runs_on_a_real_worker_and_reopens(celery_worker):
    cast = ProjectCast()
    finding = cast.finding(
        status=FindingStatus.RISK_ACCEPTED,
        risk_expires_on=timezone.localdate() - datetime.timedelta(days=2),
    )

    reopened = risk_acceptances_expire_task.delay().get(timeout=60)

    assert reopened == 1
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.OPEN


def test_beat_schedules_the_expiry_task(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["reopen-expired-risk-acceptances"]

    assert schedule["task"] == risk_acceptances_expire_task.name
