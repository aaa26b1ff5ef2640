"""Schema-driven fuzzing: schemathesis sends what the OpenAPI document allows, and what it forbids, to every operation.

The document is ``scim_provisioning.openapi.openapi_document()``; the app is
the project's WSGI handler, called in-process inside the test's database
transaction. Every request carries a valid key of the test tenant, and three
requests in four on ``/Users/{id}`` target a real user, so PUT and PATCH
bodies are validated and written, not only answered 404. Each case runs in a
transaction that is rolled back afterwards, so every case meets the same
user. Checks: no 5xx (``not_a_server_error``), statuses, media types,
headers and bodies as documented (the error envelope and a closed User
schema included), and an error's ``status`` equal to the HTTP status. A
stateful test then follows the document's links (create a user, then read,
replace, patch or delete it), also checking that a deleted user is gone
(``use_after_free``) and a created one is there.

Needs the ``fuzz`` dependency group (schemathesis); skipped without it,
unless ``SCIM_FUZZ_REQUIRED`` is set (as the tox ``fuzz`` environment does).
``SCIM_FUZZ_EXAMPLES`` sets the fuzzing phase's examples per operation
(default 25), on top of schemathesis's deterministic coverage phase, and
the stateful test's sequences. The cases run per operation are printed at
the end of the module.
"""

from __future__ import annotations

import collections
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

if os.environ.get("SCIM_FUZZ_REQUIRED"):
    import schemathesis  # the fuzz environment: a missing group is a failure, not a skip
else:
    schemathesis = pytest.importorskip("schemathesis", reason="in the fuzz dependency group")

import hypothesis  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, transaction  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
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
#: Steps of the stateful sequences, by operation.
STEPS: collections.Counter[str] = collections.Counter()


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
    if reporter is None or capture is None or not (CASES or STEPS):
        return
    with capture.global_and_fixture_disabled():
        _write_report(reporter, request.config.getoption("ds") or "tests.settings")
    CASES.clear()
    STEPS.clear()
    STATUSES.clear()


def _write_report(reporter: Any, settings_module: str) -> None:
    reporter.write_line("")
    if CASES:
        reporter.write_line(f"schemathesis cases under {settings_module}, by operation (by status):")
        for operation, count in sorted(CASES.items()):
            statuses = ", ".join(f"{code}: {n}" for (label, code), n in sorted(STATUSES.items()) if label == operation)
            reporter.write_line(f"  {operation}: {count} ({statuses})")
        reporter.write_line(f"  total: {sum(CASES.values())}, server errors: {_server_errors()}")
    if STEPS:
        reporter.write_line(f"schemathesis stateful steps under {settings_module}, by operation:")
        for operation, count in sorted(STEPS.items()):
            reporter.write_line(f"  {operation}: {count}")
        reporter.write_line(f"  total: {sum(STEPS.values())}")


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


def test_stateful_sequences_never_fail_badly(provisioning_key: Any) -> None:
    """Sequences along the document's links (create, then read, replace, patch, delete the user made).

    ``use_after_free`` and ``ensure_resource_availability`` check that a
    deleted user is gone and a created one is there; each sequence is
    rolled back afterwards.
    """
    authorization = {"Authorization": f"Bearer {provisioning_key.raw_key}"}
    checks = [*CHECKS, use_after_free, ensure_resource_availability]

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": authorization}

        def call(self, case: Any, **kwargs: Any) -> Any:
            with connection_kept():
                response = case.call(**kwargs)
            STEPS[case.operation.label] += 1
            return response

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=checks, transport_kwargs=kwargs)

    users = ProvisionedUser.objects.count()
    Sequences.run(
        settings=hypothesis.settings(
            # Up to 10 steps each: a tenth as many sequences as cases per operation, at least 25.
            max_examples=max(FUZZ_EXAMPLES // 10, 25),
            stateful_step_count=10,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    assert ProvisionedUser.objects.count() == users
