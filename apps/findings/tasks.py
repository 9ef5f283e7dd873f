from celery import shared_task

from apps.findings import services


@shared_task(name="findings.risk_acceptances_expire", acks_late=True, time_limit=600)
def risk_acceptances_expire_task() -> int:
    """Periodic (Celery beat): reopen findings whose accepted risk has expired."""
    return services.risk_acceptances_expire()
