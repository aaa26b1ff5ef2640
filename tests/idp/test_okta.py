"""Okta provisioning sessions, replayed request by request from Okta's public developer documentation.

Sources (the request bodies are copied as printed there; only ids and userNames are adapted):

- "Okta and SCIM Version 2.0" (SCIM 2.0 Protocol Reference),
  https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/
  (formerly https://developer.okta.com/docs/reference/scim/scim-20/);
- "Prepare your SCIM API service", section "Test your SCIM API": the Okta SCIM 2.0 Spec Test run in Runscope,
  https://developer.okta.com/docs/guides/scim-provisioning-integration-prepare/main/#test-your-scim-api
  (test file https://developer.okta.com/standards/SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json);
- "Understanding SCIM", section "Delete (Deprovision)", https://developer.okta.com/docs/concepts/scim/

Okta never deletes: it deactivates with ``active: false`` and reactivates with ``active: true``, by PATCH for
OIN integrations and by a PUT of the whole user for integrations made with the App Integration Wizard (AIW).
"""

from __future__ import annotations

import copy

import pytest

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA

from ..conftest import give_seats, is_host

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"

# "Determine if the User already exists", verbatim (query string as Okta encodes it).
LOOKUP = f"{USERS}?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"

# "Create the User", verbatim: Okta sends a random password, groups and a locale.
CREATE = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "test.user@okta.local",
    "name": {"givenName": "Test", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}

# "Update the User" (PUT), verbatim but for the id, which is ours.
PUT_UPDATE = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
    "userName": "test.user@okta.local",
    "name": {"givenName": "Another", "middleName": "Excited", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work", "display": "test.user@okta.local"}],
    "active": True,
    "groups": [],
    "meta": {"resourceType": "User"},
}

# "Update a specific User (PATCH)": "When a user is deactivated, Okta sends this request", verbatim.
DEACTIVATE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "value": {"active": False}}],
}
# "Activating a user" is the same PATCH with active true ("the active attribute can be switched back to true").
REACTIVATE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "value": {"active": True}}],
}


def assert_list_response(body, total):
    """Okta: "The itemsPerPage, startIndex, and totalResults values need to be exchanged as integers"."""
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    for key in ("totalResults", "startIndex", "itemsPerPage"):
        assert type(body[key]) is int, key
    assert body["totalResults"] == total
    assert body["itemsPerPage"] == len(body["Resources"])


def assert_okta_profile(resource, given_name="Test", active=True, language=None):
    """What Okta reads back from its create and update requests (``language``: the locale last sent)."""
    assert USER_SCHEMA in resource["schemas"]
    assert resource["id"]
    assert resource["userName"] == "test.user@okta.local"
    assert resource["name"]["givenName"] == given_name
    assert resource["name"]["familyName"] == "User"
    assert resource["emails"] == [{"primary": True, "value": "test.user@okta.local", "type": "work"}]
    assert resource["active"] is active
    assert resource["meta"]["resourceType"] == "User"
    assert "password" not in resource
    if is_host():
        # Host: locale is stored as the member's language; suspension never frees the seat.
        assert resource.get("preferredLanguage") == language
        assert resource[EXTENSION] == {"privilege": "member"}
    else:
        assert "preferredLanguage" not in resource


