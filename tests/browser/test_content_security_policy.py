"""The Content-Security-Policy holds in a real browser: the pages that carry third-party
code (plotly.js charts, Swagger UI, Django's admin) work under it with no violation (the
page fixture fails a test on any), and an injected inline script is refused."""

import pytest
from playwright.sync_api import expect

from qualiti.demo.seed import DEMO_PROJECT_SLUG, demo_seed
from tests.browser.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_charts_swagger_and_the_admin_work_under_the_policy(live_server, page):
    demo_seed()
    log_in(page, live_server.url, "admin")

    response = page.goto(f"{live_server.url}/projects/{DEMO_PROJECT_SLUG}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".chart .main-svg").first.wait_for()  # plotly drew, its rules admitted

    page.goto(f"{live_server.url}/api/schema/ui/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Qualiti API")

    page.goto(f"{live_server.url}/admin/projects/project/")
    expect(page.locator("#result_list")).to_be_visible()


def test_an_inline_script_is_refused(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")

    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
        }"""
    )

    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in error for error in page.console_errors)
    page.console_errors.clear()  # the refusal was the point
