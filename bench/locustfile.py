"""The pages of Qualiti as three kinds of signed-in users browse them, for pages_bench.py.

Reads the JSON that pages_bench.py writes (PAGES_BENCH_DATA): each seed user's session key
and visible projects, and per project the ids its pages need. Each request is named after
its page (so Locust groups them) and sends that name in `X-Bench-Page` for gunicorn's
access log. Anything but 200 counts as a failure.
"""

# ruff: noqa: S311 - random picks of pages and ids, not secrets

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import urlencode

from locust import HttpUser, between, constant

DATA = json.loads(Path(os.environ["PAGES_BENCH_DATA"]).read_text())
PROJECTS = DATA["projects"]
_low, _, _high = os.environ.get("PAGES_BENCH_THINK", "1,3").partition(",")
WAIT = between(float(_low), float(_high or _low)) if float(_low or 0) else constant(0)
_devs = itertools.cycle(DATA["users"]["devs"])


class Page(HttpUser):
    abstract = True
    wait_time = WAIT
    account: dict

    def on_start(self) -> None:
        # Production session cookies are Secure: over plain http the client must set it.
        self.client.cookies.set("sessionid", self.account["session"])
        self.slugs = self.account["projects"]

    def get(self, name: str, url: str) -> None:
        with self.client.get(
            url, name=name, headers={"X-Bench-Page": name}, allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def project(self) -> tuple[str, dict]:
        slug = random.choice(self.slugs)
        return slug, PROJECTS[slug]

    # --- the pages ---------------------------------------------------------------------

    def portfolio(self) -> None:
        self.get("portfolio", "/")

    def overview(self) -> None:
        slug, _ = self.project()
        self.get("project overview", f"/projects/{slug}/")

    def criteria(self) -> None:
        slug, _ = self.project()
        self.get("criteria list", f"/projects/{slug}/criteria/")

    def catalogue(self) -> None:
        slug, _ = self.project()
        self.get("criteria catalogue", f"/projects/{slug}/criteria/templates/")

    def plans(self) -> None:
        slug, _ = self.project()
        self.get("plan list", f"/projects/{slug}/plans/")

    def plan(self) -> None:
        slug, ids = self.project()
        self.get("plan detail", f"/projects/{slug}/plans/{ids['plan']}/")

    def plan_diff(self) -> None:
        slug, ids = self.project()
        self.get("plan diff", f"/projects/{slug}/plans/{ids['draft']}/diff/")

    def uploads(self) -> None:
        slug, _ = self.project()
        self.get("uploads", f"/projects/{slug}/uploads/")

    def members(self) -> None:
        slug, _ = self.project()
        self.get("members", f"/projects/{slug}/members/")

    def model_version(self) -> None:
        slug, ids = self.project()
        pk = random.choice(ids["versions"])
        self.get("model version", f"/projects/{slug}/uploads/models/{pk}/")

    def dataset(self) -> None:
        slug, ids = self.project()
        pk = random.choice(ids["datasets"])
        self.get("dataset", f"/projects/{slug}/uploads/datasets/{pk}/")

    def run_launch(self) -> None:
        slug, _ = self.project()
        self.get("run launch", f"/projects/{slug}/runs/new/")

    def run_page(self) -> None:
        slug, ids = self.project()
        self.get("run page", f"/projects/{slug}/runs/{random.choice(ids['runs'])}/")

    def findings(self) -> None:
        self.get("findings list", "/findings/")

    def findings_filtered(self) -> None:
        slug, _ = self.project()
        query = random.choice(
            [f"?project={slug}&status=any&sort=severity", "?severity=high&overdue=yes&sort=due"]
        )
        self.get("findings list, filtered", f"/findings/{query}")

    def finding(self) -> None:
        _, ids = self.project()
        self.get("finding page", f"/findings/{random.choice(ids['findings'])}/")

    def my_work(self) -> None:
        self.get("my work", "/my-work/")

    def notifications(self) -> None:
        self.get("notifications", "/accounts/notifications/")

    def tokens(self) -> None:
        self.get("API tokens", "/accounts/tokens/")

    def search(self) -> None:
        # What people type in the top bar: a criterion code (a third of all findings), a
        # subject, a version label, a project's name, a finding's or a run's number.
        slug, ids = self.project()
        query = random.choice([
            "FAIR-01", "segment 7", "release 2", f"Large project {slug[-2:-1]}",
            f"#{random.choice(ids['findings'])}", f"#{random.choice(ids['runs'])}",
        ])  # fmt: skip
        self.get("search", f"/search/?{urlencode({'q': query})}")


EVERY_PAGE = [Page.portfolio, Page.overview, Page.criteria, Page.catalogue, Page.plans,
              Page.plan, Page.plan_diff, Page.uploads, Page.members, Page.model_version,
              Page.dataset, Page.run_launch, Page.run_page, Page.findings,
              Page.findings_filtered, Page.finding, Page.my_work, Page.notifications,
              Page.tokens, Page.search]  # fmt: skip


class QualityManager(Page):
    """large-qm: quality manager of every large project; uses every page."""

    weight = 3
    account = DATA["users"]["qm"]
    tasks = EVERY_PAGE


class Manager(Page):
    """large-manager: management, sees the whole portfolio; reads, never edits."""

    weight = 2
    account = DATA["users"]["manager"]
    tasks = EVERY_PAGE


class Developer(Page):
    """large-dev-NN: developer on their team's ten projects; each user another developer."""

    weight = 5
    tasks = EVERY_PAGE

    def on_start(self) -> None:
        self.account = next(_devs)
        super().on_start()
