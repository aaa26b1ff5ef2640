"""Microsoft Entra ID provisioning sessions, replayed request by request from Microsoft Learn.

Sources (the request bodies are copied as printed there; only ids and userNames are adapted):

- "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID",
  https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
  ("Getting started" for Test Connection, "User Operations" and "Handling provisioning and deprovisioning
  of users" for the requests and responses);
- "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user provisioning
  service",
  https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
  (the PATCH requests sent without and with the ``aadOptscim062020`` tenant-URL flag).

Entra sends its bodies as ``application/scim+json`` (the tutorial's ``Content-type`` header).
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA

from ..conftest import is_host

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
SCIM_JSON = "application/scim+json"

# Tutorial, "Handling provisioning and deprovisioning of users", Example 2 "Provision a user", verbatim:
# the enterprise schema as printed (its URN lacks a colon), explicit nulls, enterprise attributes at top level.
PROVISION_JYOUNG = {
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0User",
    ],
    "externalId": "jyoung",
    "userName": "jyoung@testuser.com",
    "active": True,
    "addresses": None,
    "displayName": "Joy Young",
    "emails": [{"type": "work", "value": "jyoung@Contoso.com", "primary": True}],
    "meta": {"resourceType": "User"},
    "name": {"familyName": "Young", "givenName": "Joy"},
    "phoneNumbers": None,
    "preferredLanguage": None,
    "title": None,
    "department": None,
    "manager": None,
}


def create_user_request(user_name, email, external_id):
    """Tutorial, "User Operations", "Create User" request, verbatim but for the userName, email and externalId."""
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": external_id,
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
    }


def patch_op(*operations):
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)}


def send(client, method, url, body):
    """A request as Entra sends it: a JSON body typed application/scim+json."""
    return getattr(client, method)(url, json.dumps(body), content_type=SCIM_JSON)


def query(client, filter_expression):
    """GET /Users?filter=..., URL-encoded."""
    response = client.get(f"{USERS}?{urlencode({'filter': filter_expression})}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert type(body["totalResults"]) is int
    return body


def assert_privilege_kept(resource):
    """Host: Entra's active=false suspends the member but keeps their seat (privilege member)."""
    if is_host():
        assert resource[EXTENSION] == {"privilege": "member"}


