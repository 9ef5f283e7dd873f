from celery import shared_task

from apps.criteria import services_attestations


@shared_task(name="criteria.attestations_expire", acks_late=True, time_limit=600)
def attestations_expire_task() -> int:
    """Periodic (Celery beat): expire accepted answers past their validity and reopen the
    findings of the criteria left without a valid answer."""
    return services_attestations.attestations_expire()
