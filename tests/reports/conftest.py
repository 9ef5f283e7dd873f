import pytest

from tests.notifications.mail import smtp_server


@pytest.fixture
def inbox(settings):
    """Qualiti's mail goes through a real SMTP server for the test; what arrived is here."""
    controller, inbox, port = smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.QUALITI_BASE_URL = "http://qualiti.test"
    yield inbox
    controller.stop()
