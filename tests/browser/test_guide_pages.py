"""The guide in Chromium: its index, a requirement and a check page of every kind of example
chart draw their charts, carry no serious or critical axe-core violation (WCAG 2.2 A and
AA) and fit a laptop and a phone. The page audit walks one page of each kind; this looks
at each kind of chart the check pages draw."""

import django.apps
import pytest
from django.urls import reverse

from apps.criteria.services import criterion_templates_sync
from apps.standards.migrations._pack_loader import load_packs
from tests.factories import UserFactory
from tests.support.browser import requires_chromium
from tests.support.page_audit import axe_violations, horizontal_overflow

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

LAPTOP, PHONE = (1366, 768), (390, 844)
# A check of each kind of example: each picture of the run page, a trend judged by the
# catalogue, one judged by the default plan only, and one that nothing judges.
CHECKS = [
    "performance.classification",
    "calibration.classification",
    "drift.columns",
    "fairness.classification",
    "fairness.regression",
    "robustness.noise",
    "efficiency.latency",
    "anomaly.input_outliers",
    "data_quality.schema",
    "performance.reference_comparison",
    "robustness.behaviour",
]


def test_the_guides_pages_draw_their_charts_are_accessible_and_fit_a_phone(live_server, page):
    criterion_templates_sync()  # a transactional test before this one emptied the catalogue
    load_packs(django.apps.apps, None)
    UserFactory(username="reader")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    urls = [reverse("guide"), reverse("guide-requirement", args=["eu-ai-act", "art-15"])]
    urls += [reverse("guide-check", args=[key]) for key in CHECKS]
    problems: list[str] = []
    for url in urls:
        for width, height in (LAPTOP, PHONE):
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            charts = page.locator(".chart")
            for number in range(charts.count()):
                charts.nth(number).locator(".main-svg").first.wait_for()
            problems += [
                f"{url} at {width}px: {violation['rule']} ({violation['help']}) on "
                f"{violation['nodes'][:3]}"
                for violation in axe_violations(page)
            ]
            if (overflow := horizontal_overflow(page)) > 0:
                problems.append(f"{url}: {overflow}px wider than a {width}px window")

    assert problems == [], "\n".join(problems)
