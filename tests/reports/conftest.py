import pytest

# The browser tests' fixtures, for this folder's tests in Chromium. Defined once here: a
# session fixture imported into two test modules would be two browsers, and Playwright's
# sync API refuses a second one in the same thread.
from tests.browser.conftest import chromium, page, screenshot  # noqa: F401
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
