"""Fixtures: tenants, provisioning keys and SCIM clients that send ``Authorization: Bearer``."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from rest_framework.test import APIClient

from scim_provisioning.constants import USER_SCHEMA

from .factories import ProvisioningKeyFactory, TenantFactory


def scim_client_for(key: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    return client


@pytest.fixture
def tenant(db: Any) -> Any:
    return TenantFactory(slug="acme", name="Acme")


@pytest.fixture
def other_tenant(db: Any) -> Any:
    return TenantFactory(slug="globex", name="Globex")


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
