"""API fuzzing: schemathesis generates requests from the OpenAPI document for every operation.

Each operation gets a bounded number of examples (SCHEMA_FUZZ_EXAMPLES, default 5), sent as a
signed-in member with a circle, a topic and a check-in to find. No answer may be a 5xx, and every
answer whose status the document describes must match its schema.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kinship.accounts.models import ApiToken
from kinship.core import factories
from kinship.core.testing import make_cast
from kinship.wsgi import application

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "5"))


@pytest.fixture
def keep_test_connection():
    """Requests go straight to the WSGI app, not through Django's test client, so switch off what the
    client switches off: closing the database connection at each request's end would end the test's
    transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def member_headers(db, keep_test_connection):
    cast = make_cast()
    factories.make_topic(circle=cast.circle, author=cast.member)
    _, key = ApiToken.issue(cast.member)
    return {"Authorization": f"Bearer {key}"}


# The document needs no database: reading it at collection time is safe.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_without_a_server_error_and_as_documented(case, member_headers):
    case.call_and_validate(headers=member_headers, checks=[not_a_server_error, response_schema_conformance])
