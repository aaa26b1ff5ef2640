"""The OpenAPI document describes the routes, methods and media types the SCIM URLconf really serves."""

from __future__ import annotations

import os
import uuid

import pytest
from django.urls import resolve

from scim_provisioning.constants import MEDIA_TYPE
from scim_provisioning.openapi import openapi_document

MOUNT = "/scim/v2"
METHODS = ("get", "put", "post", "patch", "delete")


def documented_operations():
    document = openapi_document(f"http://testserver{MOUNT}")
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def concrete(path: str) -> str:
    return MOUNT + path.replace("{id}", str(uuid.uuid4())).replace("{resourceType}", "User").replace(
        "{schemaId}", "urn:x"
    )


def test_document_is_valid_openapi_3_1():
    if os.environ.get("SCIM_FUZZ_REQUIRED"):
        import openapi_spec_validator as validator
    else:
        validator = pytest.importorskip("openapi_spec_validator", reason="in the fuzz dependency group")

    validator.validate(openapi_document("https://app.example.com/scim/v2"))


def test_server_is_the_base_url():
    assert openapi_document()["servers"] == [{"url": "https://app.example.com/scim/v2"}]


@pytest.mark.parametrize(("path", "method", "operation"), list(documented_operations()))
def test_every_documented_operation_is_served(path, method, operation):
    """Each documented path reaches a SCIM view that implements the method (not the 404 or 501 views)."""
    match = resolve(concrete(path))
    view_class = match.func.cls
    actions = getattr(match.func, "actions", None)

    assert view_class.__name__ not in ("NotFoundView", "NotOfferedView")
    assert (method in actions) if actions is not None else hasattr(view_class, method)


def test_every_users_route_is_documented():
    """Nothing the Users views answer is missing from the document."""
    documented = {(path, method) for path, method, _ in documented_operations()}
    served = {
        ("/Users", "get"),
        ("/Users", "post"),
        ("/Users/.search", "post"),
        ("/.search", "post"),
        *(("/Users/{id}", method) for method in ("get", "put", "patch", "delete")),
    }

    assert served <= documented


def test_bodies_in_both_media_types_and_answers_in_scim():
    """RFC 7644 §3.1: requests in application/scim+json or application/json; answers in application/scim+json."""
    for _, _, operation in documented_operations():
        if "requestBody" in operation:
            assert set(operation["requestBody"]["content"]) == {MEDIA_TYPE, "application/json"}
        assert operation["responses"]


def test_keys_are_bearer_and_discovery_needs_none():
    document = openapi_document()
    scheme = document["components"]["securitySchemes"]["provisioningKey"]

    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert document["security"] == [{"provisioningKey": []}]
    assert document["paths"]["/Schemas"]["get"]["security"] == []


def test_user_schemas_follow_the_validation():
    schemas = openapi_document()["components"]["schemas"]

    assert schemas["UserCreate"]["required"] == ["userName", "emails"]
    assert schemas["UserReplace"]["required"] == ["userName"]
    assert schemas["UserCreate"]["properties"]["userName"]["maxLength"] == 254
    assert schemas["User"]["additionalProperties"] is False