def test_entra_provisioning_session(scim):
    """Test Connection, externalId lookup, create with nulls, queries, PATCH updates, disable, restore, delete.

    Source: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups):
    "Test Connection queries the SCIM endpoint for a user that doesn't exist, using a random GUID as the matching
    property ... The expected correct response is HTTP 200 OK with an empty SCIM ListResponse message";
    Examples 1 (query by externalId), 2 (provision a user), 3 (query the current state) and 6 (deprovision);
    "User Operations": Get User by query, Update User [Multi-valued properties], Update User [Single-valued
    properties], Disable User, Delete User; requirement "Soft-deleting a user active=false and restoring the
    user active=true: The user object should be returned in a request whether or not the user is active";
    "/Users: ... a GET to /Users with a filter must allow for both userName eq ... and emails[type eq "work"].value
    eq ... queries".
    """
    # Test Connection: the matching property (userName) equal to a random GUID -> 200, empty ListResponse.
    empty = query(scim, f'userName eq "{uuid.uuid4()}"')
    assert empty["totalResults"] == 0
    assert empty["Resources"] == []
    assert empty["startIndex"] == 1

    # Example 1: query for a user whose externalId matches the mailNickname. The tutorial prints the value
    # unquoted (externalId eq jyoung); the query is sent here with the string quoted, as RFC 7644 §3.4.2.2
    # requires and as the same page's "Get User by query" shows.
    assert query(scim, 'externalId eq "jyoung"')["totalResults"] == 0

    # Example 2: no user matched, so Entra provisions one.
    response = send(scim, "post", USERS, PROVISION_JYOUNG)
    assert response.status_code == 201, response.json()
    created = response.json()
    user_url = f"{USERS}/{created['id']}"
    assert USER_SCHEMA in created["schemas"]
    assert created["id"]
    assert created["externalId"] == "jyoung"
    assert created["userName"] == "jyoung@testuser.com"
    assert created["active"] is True
    assert created["name"] == {"familyName": "Young", "givenName": "Joy"}
    assert len(created["emails"]) == 1
    assert created["emails"][0]["value"].lower() == "jyoung@contoso.com"
    assert created["emails"][0]["type"] == "work"
    assert created["emails"][0]["primary"] is True
    # The explicit nulls unassign optional attributes; title, department and manager are not stored.
    for absent in ("addresses", "phoneNumbers", "preferredLanguage", "title", "department", "manager"):
        assert absent not in created
    assert_privilege_kept(created)

    # Example 3: query the current state of the user.
    response = scim.get(user_url)
    assert response.status_code == 200
    assert response.json() == created

    # "Get User by query", by userName (the default matching attribute) and by externalId (Example 1).
    for expression in ('userName eq "jyoung@testuser.com"', 'externalId eq "jyoung"'):
        found = query(scim, expression)
        assert found["totalResults"] == 1, expression
        assert found["startIndex"] == 1
        assert [resource["id"] for resource in found["Resources"]] == [created["id"]]

    # "Update User [Multi-valued properties]", verbatim.
    response = send(
        scim,
        "patch",
        user_url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updatedEmail@microsoft.com"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            ],
        },
    )
    assert response.status_code == 200, response.json()
    updated = response.json()
    assert updated["emails"] == [{"value": "updatedEmail@microsoft.com", "type": "work", "primary": True}]
    assert updated["name"] == {"familyName": "updatedFamilyName", "givenName": "Joy"}
    assert updated["userName"] == "jyoung@testuser.com"
    assert updated["externalId"] == "jyoung"
    assert updated["active"] is True

    # "Update User [Single-valued properties]", verbatim: a new userName.
    new_user_name = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    response = send(
        scim,
        "patch",
        user_url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "userName", "value": new_user_name}],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["userName"] == new_user_name
    assert response.json()["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert query(scim, f'userName eq "{new_user_name}"')["Resources"][0]["id"] == created["id"]
    assert query(scim, 'userName eq "jyoung@testuser.com"')["totalResults"] == 0

    # "Disable User", verbatim (Operations before schemas, as printed).
    response = send(
        scim,
        "patch",
        user_url,
        {
            "Operations": [{"op": "Replace", "path": "active", "value": False}],
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["active"] is False
    assert_privilege_kept(response.json())

    # A disabled user is still returned, by id and by the matching query.
    response = scim.get(user_url)
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert query(scim, 'externalId eq "jyoung"')["Resources"][0]["active"] is False

    # Restoring the user: active=true.
    response = send(scim, "patch", user_url, patch_op({"op": "Replace", "path": "active", "value": True}))
    assert response.status_code == 200, response.json()
    assert response.json()["active"] is True
    assert scim.get(user_url).json()["active"] is True

    # Example 6 / "Delete User": 204 No Content; then only a 404 (the detail isn't required, only status).
    response = scim.delete(user_url)
    assert response.status_code == 204
    assert response.content == b""
    response = scim.get(user_url)
    assert response.status_code == 404
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response.json()["status"] == "404"
    assert query(scim, 'externalId eq "jyoung"')["totalResults"] == 0
    if is_host():
        from accounts.models import Membership, User

        assert not Membership.objects.exists()
        assert not User.objects.filter(email__iexact="updatedEmail@microsoft.com").exists()


def test_entra_patch_session_without_feature_flag(scim):
    """The default PATCH dialect: capitalised ops, a boolean as the string "False", one path per attribute.

    Sources: "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user
    provisioning service"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility),
    the "Without feature flag" requests to add a single-value string attribute, to replace multiple attributes
    and to disable users; the user is created with the "Create User" request of "User Operations" in
    "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
    """
    user_name = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
    email = "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
    assert query(scim, f'userName eq "{user_name}"')["totalResults"] == 0

    # "Create User": the response the tutorial expects carries these values back.
    response = send(scim, "post", USERS, create_user_request(user_name, email, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"))
    assert response.status_code == 201, response.json()
    created = response.json()
    user_url = f"{USERS}/{created['id']}"
    assert created["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert created["userName"] == user_name
    assert created["name"] == {"familyName": "familyName", "givenName": "givenName"}
    assert created["active"] is True
    assert created["emails"] == [{"value": email, "type": "work", "primary": True}]
    assert "roles" not in created

    # "Requests made to add a single-value string attribute", without feature flag: not stored, not an error.
    response = send(scim, "patch", user_url, patch_op({"op": "Add", "path": "nickName", "value": "Babs"}))
    assert response.status_code == 200, response.json()
    assert "nickName" not in response.json()

    # "Requests to replace multiple attributes", without feature flag, verbatim.
    response = send(
        scim,
        "patch",
        user_url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "displayName", "value": "Pvlo"},
                {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "TestBcwqnm@test.microsoft.com"},
                {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
                {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
                {"op": "Replace", "path": "externalId", "value": "Eqpj"},
                {
                    "op": "Replace",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                    "value": "Eqpj",
                },
            ],
        },
    )
    assert response.status_code == 200, response.json()
    updated = response.json()
    assert updated["emails"] == [{"value": "TestBcwqnm@test.microsoft.com", "type": "work", "primary": True}]
    assert updated["name"] == {"givenName": "Gtfd", "familyName": "Pkqf"}
    assert updated["externalId"] == "Eqpj"
    assert updated["userName"] == user_name
    assert scim.get(user_url).json() == updated
    assert query(scim, 'externalId eq "Eqpj"')["Resources"][0]["id"] == created["id"]

    # "Requests made to disable users", without feature flag, verbatim: the boolean as the string "False".
    response = send(
        scim,
        "patch",
        user_url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["active"] is False
    assert_privilege_kept(response.json())
    assert scim.get(user_url).json()["active"] is False
    assert query(scim, f'userName eq "{user_name}"')["Resources"][0]["active"] is False


def test_entra_patch_session_with_aadoptscim062020(scim):
    """The SCIM-compliant PATCH dialect of the aadOptscim062020 flag, then disable and delete.

    Sources: "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user
    provisioning service"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility),
    the "With feature flag" requests: lowercase ops, a path-less replace whose value is keyed by dotted and
    URN-qualified attribute names, and active as a JSON boolean; "Create User" and "Delete User" of
    "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
    """
    user_name = "Test_User_22cc22cc-dd33-ee44-ff55-66aa66aa66aa"
    email = "Test_User_33dd33dd-ee44-ff55-aa66-77bb77bb77bb@testuser.com"
    assert query(scim, f'userName eq "{user_name}"')["totalResults"] == 0
    response = send(scim, "post", USERS, create_user_request(user_name, email, "8c5e3d1b-6d2f-4f0a-9a3e-2b7c4d1e0f9a"))
    assert response.status_code == 201, response.json()
    user_url = f"{USERS}/{response.json()['id']}"

    # "Requests made to add a single-value string attribute", with feature flag: not stored, not an error.
    response = send(scim, "patch", user_url, patch_op({"op": "add", "path": "nickName", "value": "Babs"}))
    assert response.status_code == 200, response.json()
    assert "nickName" not in response.json()

    # "Requests to replace multiple attributes", with feature flag, verbatim.
    response = send(
        scim,
        "patch",
        user_url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "path": 'emails[type eq "work"].value', "value": "TestMhvaes@test.microsoft.com"},
                {
                    "op": "replace",
                    "value": {
                        "displayName": "Bjfe",
                        "name.givenName": "Kkom",
                        "name.familyName": "Unua",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",
                    },
                },
            ],
        },
    )
    assert response.status_code == 200, response.json()
    updated = response.json()
    assert updated["emails"] == [{"value": "TestMhvaes@test.microsoft.com", "type": "work", "primary": True}]
    assert updated["name"] == {"givenName": "Kkom", "familyName": "Unua"}
    assert updated["userName"] == user_name
    assert updated["externalId"] == "8c5e3d1b-6d2f-4f0a-9a3e-2b7c4d1e0f9a"
    assert updated["active"] is True
    assert scim.get(user_url).json() == updated

    # "Requests made to disable users", with feature flag, verbatim.
    response = send(
        scim,
        "patch",
        user_url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["active"] is False
    assert response.json()["name"] == {"givenName": "Kkom", "familyName": "Unua"}
    assert_privilege_kept(response.json())
    assert scim.get(user_url).json()["active"] is False

    # "Delete User": 204, then 404.
    assert scim.delete(user_url).status_code == 204
    assert scim.get(user_url).status_code == 404
    assert query(scim, f'userName eq "{user_name}"')["totalResults"] == 0


def test_entra_session_matching_on_the_work_email(scim):
    """Entra configured to match users on their work email: Test Connection, lookup, create, lookup again.

    Source: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
    "/Users": "Any attributes that are considered for user uniqueness must be usable as part of a filtered query.
    (for example, if user uniqueness is evaluated for both userName and emails[type eq "work"], a GET to /Users
    with a filter must allow for both userName eq "user@contoso.com" and emails[type eq "work"].value eq
    "user@contoso.com" queries."; "Test Connection queries the SCIM endpoint for a user that doesn't exist, using
    a random GUID as the matching property selected in the Microsoft Entra configuration. The expected correct
    response is HTTP 200 OK with an empty SCIM ListResponse message."; Example 2 for the created user.
    """
    # Test Connection with the work email as the matching property.
    assert query(scim, f'emails[type eq "work"].value eq "{uuid.uuid4()}"')["totalResults"] == 0

    # Provisioning: no user matches the work email, so Entra creates one, then finds it by the same query.
    assert query(scim, 'emails[type eq "work"].value eq "jyoung@Contoso.com"')["totalResults"] == 0
    response = send(scim, "post", USERS, PROVISION_JYOUNG)
    assert response.status_code == 201, response.json()
    found = query(scim, 'emails[type eq "work"].value eq "jyoung@Contoso.com"')
    assert [resource["id"] for resource in found["Resources"]] == [response.json()["id"]]


def test_entra_values_are_stored_in_the_format_sent(scim):
    """The work email of Example 2 comes back exactly as Entra sent it.

    Source: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
    (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
    "General": "Values sent should be stored in the same format they were sent. Invalid values should be rejected
    with a descriptive, actionable error message. Transformations of data shouldn't happen between data from
    Microsoft Entra ID and data stored in the SCIM application."; Example 2 sends "value":"jyoung@Contoso.com".
    """
    response = send(scim, "post", USERS, PROVISION_JYOUNG)
    assert response.status_code == 201, response.json()
    user_url = f"{USERS}/{response.json()['id']}"

    assert response.json()["emails"] == [{"value": "jyoung@Contoso.com", "type": "work", "primary": True}]
    assert scim.get(user_url).json()["emails"] == [{"value": "jyoung@Contoso.com", "type": "work", "primary": True}]
