import datetime

import pytest
from django.utils import timezone

from apps.criteria.models import Attestation, AttestationStatus
from apps.criteria.tasks import attestations_expire_task
from apps.findings.models import Finding, FindingStatus
from tests.criteria.factories import ProcessCriterionFactory
from tests.findings.factories import ProjectCast


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_expiry_task_runs_on_a_real_worker_and_opens_the_finding(celery_worker):
    cast = ProjectCast()
    criterion = ProcessCriterionFactory(project=cast.project)
    answer = Attestation.objects.create(
        criterion=criterion,
        answer="Yes.",
        evidence_url="https://docs.example.com/x",
        status=AttestationStatus.ACCEPTED,
        decided_by=cast.qm,
        decided_at=timezone.now() - datetime.timedelta(days=91),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )

    expired = attestations_expire_task.delay().get(timeout=60)

    assert expired == 1
    assert Attestation.objects.get(pk=answer.pk).status == AttestationStatus.EXPIRED
    assert Finding.objects.get(criterion=criterion).status == FindingStatus.OPEN


def test_beat_schedules_the_expiry_task(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-process-answers"]

    assert schedule["task"] == attestations_expire_task.name
