"""POST /Users: creation, the seed's attribute mapping and tolerant input (RFC 7644 §3.3)."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model

from scim_provisioning.constants import ERROR_SCHEMA, MEDIA_TYPE, USER_SCHEMA
from scim_provisioning.models import ProvisionedUser

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


def test_create_returns_201_with_resource_and_location(scim, user_payload):
    """RFC 7644 §3.3: 201 Created, the full resource, and a Location header equal to meta.location."""
    response = scim.post(USERS, user_payload(externalId="00u1"), format="json")

    assert response.status_code == 201
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"][0] == USER_SCHEMA
    assert body["userName"] == "bjensen@example.com"
    assert body["externalId"] == "00u1"
    assert body["name"] == {"givenName": "Barbara", "familyName": "Jensen"}
    assert "displayName" not in body  # returned on request only
    assert body["emails"] == [{"value": "bjensen@example.com", "type": "work", "primary": True}]
    assert body["active"] is True
    assert body["meta"]["resourceType"] == "User"
    assert body["meta"]["location"] == f"https://app.example.com/scim/v2/Users/{body['id']}"
    assert response["Location"] == body["meta"]["location"]
    assert response["ETag"] == body["meta"]["version"]
    assert body["meta"]["created"].endswith("Z")


def test_id_is_an_opaque_uuid_not_a_row_number(scim, user_payload):
    """RFC 7643 §3.1: id is a stable, server-assigned identifier; ours is not guessable."""
    body = scim.post(USERS, user_payload(), format="json").json()

    assert uuid.UUID(body["id"]).version == 4
    user = get_user_model().objects.get()
    assert body["id"] != str(user.pk)


def test_creates_a_row_in_the_hosts_own_user_model(scim, user_payload):
    scim.post(USERS, user_payload("ada@example.com"), format="json")

    user = get_user_model().objects.get(email="ada@example.com")
    assert (user.first_name, user.last_name) == ("Barbara", "Jensen")
    assert user.scim_links.get().user_name == "ada@example.com"


def test_missing_emails_is_400_naming_the_field(scim, user_payload):
    """Seed document: a create without emails answers 400 with {'emails': ['This field is required.']}."""
    body = user_payload()
    del body["emails"]

    response = scim.post(USERS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "schemas": [ERROR_SCHEMA],
        "status": "400",
        "scimType": "invalidValue",
        "detail": "{'emails': ['This field is required.']}",
    }
    assert not get_user_model().objects.exists()


def test_missing_user_name_is_400(scim, user_payload):
    body = user_payload()
    del body["userName"]

    response = scim.post(USERS, body, format="json")

    assert response.status_code == 400
    assert "userName" in response.json()["detail"]


def test_invalid_email_is_400_invalid_value(scim, user_payload):
    response = scim.post(USERS, user_payload(emails=[{"value": "not-an-email", "type": "work"}]), format="json")

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert "emails" in response.json()["detail"]


def test_work_email_is_chosen_over_primary_and_first(scim, user_payload):
    emails = [
        {"value": "home@example.com", "type": "home", "primary": True},
        {"value": "work@example.com", "type": "work"},
    ]
    body = scim.post(USERS, user_payload("bj", emails=emails), format="json").json()

    assert body["emails"][0]["value"] == "work@example.com"


def test_primary_email_is_chosen_when_no_work_email(scim, user_payload):
    emails = [{"value": "a@example.com", "type": "home"}, {"value": "b@example.com", "type": "other", "primary": True}]
    body = scim.post(USERS, user_payload("bj", emails=emails), format="json").json()

    assert body["emails"][0]["value"] == "b@example.com"


def test_duplicate_user_name_in_other_case_is_409_uniqueness(scim, create_user, user_payload):
    """RFC 7644 §3.3: 409 with scimType uniqueness; userName is caseExact false (RFC 7643 §4.1.1)."""
    create_user("bjensen@example.com")

    response = scim.post(USERS, user_payload("BJensen@Example.COM"), format="json")

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert response.json()["status"] == "409"
    assert ProvisionedUser.objects.count() == 1


def test_unknown_attributes_are_ignored_and_not_returned(scim, user_payload):
    """Seed document: attributes we do not store are ignored silently, never an error."""
    body = user_payload(
        nickName="Babs",
        title="Tour Guide",
        **{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tours"}},
    )

    response = scim.post(USERS, body, format="json")

    assert response.status_code == 201
    resource = response.json()
    assert "nickName" not in resource
    assert "title" not in resource
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" not in resource


def test_idp_password_is_never_stored(scim, user_payload):
    """Okta sends a password on create; DESIGN.md §3.1 says it is ignored."""
    response = scim.post(USERS, user_payload(password="t1meMa$heen"), format="json")

    assert response.status_code == 201
    assert "password" not in response.json()
    user = get_user_model().objects.get()
    assert not user.check_password("t1meMa$heen")
    assert not user.has_usable_password()


def test_active_false_at_creation_creates_a_suspended_user(scim, user_payload):
    """DESIGN.md §3.1: an IdP that pushes a disabled account must never hand it access."""
    body = scim.post(USERS, user_payload(active=False), format="json").json()

    assert body["active"] is False
    assert scim.get(f"{USERS}/{body['id']}").json()["active"] is False


def test_attribute_names_in_any_case_and_core_urn_prefix(scim):
    """RFC 7643 §2.1: attribute names are case-insensitive; Entra sends "UserName"-style names."""
    body = {
        "schemas": [USER_SCHEMA],
        "UserName": "Ryan@example.com",
        "EMAILS": [{"Value": "ryan@example.com", "TYPE": "work"}],
        f"{USER_SCHEMA}:name.givenName": "Ryan",
        USER_SCHEMA: {"name": {"familyName": "Leenay"}},
    }

    response = scim.post(USERS, body, format="json")

    assert response.status_code == 201, response.json()
    resource = response.json()
    assert resource["userName"] == "Ryan@example.com"
    assert resource["emails"][0]["value"] == "ryan@example.com"
    assert resource["name"] == {"givenName": "Ryan", "familyName": "Leenay"}


def test_onelogin_single_object_for_a_multi_valued_attribute(scim, user_payload):
    """DESIGN.md §3.3: OneLogin sends emails as one object instead of a list."""
    response = scim.post(USERS, user_payload(emails={"value": "one@example.com", "primary": True}), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["emails"][0]["value"] == "one@example.com"


def test_explicit_nulls_mean_unassigned(scim, user_payload):
    """RFC 7643 §2.5: null is unassigned; Entra sends explicit nulls in POST bodies."""
    body = user_payload(externalId=None, name={"givenName": "Ana", "familyName": None}, title=None, active=None)

    response = scim.post(USERS, body, format="json")

    assert response.status_code == 201, response.json()
    assert "externalId" not in response.json()
    assert response.json()["name"] == {"givenName": "Ana"}
    assert response.json()["active"] is True


def test_wrong_json_types_are_400_not_500(scim, user_payload):
    for body in (
        user_payload(userName=["a"]),
        user_payload(emails="x@example.com"),
        user_payload(name="Barbara Jensen"),
        user_payload(active="maybe"),
        user_payload(emails=[{"value": {"nested": 1}}]),
    ):
        response = scim.post(USERS, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert not get_user_model().objects.exists()


def test_values_longer_than_columns_are_400_and_write_nothing(scim, user_payload):
    """Bad input never yields a 500 or a half-written row (DESIGN.md §3.2)."""
    for body in (
        user_payload("x" * 300 + "@example.com"),
        user_payload(name={"givenName": "G" * 400}),
        user_payload(externalId="e" * 300),
    ):
        response = scim.post(USERS, body, format="json")
        assert response.status_code == 400, (response.status_code, response.content[:200])
        assert response.json()["scimType"] == "invalidValue"
    assert not get_user_model().objects.exists()
    assert not ProvisionedUser.objects.exists()


def test_primary_work_email_wins_among_several_work_emails(scim, user_payload):
    emails = [
        {"value": "old@example.com", "type": "work"},
        {"value": "new@example.com", "type": "work", "primary": True},
    ]
    body = scim.post(USERS, user_payload("bj", emails=emails), format="json").json()

    assert body["emails"][0]["value"] == "new@example.com"
