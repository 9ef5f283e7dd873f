import pytest

from qualiti.demo.seed import DEMO_PASSWORD, DEMO_USERS, demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_the_quality_manager_logs_in_and_sees_the_demo_project(live_server, page, screenshot):
    demo_seed()

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/accounts/login/?next=/"
    screenshot(page, "login-page")
    log_in(page, live_server.url, "qm")

    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", name="Portfolio").is_visible()
    assert page.get_by_role("rowheader", name="Credit scoring").count() == 1
    assert page.locator(".topbar .user-name").inner_text().startswith("qm")
    screenshot(page, "projects-as-qm")


@pytest.mark.parametrize("username", [name for name, *_ in DEMO_USERS])
def test_every_demo_login_works_and_logs_out(live_server, page, username):
    demo_seed()

    log_in(page, live_server.url, username)

    assert page.locator(".topbar .user-name").inner_text().startswith(username)
    assert "Credit scoring" in page.locator("main").inner_text()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_a_wrong_password_shows_an_error(live_server, page, screenshot):
    demo_seed()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("qm")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("alert").inner_text().startswith("Please enter a correct username")
    screenshot(page, "login-error")
