"""Following every link is safe: each demo user walks every page reachable from the
portfolio; no link answers an error, no GET changes a row anywhere, and every page has
labelled fields and keyboard-reachable controls."""

import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from qualiti.demo.seed import DEMO_PROJECT_SLUG, DEMO_USERS
from tests.dashboards.page_audit import page_problems

pytestmark = pytest.mark.django_db(transaction=True)  # the demo's runs write from a thread

HREF = re.compile(r'href="([^"#][^"]*)"')
NOT_PAGES = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout", "/favicon.ico")
MAX_PAGES = 400  # the demo has fewer; a bound keeps a link loop from hanging the suite


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def crawl(client: Client, problems: dict[str, list[str]]) -> dict[str, int]:
    """Every internal page reachable from "/" and the status it answered; each page's
    accessibility problems go into `problems`."""
    seen: dict[str, int] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if found := page_problems(html):
            problems[url] = found
        for href in HREF.findall(html):
            href = urldefrag(href.replace("&amp;", "&")).url
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if not href.startswith(NOT_PAGES) and href not in seen:
                queue.append(href)
    return seen


def test_every_link_answers_and_no_get_changes_anything():
    call_command("seed_demo", stdout=io.StringIO())  # two evaluated versions, findings
    for username, *_ in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        counts_before = row_counts()  # force_login itself writes a session row

        problems: dict[str, list[str]] = {}
        statuses = crawl(client, problems)

        errors = {url: status for url, status in statuses.items() if status not in (200, 302)}
        assert errors == {}, username
        assert len(statuses) > 20, (username, sorted(statuses))  # it reached the pages
        assert row_counts() == counts_before, username
        assert problems == {}, username  # labelled fields, keyboard-reachable controls


def test_every_page_of_a_project_answers_404_to_a_user_outside_it():
    call_command("seed_demo", stdout=io.StringIO())
    qm = Client()
    qm.force_login(User.objects.get(username="qm"))
    project_pages = [
        url
        for url in crawl(qm, {})
        if url.startswith(f"/projects/{DEMO_PROJECT_SLUG}/") or re.match(r"^/findings/\d", url)
    ]
    outsider = Client()
    outsider.force_login(User.objects.create_user("outsider", password="x" * 12))

    statuses = {url: outsider.get(url).status_code for url in project_pages}

    assert len(statuses) > 20
    assert {url: status for url, status in statuses.items() if status != 404} == {}
