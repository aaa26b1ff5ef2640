"""Fixtures: tenants, provisioning keys and SCIM clients that send ``Authorization: Bearer``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from scim_provisioning.constants import USER_SCHEMA

from .factories import ProvisioningKeyFactory, TenantFactory

HOST_ONLY = "test_host_"
ZERO_CONFIG_ONLY = "test_default_"
BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--browser",
        action="store_true",
        help="Run the Playwright tests in tests/browser (Chromium at /usr/bin/chromium, --ds=tests.settings_browser).",
    )


def is_host() -> bool:
    """True under tests.settings_host (the example product's models and adapter)."""
    return settings.AUTH_USER_MODEL == "accounts.User"


def pytest_ignore_collect(collection_path: Path, config: Any) -> bool | None:
    # Browser tests run in their own tox environment (`tox -e browser`), which
    # installs Playwright and passes --browser; there they fail, never skip,
    # when Chromium is missing.
    if collection_path == BROWSER_TESTS:
        return not config.getoption("--browser")
    # Host-specific tests (seats, privilege, memberships) need the example's
    # models; zero-configuration tests need the stock User and no tenant model.
    if collection_path.name.startswith(HOST_ONLY) and not is_host():
        return True
    if collection_path.name.startswith(ZERO_CONFIG_ONLY) and is_host():
        return True
    return None


def give_seats(tenant: Any, seats: int) -> None:
    """Under the example host, buy ``seats`` seats for ``tenant``; zero config has no seats to buy."""
    if is_host():
        from accounts.models import Subscription

        Subscription.objects.update_or_create(organization=tenant, defaults={"seats": seats, "plan": "Enterprise"})


def override_scim_settings(settings: Any, **values: Any) -> None:
    """Change some SCIM_PROVISIONING keys through pytest-django's ``settings``, keeping the others."""
    settings.SCIM_PROVISIONING = {**settings.SCIM_PROVISIONING, **values}


def scim_client_for(key: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    return client


@pytest.fixture
def tenant(db: Any) -> Any:
    tenant = TenantFactory(slug="acme", name="Acme")
    give_seats(tenant, 100)
    return tenant


@pytest.fixture
def other_tenant(db: Any) -> Any:
    tenant = TenantFactory(slug="globex", name="Globex")
    give_seats(tenant, 100)
    return tenant


@pytest.fixture
def provisioning_key(tenant: Any) -> Any:
    return ProvisioningKeyFactory(tenant=tenant)


@pytest.fixture
def scim(provisioning_key: Any) -> APIClient:
    """A SCIM client authenticated with a key of ``tenant``."""
    return scim_client_for(provisioning_key)


@pytest.fixture
def other_scim(other_tenant: Any) -> APIClient:
    """A SCIM client of another tenant."""
    return scim_client_for(ProvisioningKeyFactory(tenant=other_tenant))


@pytest.fixture
def user_payload() -> Callable[..., dict[str, Any]]:
    """Build a SCIM User body as an IdP would send it."""

    def build(user_name: str = "bjensen@example.com", **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": user_name, "type": "work", "primary": True}],
            "active": True,
        }
        body.update(extra)
        return body

    return build


@pytest.fixture
def create_user(scim: APIClient, user_payload: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """POST a user through SCIM and return the created resource."""

    def create(user_name: str = "bjensen@example.com", client: APIClient | None = None, **extra: Any) -> Any:
        response = (client or scim).post("/scim/v2/Users", user_payload(user_name, **extra), format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return create


#: Transaction control: a test's savepoints stand for the request's own BEGIN/COMMIT, which no budget counts.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


class StatementCount:
    """SQL statements a block ran, transaction control excluded; ``len()`` gives the count."""

    def __init__(self, captured: list[dict[str, Any]]) -> None:
        self.statements = [q["sql"] for q in captured if not q["sql"].upper().startswith(TRANSACTION_CONTROL)]

    def __len__(self) -> int:
        return len(self.statements)


@pytest.fixture
def assert_statements() -> Callable[..., Any]:
    """``with assert_statements(at_most=N):`` (or ``exactly=N``) on the statements a request runs.

    Counts what ``benchmarks/request_costs.py`` counts, including authentication
    and excluding transaction control, so the budgets read like the benchmark's.
    """

    @contextmanager
    def check(*, at_most: int | None = None, exactly: int | None = None) -> Any:
        with CaptureQueriesContext(connection) as context:
            yield context
        count = StatementCount(context.captured_queries)
        listing = "\n".join(count.statements)
        if exactly is not None:
            assert len(count) == exactly, f"{len(count)} statements, expected {exactly}:\n{listing}"
        if at_most is not None:
            assert len(count) <= at_most, f"{len(count)} statements, at most {at_most} allowed:\n{listing}"

    return check
