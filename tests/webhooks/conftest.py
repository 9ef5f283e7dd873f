import pytest

from apps.webhooks import services
from tests.findings.factories import ProjectCast


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.fixture
def quick(settings):
    """Loopback allowed (the test's receiver), no waiting between tries, no rate limit."""
    settings.QUALITI_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.QUALITI_WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.QUALITI_WEBHOOK_PER_SECOND = 1000
    settings.QUALITI_BASE_URL = "https://qualiti.example.com"
    return settings


@pytest.fixture
def queued(monkeypatch):
    """Records the tries queued (delivery id, countdown) instead of sending them to a broker;
    run on commit as the service asks."""
    calls: list[tuple[int, float]] = []

    def record(*, delivery_id: int, countdown: float = 0) -> None:
        calls.append((delivery_id, countdown))

    monkeypatch.setattr(services, "delivery_queue", record)
    return calls
