"""PUT, PATCH and DELETE /Users/{id} (RFC 7644 §3.5, §3.6), with the IdPs' dialects."""

from __future__ import annotations

import pytest

from scim_provisioning.constants import PATCH_OP_SCHEMA
from scim_provisioning.models import ProvisionedUser

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def resource_without_meta(resource):
    return {k: v for k, v in resource.items() if k != "meta"}


def test_put_replaces_the_user(scim, create_user, user_payload):
    """RFC 7644 §3.5.1: PUT replaces the resource; omitted optional attributes are cleared."""
    created = create_user(externalId="1")
    body = user_payload("barbara@example.com", name={"givenName": "Barb"}, externalId="2")

    response = scim.put(f"{USERS}/{created['id']}", body, format="json")

    assert response.status_code == 200
    resource = response.json()
    assert resource["id"] == created["id"]
    assert resource["userName"] == "barbara@example.com"
    assert resource["externalId"] == "2"
    assert resource["name"] == {"givenName": "Barb"}
    assert resource["meta"]["version"] != created["meta"]["version"]
    assert response["ETag"] == resource["meta"]["version"]
    assert scim.get(f"{USERS}/{created['id']}").json() == resource


def test_okta_get_then_put_round_trip_changes_nothing(scim, create_user):
    """Okta PUTs back everything GET returned; an unchanged resource must stay unchanged."""
    created = create_user(externalId="00u1")
    fetched = scim.get(f"{USERS}/{created['id']}").json()

    response = scim.put(f"{USERS}/{created['id']}", fetched, format="json")

    assert response.status_code == 200
    assert resource_without_meta(response.json()) == resource_without_meta(fetched)


def test_okta_put_with_active_false_suspends(scim, create_user):
    """Okta deactivates with a PUT of the whole user carrying active: false."""
    created = create_user()
    body = {**scim.get(f"{USERS}/{created['id']}").json(), "active": False}

    response = scim.put(f"{USERS}/{created['id']}", body, format="json")

    assert response.json()["active"] is False
    assert scim.get(f"{USERS}/{created['id']}").json()["active"] is False


def test_put_without_active_keeps_the_suspension(scim, create_user, user_payload):
    """A full replace that omits active must not reactivate a suspended user (DESIGN.md §3.1)."""
    created = create_user(active=False)
    body = user_payload()
    del body["active"]

    assert scim.put(f"{USERS}/{created['id']}", body, format="json").json()["active"] is False


def test_put_with_another_id_is_400_mutability(scim, create_user, user_payload):
    """RFC 7643 §3.1: id is readOnly."""
    created = create_user()

    response = scim.put(f"{USERS}/{created['id']}", user_payload(id="another"), format="json")

    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"


def test_put_renaming_to_a_taken_user_name_is_409(scim, create_user, user_payload):
    create_user("a@example.com")
    second = create_user("b@example.com")

    response = scim.put(f"{USERS}/{second['id']}", user_payload("A@example.com"), format="json")

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert ProvisionedUser.objects.get(pk=second["id"]).user_name == "b@example.com"


def test_put_with_invalid_body_writes_nothing(scim, create_user, user_payload):
    created = create_user()
    body = user_payload("renamed@example.com", emails=[{"value": "not-an-email"}])

    response = scim.put(f"{USERS}/{created['id']}", body, format="json")

    assert response.status_code == 400
    assert scim.get(f"{USERS}/{created['id']}").json() == created


def test_okta_patch_deactivate_and_reactivate_without_path(scim, create_user):
    """Okta: {"op":"replace","value":{"active":false}} (RFC 7644 §3.5.2.3, no path)."""
    created = create_user()
    url = f"{USERS}/{created['id']}"

    suspended = scim.patch(url, patch_body({"op": "replace", "value": {"active": False}}), format="json")
    restored = scim.patch(url, patch_body({"op": "replace", "value": {"active": True}}), format="json")

    assert suspended.status_code == 200
    assert suspended.json()["active"] is False
    assert restored.json()["active"] is True


def test_entra_patch_capitalised_op_and_boolean_string(scim, create_user):
    """Entra ID: {"op":"Replace","path":"active","value":"False"}."""
    created = create_user()

    response = scim.patch(
        f"{USERS}/{created['id']}", patch_body({"op": "Replace", "path": "active", "value": "False"}), format="json"
    )

    assert response.status_code == 200
    assert response.json()["active"] is False


def test_patch_paths_sub_attribute_and_value_filter(scim, create_user):
    """RFC 7644 §3.5.2: attribute, sub-attribute and value-filtered paths."""
    created = create_user()

    response = scim.patch(
        f"{USERS}/{created['id']}",
        patch_body(
            {"op": "replace", "path": "name.givenName", "value": "Babs"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "babs@example.com"},
            {"op": "replace", "path": "externalId", "value": "ext-9"},
            {"op": "add", "path": "userName", "value": "babs@example.com"},
        ),
        format="json",
    )

    assert response.status_code == 200, response.json()
    resource = response.json()
    assert resource["name"] == {"givenName": "Babs", "familyName": "Jensen"}
    assert resource["emails"][0]["value"] == "babs@example.com"
    assert resource["externalId"] == "ext-9"
    assert resource["userName"] == "babs@example.com"