def test_okta_oin_provisioning_session(scim, create_user):
    """An OIN integration: connection check, userName lookup, create, PUT update, PATCH deactivate/reactivate.

    Sources: "Okta and SCIM Version 2.0" (https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/),
    sections "Create Users", "Retrieve a specific User", "Update a specific User (PUT)" and "Update a specific
    User (PATCH)". Okta's pages do not print the request behind the admin console's connection test, so the
    connection check replays the first requests of the Okta SCIM 2.0 Spec Test ("Prepare your SCIM API service",
    https://developer.okta.com/docs/guides/scim-provisioning-integration-prepare/main/#test-your-scim-api), which
    needs "at least one user in your SCIM server before running".
    """
    existing = create_user("existing.user@example.com")

    # Spec Test, "Required Test: Test Users endpoint": GET /Users?count=1&startIndex=1.
    response = scim.get(f"{USERS}?count=1&startIndex=1")
    assert response.status_code == 200
    page = response.json()
    assert_list_response(page, total=1)
    first = page["Resources"][0]
    assert first["id"] == existing["id"]
    assert first["name"]["familyName"] and first["name"]["givenName"] and first["userName"]
    assert first["active"] is not None
    assert first["emails"][0]["value"]

    # Spec Test, "Required Test: Test invalid User by ID": a SCIM error with a detail.
    response = scim.get(f"{USERS}/010101001010101011001010101011")
    assert response.status_code == 404
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response.json()["status"] == "404"
    assert response.json()["detail"]

    # "Determine if the User already exists": an empty ListResponse, exactly as the reference prints it.
    response = scim.get(LOOKUP)
    assert response.status_code == 200
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }

    # "Create the User": 201 with the created User object (an empty body is an Okta error).
    response = scim.post(USERS, CREATE, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert_okta_profile(created, language="en-US")
    assert created["externalId"] == "00ujl29u0le5T6Aj10h7"
    assert response["Location"] == created["meta"]["location"]
    user_url = f"{USERS}/{created['id']}"

    # The next lookup matches the user, in any case (Spec Test "Username Case Sensitivity Check").
    for lookup in (LOOKUP, LOOKUP.replace("test.user%40okta.local", "TEST.USER%40OKTA.LOCAL")):
        found = scim.get(lookup).json()
        assert_list_response(found, total=1)
        assert found["Resources"][0]["id"] == created["id"]

    # "If the User object that Okta tries to create already exists ... respond with an error schema".
    response = scim.post(USERS, CREATE, format="json")
    assert response.status_code == 409
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response.json()["status"] == "409"

    # "Retrieve a specific User".
    response = scim.get(user_url)
    assert response.status_code == 200
    assert response.json() == created

    # "Update a specific User (PUT)": Okta GETs the user, then PUTs the body with the changed attributes.
    assert scim.get(user_url).status_code == 200
    response = scim.put(user_url, {**PUT_UPDATE, "id": created["id"]}, format="json")
    assert response.status_code == 200, response.json()
    updated = response.json()
    # A full replace without locale (the reference's PUT has none) unassigns the language (RFC 7644 §3.5.1).
    assert_okta_profile(updated, given_name="Another")
    assert updated["id"] == created["id"]
    assert "middleName" not in updated["name"]  # not stored by this product, so never returned as stored

    # "When a user is deactivated, Okta sends this request": 200 with the updated User (or 204).
    response = scim.patch(user_url, DEACTIVATE, format="json")
    assert response.status_code == 200, response.json()
    assert_okta_profile(response.json(), given_name="Another", active=False)

    # A deactivated user stays readable, by id and by the userName lookup Okta runs before provisioning.
    response = scim.get(user_url)
    assert response.status_code == 200
    assert response.json()["active"] is False
    found = scim.get(LOOKUP).json()
    assert_list_response(found, total=1)
    assert found["Resources"][0]["active"] is False

    # Reassigning the app reactivates the same user ("the active attribute can be switched back to true").
    response = scim.patch(user_url, REACTIVATE, format="json")
    assert response.status_code == 200, response.json()
    assert_okta_profile(response.json(), given_name="Another", active=True)
    assert scim.get(user_url).json()["active"] is True
    assert scim.get(f"{USERS}?startIndex=1&count=100").json()["totalResults"] == 2


def test_okta_aiw_session_updates_everything_by_put(scim):
    """An AIW integration: every update, deactivation and reactivation included, is a PUT of the whole user.

    Source: "Okta and SCIM Version 2.0" (https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/):
    "For any custom app integrations created using the AIW, all SCIM operations that update a User object,
    including these operations, are always sent through a PUT method request", after Okta "first makes a GET
    method request to /Users/${userID} and retrieves the body of the User object" and "modifies the attributes
    that were changed"; section "Delete Users": deprovisioning sets active to false, "through a PUT method
    request" for AIW integrations.
    """
    assert scim.get(LOOKUP).json()["totalResults"] == 0
    response = scim.post(USERS, CREATE, format="json")
    assert response.status_code == 201, response.json()
    assert_okta_profile(response.json(), language="en-US")
    user_url = f"{USERS}/{response.json()['id']}"

    # Profile update: the reference's PUT body.
    assert scim.get(user_url).status_code == 200
    response = scim.put(user_url, {**PUT_UPDATE, "id": response.json()["id"]}, format="json")
    assert response.status_code == 200, response.json()
    assert_okta_profile(response.json(), given_name="Another")

    # Deactivation: GET, change active, PUT everything back.
    fetched = scim.get(user_url).json()
    response = scim.put(user_url, {**copy.deepcopy(fetched), "active": False}, format="json")
    assert response.status_code == 200, response.json()
    assert_okta_profile(response.json(), given_name="Another", active=False)
    assert scim.get(user_url).json()["active"] is False
    assert scim.get(LOOKUP).json()["Resources"][0]["active"] is False

    # A profile push while deactivated round-trips active: false and keeps the user deactivated.
    fetched = scim.get(user_url).json()
    response = scim.put(
        user_url, {**copy.deepcopy(fetched), "name": {"givenName": "Test", "familyName": "User"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert_okta_profile(response.json(), given_name="Test", active=False)

    # Reactivation: GET, change active, PUT everything back.
    fetched = scim.get(user_url).json()
    response = scim.put(user_url, {**copy.deepcopy(fetched), "active": True}, format="json")
    assert response.status_code == 200, response.json()
    assert_okta_profile(response.json(), given_name="Test", active=True)
    assert scim.get(user_url).json() == response.json()


def test_okta_import_walks_every_page_of_100(scim, create_user, tenant):
    """An import: GET /Users?startIndex=1&count=100, then startIndex+100, "until all pages are viewed".

    Source: "Okta and SCIM Version 2.0" (https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/),
    section "Retrieve Users": Okta pages with startIndex, count=100 and totalResults, exchanged as integers, and
    "The SCIM server must consistently return the same ordering of results for the requests, regardless of
    which values are provided for the count and startIndex pagination references"; a user deactivated in the
    application is imported as deactivated ("Understanding SCIM", https://developer.okta.com/docs/concepts/scim/).
    """
    give_seats(tenant, 200)
    created = [create_user(f"import.user{n:03d}@example.com")["id"] for n in range(130)]
    deactivated = created[117]
    assert scim.patch(f"{USERS}/{deactivated}", DEACTIVATE, format="json").status_code == 200

    def walk(count):
        seen, start_index = [], 1
        while True:
            response = scim.get(f"{USERS}?startIndex={start_index}&count={count}")
            assert response.status_code == 200
            page = response.json()
            assert_list_response(page, total=130)
            assert page["startIndex"] == start_index
            assert page["itemsPerPage"] <= count
            seen.extend(page["Resources"])
            if start_index + count > page["totalResults"]:
                return seen
            start_index += count

    resources = walk(100)
    ids = [resource["id"] for resource in resources]
    assert len(ids) == 130
    assert set(ids) == set(created)
    assert {r["id"]: r["active"] for r in resources}[deactivated] is False
    assert all(r["active"] for r in resources if r["id"] != deactivated)
    assert all(r["userName"] and r["emails"] and r["name"] for r in resources)

    # The same order whatever the page size, and on the next import.
    assert [resource["id"] for resource in walk(7)] == ids
    assert [resource["id"] for resource in walk(100)] == ids
