"""`manage.py seed_large`: the load data every page must render on with a bounded number
of queries."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.evaluations.models import EvaluationRun
from apps.findings.models import CLOSED_FINDING_STATUSES, Finding
from apps.projects.models import Project

pytestmark = pytest.mark.django_db


def test_it_makes_the_asked_portfolio_once():
    call_command("seed_large", projects=5, runs=20, findings=1000, stdout=io.StringIO())
    assert Project.objects.filter(slug__startswith="large-").count() == 5
    assert EvaluationRun.objects.count() == 20
    assert Finding.objects.count() == 1000
    closed = Finding.objects.filter(status__in=CLOSED_FINDING_STATUSES)
    assert 400 < closed.count() < 800
    assert not closed.filter(closed_at__isnull=True).exists()
    ages = Finding.objects.values_list("created_at", flat=True)
    assert (max(ages) - min(ages)).days > 90  # spread in time, not all stamped now
    with pytest.raises(CommandError, match="already loaded"):
        call_command("seed_large", projects=1, runs=1, findings=1)


def test_the_portfolio_renders_on_the_full_seed_with_few_queries(django_assert_max_num_queries):
    call_command("seed_large", stdout=io.StringIO())
    assert Finding.objects.count() == 10_000 and EvaluationRun.objects.count() == 200
    for username in ("large-manager", "large-qm", "large-dev-00"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        with django_assert_max_num_queries(15):
            assert client.get(reverse("home")).status_code == 200
        with django_assert_max_num_queries(15):
            assert client.get(reverse("project-overview", args=["large-00"])).status_code == 200


def every_page(project: Project) -> dict[str, str]:
    """The URL of every page of the web app on one project of the large seed."""
    finding = Finding.objects.filter(project=project).order_by("pk").first()
    plan = project.test_plans.order_by("pk").first()
    run = EvaluationRun.objects.filter(project=project).order_by("pk").first()
    version = project.model_versions.order_by("pk").first()
    dataset = project.datasets.order_by("pk").first()
    slug = project.slug
    return {
        "portfolio": reverse("home"),
        "portfolio filtered": reverse("home") + "?q=large&status=red",
        "overview": reverse("project-overview", args=[slug]),
        "criteria": reverse("criteria-list", args=[slug]),
        "catalogue": reverse("criterion-catalogue", args=[slug]),
        "plans": reverse("plan-list", args=[slug]),
        "plan": reverse("plan-detail", args=[slug, plan.pk]),
        "uploads": reverse("uploads", args=[slug]),
        "members": reverse("project-members", args=[slug]),
        "model version": reverse("model-version-page", args=[slug, version.pk]),
        "dataset": reverse("dataset-page", args=[slug, dataset.pk]),
        "run launch": reverse("run-launch", args=[slug]),
        "run": reverse("run-detail", args=[slug, run.pk]),
        "findings": reverse("finding-list"),
        "findings filtered": reverse("finding-list") + "?status=open&severity=high&overdue=yes",
        "findings export": reverse("finding-export") + "?severity=critical",
        "finding": reverse("finding-detail", args=[finding.pk]),
        "my work": reverse("my-work"),
        "notifications": reverse("notifications"),
        "api tokens": reverse("api-tokens"),
    }


@pytest.mark.parametrize("username", ["large-manager", "large-qm", "large-dev-00"])
def test_every_page_renders_on_the_full_seed_with_few_queries(
    username, django_assert_max_num_queries
):
    call_command("seed_large", stdout=io.StringIO())
    user = User.objects.get(username=username)
    project = Project.objects.get(slug="large-00")  # large-dev-00's team builds large-00
    client = Client()
    client.force_login(user)
    for name, url in every_page(project).items():
        with django_assert_max_num_queries(15, info=name):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (name, url, response.status_code)
        assert body, name
