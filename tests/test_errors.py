"""Every non-2xx answer below the mount point is a SCIM error envelope (RFC 7644 §3.12)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scim_provisioning.constants import ERROR_SCHEMA, MEDIA_TYPE

USERS = "/scim/v2/Users"
pytestmark = pytest.mark.django_db


def assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


@pytest.mark.parametrize("path", ["/scim/v2/", "/scim/v2/Nope", "/scim/v2/Users/a/b", "/scim/v2/ResourceTypes/x/y"])
def test_unknown_routes_are_scim_404(scim, path):
    assert_scim_error(scim.get(path), 404)


@pytest.mark.parametrize("resource", ["Groups", "Groups/123", "Bulk", "Me"])
def test_resources_not_offered_are_scim_501(scim, resource):
    """DESIGN.md §3: /Groups, /Bulk and /Me answer a SCIM error, never an HTML page."""
    body = assert_scim_error(scim.get(f"/scim/v2/{resource}"), 501)
    assert "not supported" in body["detail"]


def test_method_not_allowed_is_scim_405_with_allow(scim):
    response = scim.delete(USERS)

    assert_scim_error(response, 405)
    assert "GET" in response["Allow"]


def test_malformed_json_is_400_invalid_syntax(scim):
    response = scim.generic("POST", USERS, '{"userName": ', content_type=MEDIA_TYPE)

    assert_scim_error(response, 400, "invalidSyntax")


@pytest.mark.parametrize("payload", ["[]", '"text"', "null", "\xff"])
def test_non_object_json_is_400_invalid_syntax(scim, payload):
    response = scim.generic("POST", USERS, payload.encode("latin-1"), content_type=MEDIA_TYPE)

    assert_scim_error(response, 400, "invalidSyntax")


def test_unsupported_media_type_is_415(scim):
    response = scim.generic("POST", USERS, "userName=x", content_type="application/x-www-form-urlencoded")

    assert_scim_error(response, 415)


def test_both_scim_and_plain_json_media_types_are_accepted(scim, user_payload):
    """RFC 7644 §3.1: clients may send application/scim+json or application/json."""
    import json

    first = scim.generic("POST", USERS, json.dumps(user_payload("a@example.com")), content_type=MEDIA_TYPE)
    second = scim.generic("POST", USERS, json.dumps(user_payload("b@example.com")), content_type="application/json")

    assert (first.status_code, second.status_code) == (201, 201)


def test_body_over_the_limit_is_413(scim, settings, user_payload):
    settings.SCIM_PROVISIONING = {**settings.SCIM_PROVISIONING, "MAX_BODY_SIZE": 1000}

    response = scim.post(USERS, user_payload(title="x" * 2000), format="json")

    assert_scim_error(response, 413)


def test_unacceptable_accept_header_is_406(scim):
    response = scim.get(USERS, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_lowercase_resource_name_and_trailing_slash(scim, create_user):
    """DESIGN.md §3.3: Entra ID has been seen sending /users."""
    created = create_user()

    assert scim.get("/scim/v2/users").status_code == 200
    assert scim.get(f"/scim/v2/users/{created['id']}/").json()["id"] == created["id"]


def test_unexpected_errors_are_a_scim_500_and_roll_back(scim, user_payload, settings, caplog):
    """Even a bug in a host adapter answers a SCIM 500 and leaves no row behind."""
    from scim_provisioning.models import ProvisionedUser

    settings.SCIM_PROVISIONING = {**settings.SCIM_PROVISIONING, "USER_ADAPTER": "tests.broken.ExplodingAdapter"}

    response = scim.post(USERS, user_payload(), format="json")

    assert_scim_error(response, 500)
    assert not ProvisionedUser.objects.exists()
    assert not get_user_model().objects.filter(email="bjensen@example.com").exists()
    assert "Unhandled error in a SCIM request" in caplog.text
