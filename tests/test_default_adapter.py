"""Zero configuration: django.contrib.auth's User, no tenant model, no settings but BASE_URL."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from .conftest import scim_client_for
from .factories import ProvisioningKeyFactory, UserFactory

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


@pytest.fixture
def single():
    """A key of a single-tenant site (no tenant at all)."""
    return scim_client_for(ProvisioningKeyFactory(tenant=None))


def test_single_tenant_site_provisions_stock_users(single, user_payload):
    response = single.post(USERS, user_payload("grace", emails=[{"value": "grace@example.com"}]), format="json")

    assert response.status_code == 201
    user = get_user_model().objects.get()
    assert (user.username, user.email, user.is_active) == ("grace", "grace@example.com", True)
    assert single.get(USERS).json()["totalResults"] == 1


def test_tenantless_key_sees_only_tenantless_users(single, other_scim, create_user):
    theirs = create_user("theirs@example.com", client=other_scim)

    assert single.get(USERS).json()["totalResults"] == 0
    assert single.get(f"{USERS}/{theirs['id']}").status_code == 404


@pytest.mark.parametrize("stored", ["Grace@Example.com", "grace@example.com", "GRACE@EXAMPLE.COM"])
def test_existing_unlinked_user_is_adopted_not_duplicated(single, user_payload, stored):
    """Users made before SCIM was switched on are linked by username (as sent, lower or upper case)."""
    existing = UserFactory(username=stored, email="old@example.com")

    response = single.post(
        USERS, user_payload("Grace@Example.com", emails=[{"value": "grace@example.com"}]), format="json"
    )

    assert response.status_code == 201
    assert get_user_model().objects.count() == 1
    existing.refresh_from_db()
    assert (existing.username, existing.email) == ("Grace@Example.com", "grace@example.com")


def test_stock_user_names_are_site_wide(scim, other_scim, create_user, user_payload):
    """The stock User has one global username: another tenant cannot take it over (409)."""
    create_user("taken@example.com", client=other_scim)

    response = scim.post(USERS, user_payload("taken@example.com"), format="json")

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_active_maps_to_is_active(single, user_payload):
    created = single.post(USERS, user_payload("ada@example.com", active=False), format="json").json()

    assert get_user_model().objects.get().is_active is False
    single.put(f"{USERS}/{created['id']}", user_payload("ada@example.com", active=True), format="json")
    assert get_user_model().objects.get().is_active is True


def test_delete_removes_the_host_user(single, user_payload):
    created = single.post(USERS, user_payload("ada@example.com"), format="json").json()

    assert single.delete(f"{USERS}/{created['id']}").status_code == 204
    assert not get_user_model().objects.exists()


def test_attributes_the_stock_user_cannot_store_are_not_returned(single, user_payload):
    """DESIGN.md §3.1: never returned as if stored."""
    body = user_payload(
        "ada@example.com",
        preferredLanguage="fr",
        timezone="Europe/Paris",
        phoneNumbers=[{"value": "+33 1 23 45 67 89", "type": "work"}],
        addresses=[{"type": "work", "locality": "Paris", "country": "FR"}],
    )

    resource = single.post(USERS, body, format="json").json()

    for attribute in ("preferredLanguage", "timezone", "phoneNumbers", "addresses"):
        assert attribute not in resource


def test_staff_accounts_are_never_adopted(single, user_payload):
    """An IdP must not take over an operator's account by pushing its username."""
    UserFactory(username="admin", email="ops@example.com", is_staff=True)

    response = single.post(USERS, user_payload("admin", emails=[{"value": "evil@example.com"}]), format="json")

    assert response.status_code == 409
    assert get_user_model().objects.get(username="admin").email == "ops@example.com"


def test_a_replace_without_emails_clears_the_stock_email(single, user_payload):
    """RFC 7644 §3.5.1: attributes left out of a PUT are unassigned."""
    created = single.post(USERS, user_payload("ada@example.com"), format="json").json()
    body = {k: v for k, v in created.items() if k not in ("emails", "meta")}

    resource = single.put(f"{USERS}/{created['id']}", body, format="json").json()

    assert "emails" not in resource
    assert get_user_model().objects.get().email == ""
