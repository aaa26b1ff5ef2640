"""Schema-driven fuzzing: schemathesis sends what the OpenAPI document allows, and what it forbids, to every operation.

The document is ``scim_provisioning.openapi.openapi_document()``; the app is
the project's WSGI handler, called in-process inside the test's database
transaction. Every request carries a valid key of the test tenant, and three
requests in four on ``/Users/{id}`` target a real user, so PUT and PATCH
bodies are validated and written, not only answered 404. Each case runs in a
transaction that is rolled back afterwards, so every case meets the same
user. Checks: no 5xx (``not_a_server_error``), statuses, media types,
headers and bodies as documented (the error envelope and a closed User
schema included), and an error's ``status`` equal to the HTTP status.

Needs the ``fuzz`` dependency group (schemathesis); skipped without it.
``SCIM_FUZZ_EXAMPLES`` sets the fuzzing phase's examples per operation
(default 25), on top of schemathesis's deterministic coverage phase. The
cases run per operation are printed at the end of the module.
"""

from __future__ import annotations

import collections
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

import hypothesis  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, transaction  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scim_provisioning.constants import ERROR_SCHEMA, MEDIA_TYPE, USER_SCHEMA  # noqa: E402
from scim_provisioning.models import ProvisionedUser  # noqa: E402
from scim_provisioning.openapi import openapi_document  # noqa: E402

from .conftest import override_scim_settings  # noqa: E402

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("SCIM_FUZZ_EXAMPLES", "25"))
#: Where the test URLconf mounts the app; the werkzeug client sends Host: localhost.
SERVER = "http://localhost/scim/v2"

#: Cases run, by operation and by status, over the whole module.
CASES: collections.Counter[str] = collections.Counter()
STATUSES: collections.Counter[tuple[str, int]] = collections.Counter()


def scim_error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """RFC 7644 §3.12: an error is a SCIM error in application/scim+json whose ``status`` is the HTTP status."""
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type == MEDIA_TYPE, f"{response.status_code} answered as {content_type!r}"
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA], body
    assert body["status"] == str(response.status_code), body
    assert isinstance(body["detail"], str) and body["detail"], body
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    scim_error_envelope,
]

# Generated at import, under the settings of this run (zero configuration or the example host),
# as /Schemas would be: the User response schema follows the adapter's attributes.
schema = schemathesis.openapi.from_dict(
    openapi_document(SERVER),
    config=schemathesis.Config.from_dict({"generation": {"max-examples": FUZZ_EXAMPLES}}),
)
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def no_throttling(settings: Any) -> None:
    """Thousands of requests a minute with one key are the point here."""
    override_scim_settings(settings, THROTTLE_RATE=None)


@contextmanager
def connection_kept() -> Iterator[None]:
    """Keep Django from closing the database connection around a request, as its test client does.

    The connection holds the test's transaction; closing it at the end of the
    request would end the test. Only around the call: the test client
    reconnects the handler after each of its own requests.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def existing_user(create_user: Any) -> dict[str, Any]:
    return create_user("fuzz@example.com", externalId="fuzz-1", name={"givenName": "Fuzz", "familyName": "Target"})


@pytest.fixture(scope="module", autouse=True)
def report_cases(request: Any) -> Any:
    """Print how many cases each operation ran, and their statuses, when the module is done."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not CASES:
        return
    with capture.global_and_fixture_disabled():
        _write_report(reporter, request.config.getoption("ds") or "tests.settings")
    CASES.clear()
    STATUSES.clear()


def _write_report(reporter: Any, settings_module: str) -> None:
    reporter.write_line("")
    reporter.write_line(f"schemathesis cases under {settings_module}, by operation (by status):")
    for operation, count in sorted(CASES.items()):
        statuses = ", ".join(f"{status}: {n}" for (label, status), n in sorted(STATUSES.items()) if label == operation)
        reporter.write_line(f"  {operation}: {count} ({statuses})")
    reporter.write_line(f"  total: {sum(CASES.values())}, server errors: {_server_errors()}")


def _server_errors() -> int:
    return sum(n for (_, status), n in STATUSES.items() if status >= 500)


def _target_real_resources(case: Any, user_id: str) -> None:
    """Point three cases in four at the existing user (or the User resource type, or the User schema).

    Chosen from the generated value itself, so a case is the same whenever
    Hypothesis replays it.
    """
    parameters = case.path_parameters or {}
    for name, real in (("id", user_id), ("resourceType", "User"), ("schemaId", USER_SCHEMA)):
        if name in parameters and zlib.crc32(repr(parameters[name]).encode("utf-8", "surrogatepass")) % 4:
            parameters[name] = real


@schema.parametrize()
@hypothesis.settings(deadline=None, database=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_no_server_error_and_documented_answers(case: Any, provisioning_key: Any, existing_user: Any) -> None:
    """Whatever the request, the answer is documented and never a 5xx; nothing a case wrote outlives it."""
    _target_real_resources(case, existing_user["id"])
    users = ProvisionedUser.objects.count()
    with transaction.atomic(), connection_kept():
        response = case.call(headers={"Authorization": f"Bearer {provisioning_key.raw_key}"})
        CASES[case.operation.label] += 1
        STATUSES[case.operation.label, response.status_code] += 1
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
    assert ProvisionedUser.objects.count() == users