def test_entra_path_less_replace_with_dotted_and_urn_keys(scim, create_user):
    """Entra's aadOptscim062020 style: path-less values keyed by dotted and URN-qualified names."""
    created = create_user()

    response = scim.patch(
        f"{USERS}/{created['id']}",
        patch_body(
            {
                "op": "replace",
                "value": {
                    "name.familyName": "Jensen-Smith",
                    "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName": "Barbie",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales",
                },
            }
        ),
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == {"givenName": "Barbie", "familyName": "Jensen-Smith"}


def test_patch_remove_clears_an_attribute(scim, create_user):
    created = create_user(externalId="x")

    response = scim.patch(f"{USERS}/{created['id']}", patch_body({"op": "remove", "path": "externalId"}), format="json")

    assert response.status_code == 200
    assert "externalId" not in response.json()


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "remove"}, "noTarget"),
        ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
        ({"op": "replace", "path": "meta.created", "value": "x"}, "mutability"),
        ({"op": "frobnicate", "path": "active", "value": True}, "invalidSyntax"),
        ({"op": "replace", "path": 'emails[type eq "work"', "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": 'emails[type eq "home" or primary eq true].value', "value": "x@example.com"}, None),
        ({"op": "replace", "path": "active", "value": "perhaps"}, "invalidValue"),
        ({"op": "replace", "value": "not an object"}, "invalidValue"),
        ({"op": "replace", "path": "emails", "value": [{"value": "not-an-email"}]}, "invalidValue"),
    ],
)
def test_patch_errors_are_400_and_atomic(scim, create_user, operation, scim_type):
    """RFC 7644 §3.5.2 and §3.12: each failing operation is a 400 with its scimType; nothing is applied."""
    created = create_user()
    first = {"op": "replace", "path": "name.givenName", "value": "Changed"}

    response = scim.patch(f"{USERS}/{created['id']}", patch_body(first, operation), format="json")

    if scim_type is None:  # a filter that matches an item: applied, not an error
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.json()
    assert response.json()["scimType"] == scim_type
    assert scim.get(f"{USERS}/{created['id']}").json()["name"]["givenName"] == "Barbara"


def test_patch_without_the_patch_op_schema_is_400(scim, create_user):
    created = create_user()

    response = scim.patch(
        f"{USERS}/{created['id']}", {"Operations": [{"op": "replace", "value": {"active": False}}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"


def test_delete_is_204_then_404(scim, create_user):
    """RFC 7644 §3.6: 204 No Content, then the resource is gone (404)."""
    created = create_user()
    url = f"{USERS}/{created['id']}"

    response = scim.delete(url)

    assert response.status_code == 204
    assert response.content == b""
    assert scim.get(url).status_code == 404
    assert scim.delete(url).status_code == 404
    assert not ProvisionedUser.objects.exists()


def test_updates_do_not_require_emails(scim, create_user):
    """The seed requires emails at creation only; a deactivation must never fail for lack of one."""
    created = create_user()
    body = {k: v for k, v in scim.get(f"{USERS}/{created['id']}").json().items() if k != "emails"}

    response = scim.put(f"{USERS}/{created['id']}", {**body, "active": False}, format="json")

    assert response.status_code == 200
    assert response.json()["active"] is False


def test_entra_sets_a_work_phone_the_user_does_not_have_yet(scim, create_user, settings):
    """Entra ID replaces phoneNumbers[type eq "work"].value even when no work phone exists (RFC 7644 §3.5.2.3)."""
    created = create_user()

    response = scim.patch(
        f"{USERS}/{created['id']}",
        patch_body({"op": "replace", "path": 'phoneNumbers[type eq "work"].value', "value": "+1 555 0100"}),
        format="json",
    )

    assert response.status_code == 200
    if settings.AUTH_USER_MODEL == "accounts.User":  # the stock User has no phone to store it in
        assert response.json()["phoneNumbers"] == [{"value": "+1 555 0100", "type": "work"}]


def test_an_unknown_extensions_attribute_never_touches_the_core_one(scim, create_user):
    """RFC 7644 §3.10: a URN-qualified name belongs to that schema, even if a core attribute shares it."""
    created = create_user()

    response = scim.patch(
        f"{USERS}/{created['id']}",
        patch_body(
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:acme:2.0:User:active", "value": False}
        ),
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["active"] is True


def test_add_without_a_value_is_400_and_clears_nothing(scim, create_user):
    """RFC 7644 §3.5.2.1: an add operation MUST contain a value."""
    created = create_user()

    response = scim.patch(f"{USERS}/{created['id']}", patch_body({"op": "add", "path": "emails"}), format="json")

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert scim.get(f"{USERS}/{created['id']}").json()["emails"] == created["emails"]


def test_a_new_primary_email_replaces_the_old_one(scim, create_user):
    """RFC 7644 §3.5.2: setting primary on one value sets it false on the others."""
    created = create_user("bj@example.com")

    response = scim.patch(
        f"{USERS}/{created['id']}",
        patch_body(
            {"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "work", "primary": True}]}
        ),
        format="json",
    )

    assert response.json()["emails"] == [{"value": "new@example.com", "type": "work", "primary": True}]
