"""The key's tenant scopes every read and write; another tenant's user looks like a missing one."""

from __future__ import annotations

import pytest

from scim_provisioning.constants import PATCH_OP_SCHEMA
from scim_provisioning.models import ProvisionedUser

from .conftest import is_host

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_scim, create_user):
    """A user of the other tenant, created through that tenant's key."""
    return create_user("shared.name@example.com", client=other_scim)


def test_other_tenants_users_are_404_for_every_method(scim, theirs, user_payload):
    url = f"{USERS}/{theirs['id']}"
    patch = {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]}

    responses = [
        scim.get(url),
        scim.put(url, user_payload("shared.name@example.com"), format="json"),
        scim.patch(url, patch, format="json"),
        scim.delete(url),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert all(r.json()["detail"] == f"User '{theirs['id']}' not found." for r in responses)
    assert ProvisionedUser.objects.get(pk=theirs["id"]).user.is_active


def test_other_tenants_users_never_appear_in_lists_counts_or_filters(scim, theirs, create_user):
    mine = create_user("mine@example.com")

    listed = scim.get(USERS).json()
    filtered = scim.get(USERS, {"filter": 'userName eq "shared.name@example.com"'}).json()
    by_id = scim.get(USERS, {"filter": f'id eq "{theirs["id"]}"'}).json()

    assert (listed["totalResults"], [r["id"] for r in listed["Resources"]]) == (1, [mine["id"]])
    assert filtered["totalResults"] == 0
    assert by_id["totalResults"] == 0


@pytest.mark.skipif(
    is_host(),
    reason="the example host's emails are unique across organizations, and another organization's member "
    "is never taken over: that is a 409 (test_host_adapter.py)",
)
def test_the_same_user_name_may_exist_in_two_tenants(scim, theirs, user_payload):
    """userName is unique per tenant, not across tenants (the app's own constraint)."""
    response = scim.post(USERS, user_payload("Shared.Name@example.com"), format="json")

    assert response.status_code == 201
    assert response.json()["id"] != theirs["id"]


def test_revoked_key_of_one_tenant_does_not_affect_another(scim, other_scim, provisioning_key):
    provisioning_key.revoke()

    assert scim.get(USERS).status_code == 401
    assert other_scim.get(USERS).status_code == 200
