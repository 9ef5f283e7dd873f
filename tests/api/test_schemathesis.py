"""schemathesis against /api/schema/, as each role: no 5xx anywhere, invalid input refused.

A few examples per operation keep CI fast; the role table covers who may do what. The roles
that may write reach the serializers' validation, so they get schemathesis's coverage cases
too (every boundary and wrong type of every field, hundreds per operation); the others are
refused or only read, which a few generated examples per operation exercise.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests.api.world import build_world

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
without_coverage_cases = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    WSGIHandler(),
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
)
WRITERS = ["admin", "qm", "dev"]
READERS = ["viewer", "manager", "outsider", "anonymous"]  # read-only, or refused
FAST = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Calls through the WSGI handler end with Django closing the database connection,
    which would close the test's transaction; the test client avoids it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db) -> dict[str, str]:
    world = build_world()
    return {name: AuthToken.objects.create(user=user)[1] for name, user in world.users.items()}


def headers_for(role: str, tokens: dict[str, str]) -> dict[str, str]:
    return {} if role == "anonymous" else {"Authorization": f"Token {tokens[role]}"}


@pytest.mark.parametrize("role", WRITERS)
@schema.parametrize()
@FAST
def test_no_operation_answers_5xx(case, role, tokens):
    case.call_and_validate(headers=headers_for(role, tokens), checks=[not_a_server_error])


@pytest.mark.parametrize("role", READERS)
@without_coverage_cases.parametrize()
@FAST
def test_no_operation_answers_5xx_to_a_reader(case, role, tokens):
    case.call_and_validate(headers=headers_for(role, tokens), checks=[not_a_server_error])


@schema.parametrize()
@FAST
def test_invalid_input_is_rejected_with_4xx(case, tokens):
    case.call_and_validate(
        headers=headers_for("qm", tokens), checks=[not_a_server_error, negative_data_rejection]
    )
