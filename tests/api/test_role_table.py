"""Every role x every API operation of the OpenAPI schema x the status it must get.

Refusals must change nothing; lists must never show another project's objects.
"""

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.api.role_table import ROLE_TABLE
from tests.api.world import ROLES, build_world

OUR_APPS = (
    "accounts",
    "projects",
    "criteria",
    "testplans",
    "evaluations",
    "findings",
    "audit",
    "webhooks",
    "reports",
    "knox",
    "monitoring",
    "standards",
    "django_celery_beat",  # beat's rows, kept by the monitoring services
)


def schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith("/api/v1/")
    )


def database_state() -> dict:
    """Every row of every table of ours, to prove a refused request changed nothing."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


def test_every_schema_operation_is_in_the_role_table():
    operations = set(schema_operations())

    missing = operations - set(ROLE_TABLE)
    stale = set(ROLE_TABLE) - operations
    assert not missing, f"operations with no row in the role table: {sorted(missing)}"
    assert not stale, f"role table rows with no operation in the schema: {sorted(stale)}"


CASES = [(method, path, role) for (method, path) in ROLE_TABLE for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "role"), CASES, ids=[f"{m} {p} {r}" for m, p, r in CASES]
)
def test_role_table(method, path, role):
    world = build_world()
    case = ROLE_TABLE[(method, path)]
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    url = path.format(**case.params(world))
    body = case.body(world) if case.body else None
    before = database_state()

    response = getattr(client, method)(url, body, format="multipart" if case.multipart else "json")

    expected = case.expected[role]
    assert response.status_code == expected, response.content[:500]
    if expected >= 400 and not (method == "post" and path == "/api/v1/auth/token/"):
        assert database_state() == before, "a refused request changed the database"
    if expected >= 400:
        assert "detail" in response.json() or response.status_code == 400
    if expected == 200 and path.endswith("/download/"):
        assert b"".join(response.streaming_content)  # the file's bytes, streamed
    if case.project_object and expected == 200:
        listed = {item.get("id", item.get("slug")) for item in response.json()["results"]}
        hidden = world.ids.get(case.project_object, world.project.pk)
        assert (hidden in listed) == (role != "outsider")
