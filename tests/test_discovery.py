"""Discovery endpoints (RFC 7644 §4; RFC 7643 §5 ServiceProviderConfig, §6 ResourceType, §7 Schema).

What is published must be what this installation stores: zero configuration
(stock ``auth.User``) publishes fewer attributes than the example host, and
only the host publishes the product's extension. The cross-checks at the end
hold discovery, the User representation and the filter to one source of truth.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from scim_provisioning.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA

from .conftest import is_host, override_scim_settings

pytestmark = pytest.mark.django_db

ROOT = "/scim/v2"
BASE_URL = "https://app.example.com/scim/v2"
EXTENSION = "urn:ietf:params:scim:schemas:extension:scim_provisioning:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

# Published core attributes, per configuration, with the sub-attributes each must publish at least
# ("name" and "emails" exactly these; phones and addresses may add more, such as "primary").
ZERO_CONFIG_CORE: dict[str, list[str]] = {
    "userName": [],
    "name": ["formatted", "familyName", "givenName"],
    "displayName": [],
    "active": [],
    "emails": ["value", "type", "primary"],
}
HOST_CORE: dict[str, list[str]] = {
    **ZERO_CONFIG_CORE,
    "preferredLanguage": [],
    "timezone": [],
    "phoneNumbers": ["value", "type"],
    "addresses": ["formatted", "type"],
}
EXACT_SUB_ATTRIBUTES = ("name", "emails")
CORE = HOST_CORE if is_host() else ZERO_CONFIG_CORE
EXTENSION_ATTRIBUTES = ["privilege"] if is_host() else []

# Every path the product understands on input, published or not in this configuration.
CANDIDATE_PATHS: dict[str, list[str]] = {
    "userName": [],
    "name": ["formatted", "familyName", "givenName", "middleName"],
    "displayName": [],
    "active": [],
    "emails": ["value", "type", "primary", "display"],
    "preferredLanguage": [],
    "locale": [],
    "timezone": [],
    "password": [],
    "phoneNumbers": ["value", "type", "primary", "display"],
    "addresses": ["formatted", "type", "primary", "streetAddress", "locality", "country"],
    f"{EXTENSION}:privilege": [],
}

DISCOVERY_PATHS = ["ServiceProviderConfig", "ResourceTypes", "ResourceTypes/User", "Schemas", f"Schemas/{USER_SCHEMA}"]


def assert_scim_error(response: Any, status: int) -> dict[str, Any]:
    """RFC 7644 §3.12: the error envelope with ``status`` as a string."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body["detail"]
    return body


def by_name(attributes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {attribute["name"]: attribute for attribute in attributes}


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def full_user(create_user: Any) -> dict[str, Any]:
    """A user with every attribute the product understands set (the zero-config adapter ignores some)."""
    return create_user(
        "full@example.com",
        externalId="ext-full",
        name={"givenName": "Fiona", "familyName": "Fuller", "middleName": "Faye"},
        emails=[{"value": "full@example.com", "type": "work", "primary": True, "display": "Fiona's mail"}],
        phoneNumbers=[{"value": "+1 555 0100", "type": "work", "primary": True, "display": "+1 (555) 0100"}],
        password="not-stored-1A!",
        locale="en-GB",
        addresses=[
            {
                "formatted": "1 Main St, Springfield",
                "streetAddress": "1 Main St",
                "locality": "Springfield",
                "country": "US",
                "type": "work",
                "primary": True,
            }
        ],
        preferredLanguage="en-GB",
        timezone="Europe/London",
        active=True,
        **{EXTENSION: {"privilege": "member"}},
    )


# ServiceProviderConfig (RFC 7643 §5)


def test_service_provider_config_advertises_exactly_what_is_implemented(anonymous):
    """RFC 7643 §5: patch, no bulk, filter, no changePassword, sort and etag, one bearer scheme."""
    response = anonymous.get(f"{ROOT}/ServiceProviderConfig")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [SERVICE_PROVIDER_CONFIG_SCHEMA]
    assert body["patch"] == {"supported": True}
    assert body["bulk"] == {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
    assert body["filter"] == {"supported": True, "maxResults": 1000}
    assert body["changePassword"] == {"supported": False}
    assert body["sort"] == {"supported": True}
    assert body["etag"] == {"supported": True}
    assert len(body["authenticationSchemes"]) == 1
    scheme = body["authenticationSchemes"][0]
    assert scheme["type"] == "oauthbearertoken"
    assert scheme["name"] and scheme["description"]
    assert body["meta"] == {"resourceType": "ServiceProviderConfig", "location": f"{BASE_URL}/ServiceProviderConfig"}


def test_filter_max_results_follows_max_page_size(anonymous, settings):
    """RFC 7643 §5: filter.maxResults is the most resources a list returns, i.e. MAX_PAGE_SIZE."""
    override_scim_settings(settings, MAX_PAGE_SIZE=37)

    body = anonymous.get(f"{ROOT}/ServiceProviderConfig").json()

    assert body["filter"] == {"supported": True, "maxResults": 37}


def test_meta_locations_follow_base_url(anonymous, settings):
    """RFC 7643 §5-§7: meta.location is the document's URI under the configured base URL."""
    override_scim_settings(settings, BASE_URL="https://idp-facing.example.net/api/scim/")

    config = anonymous.get(f"{ROOT}/ServiceProviderConfig").json()
    resource_type = anonymous.get(f"{ROOT}/ResourceTypes/User").json()
    schema = anonymous.get(f"{ROOT}/Schemas/{USER_SCHEMA}").json()

    assert config["meta"]["location"] == "https://idp-facing.example.net/api/scim/ServiceProviderConfig"
    assert resource_type["meta"]["location"] == "https://idp-facing.example.net/api/scim/ResourceTypes/User"
    assert schema["meta"]["location"] == f"https://idp-facing.example.net/api/scim/Schemas/{USER_SCHEMA}"


# ResourceTypes (RFC 7643 §6)


def test_resource_types_is_a_list_response_of_the_user_type(anonymous):
    """RFC 7644 §4: /ResourceTypes answers a ListResponse; this provider has one type, User."""
    body = anonymous.get(f"{ROOT}/ResourceTypes").json()

    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (1, 1, 1)
    assert [resource["id"] for resource in body["Resources"]] == ["User"]
    assert body["Resources"][0] == anonymous.get(f"{ROOT}/ResourceTypes/User").json()


def test_user_resource_type(anonymous):
    """RFC 7643 §6: endpoint relative to the base URL, the core schema, the extension only where stored."""
    response = anonymous.get(f"{ROOT}/ResourceTypes/User")

    assert response.status_code == 200
    body = response.json()
    assert body["schemas"] == [RESOURCE_TYPE_SCHEMA]
    assert (body["id"], body["name"], body["endpoint"], body["schema"]) == ("User", "User", "/Users", USER_SCHEMA)
    assert body["meta"] == {"resourceType": "ResourceType", "location": f"{BASE_URL}/ResourceTypes/User"}
    if is_host():
        assert [extension["schema"] for extension in body["schemaExtensions"]] == [EXTENSION]
        assert isinstance(body["schemaExtensions"][0]["required"], bool)
    else:
        assert "schemaExtensions" not in body


def test_unknown_resource_type_is_a_scim_404(anonymous):
    """RFC 7644 §3.12: Groups are not offered, so there is no Group resource type."""
    assert_scim_error(anonymous.get(f"{ROOT}/ResourceTypes/Group"), 404)


# Schemas (RFC 7643 §7)


def test_schemas_is_a_list_response_of_the_published_schemas(anonymous):
    """RFC 7644 §4: /Schemas is a ListResponse; the extension is listed only where it is stored."""
    body = anonymous.get(f"{ROOT}/Schemas").json()

    expected = [USER_SCHEMA, EXTENSION] if is_host() else [USER_SCHEMA]
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == len(expected) == body["itemsPerPage"]
    assert [schema["id"] for schema in body["Resources"]] == expected
    assert all(schema["schemas"] == [SCHEMA_SCHEMA] for schema in body["Resources"])


def test_core_user_schema_lists_exactly_the_stored_attributes(anonymous):
    """RFC 7643 §7: the schema lists what this configuration stores and returns, nothing more.

    ``id`` and ``externalId`` are common attributes (RFC 7643 §3.1), not part of
    the User schema; ``password`` is never stored, so it is not listed.
    """
    response = anonymous.get(f"{ROOT}/Schemas/{USER_SCHEMA}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"]) == (USER_SCHEMA, "User")
    assert body["meta"] == {"resourceType": "Schema", "location": f"{BASE_URL}/Schemas/{USER_SCHEMA}"}
    published = {
        attribute["name"]: {sub["name"] for sub in attribute.get("subAttributes", [])}
        for attribute in body["attributes"]
    }
    assert set(published) == set(CORE)
    for name, subs in CORE.items():
        if name in EXACT_SUB_ATTRIBUTES or not subs:
            assert published[name] == set(subs), name
        else:
            assert published[name] >= set(subs), name
    assert not {"id", "externalId", "password", "meta", "schemas", "locale"} & set(published)


def test_core_user_schema_characteristics(anonymous):
    """RFC 7643 §4.1 and §7: userName is required, caseExact false, unique to the server; emails multi-valued."""
    attributes = by_name(anonymous.get(f"{ROOT}/Schemas/{USER_SCHEMA}").json()["attributes"])

    user_name = attributes["userName"]
    assert {key: user_name[key] for key in user_name if key != "description"} == {
        "name": "userName",
        "type": "string",
        "multiValued": False,
        "required": True,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "server",
    }
    assert (attributes["emails"]["type"], attributes["emails"]["multiValued"]) == ("complex", True)
    assert attributes["name"]["multiValued"] is False
    assert attributes["active"]["type"] == "boolean"
    assert attributes["displayName"]["mutability"] == "readOnly"
    emails = by_name(attributes["emails"]["subAttributes"])
    assert emails["primary"]["type"] == "boolean"
    assert emails["type"]["canonicalValues"] == ["work"]
    assert by_name(attributes["name"]["subAttributes"])["formatted"]["mutability"] == "readOnly"
    for attribute in attributes.values():
        for sub in attribute.get("subAttributes", []):
            assert sub["multiValued"] is False
            assert "subAttributes" not in sub


def test_every_published_attribute_has_the_rfc_characteristics(anonymous):
    """RFC 7643 §7: each attribute definition carries all nine characteristics with valid values."""
    schemas = anonymous.get(f"{ROOT}/Schemas").json()["Resources"]
    definitions = [a for schema in schemas for a in schema["attributes"]]
    definitions += [sub for a in definitions for sub in a.get("subAttributes", [])]

    assert definitions
    for definition in definitions:
        assert definition["type"] in {"string", "boolean", "decimal", "integer", "dateTime", "reference", "complex"}
        assert isinstance(definition["multiValued"], bool)
        assert isinstance(definition["required"], bool)
        assert isinstance(definition["caseExact"], bool)
        assert isinstance(definition["description"], str)
        assert definition["mutability"] in {"readOnly", "readWrite", "immutable", "writeOnly"}
        assert definition["returned"] in {"always", "never", "default", "request"}
        assert definition["uniqueness"] in {"none", "server", "global"}
        assert ("subAttributes" in definition) == (definition["type"] == "complex")


def test_extension_schema_is_published_only_where_privilege_is_stored(anonymous):
    """RFC 7643 §3.3 and §7: the product extension holds privilege; zero configuration stores none (404)."""
    response = anonymous.get(f"{ROOT}/Schemas/{EXTENSION}")

    if not is_host():
        assert_scim_error(response, 404)
        return
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == EXTENSION
    assert body["meta"] == {"resourceType": "Schema", "location": f"{BASE_URL}/Schemas/{EXTENSION}"}
    assert [attribute["name"] for attribute in body["attributes"]] == ["privilege"]
    privilege = body["attributes"][0]
    assert privilege["type"] == "string"
    assert privilege["multiValued"] is False
    assert privilege["caseExact"] is True
    assert privilege["mutability"] == "readWrite"
    assert privilege["canonicalValues"] == ["member", "inactive"]


def test_schema_ids_are_matched_case_insensitively(anonymous):
    """RFC 7643 §2.1 and §8.7: URNs and schema names compare without regard to case."""
    body = anonymous.get(f"{ROOT}/Schemas/{USER_SCHEMA.upper()}").json()

    assert body["id"] == USER_SCHEMA


@pytest.mark.parametrize(
    "schema_id",
    [ENTERPRISE, "urn:ietf:params:scim:schemas:core:2.0:Group", "urn:example:unknown", "User"],
)
def test_unknown_schema_is_a_scim_404(anonymous, schema_id):
    """RFC 7644 §3.12: a schema not published here (the enterprise one is not stored) is a SCIM 404."""
    assert_scim_error(anonymous.get(f"{ROOT}/Schemas/{schema_id}"), 404)


@pytest.mark.parametrize("path", DISCOVERY_PATHS)
def test_filter_on_discovery_is_403(anonymous, path):
    """RFC 7644 §4: a filter on a discovery endpoint SHOULD be refused with 403 Forbidden."""
    assert_scim_error(anonymous.get(f"{ROOT}/{path}", {"filter": 'id eq "User"'}), 403)


@pytest.mark.parametrize("path", DISCOVERY_PATHS)
def test_discovery_is_readable_without_a_key(anonymous, path):
    """RFC 7644 §4: discovery documents carry no tenant data; this provider serves them unauthenticated."""
    assert anonymous.get(f"{ROOT}/{path}").status_code == 200


@pytest.mark.parametrize("path", DISCOVERY_PATHS)
def test_discovery_with_an_invalid_key_is_401(anonymous, path):
    """RFC 7644 §2 and RFC 6750 §3.1: credentials that are sent must be valid, even where none are needed."""
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer scim_not-a-real-key")

    response = anonymous.get(f"{ROOT}/{path}")

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_discovery_with_a_valid_key_is_the_same_document(scim, anonymous):
    """RFC 7644 §4: the documents do not depend on who asks."""
    for path in DISCOVERY_PATHS:
        assert scim.get(f"{ROOT}/{path}").json() == anonymous.get(f"{ROOT}/{path}").json()


# One source of truth: /Schemas, the representation and the filter agree.


def published_paths(client: APIClient) -> list[str]:
    """Every attribute path /Schemas publishes; the extension's URN-qualified."""
    paths = []
    for schema in client.get(f"{ROOT}/Schemas").json()["Resources"]:
        for attribute in schema["attributes"]:
            prefix = "" if schema["id"] == USER_SCHEMA else f"{schema['id']}:"
            paths.append(prefix + attribute["name"])
            paths += [f"{prefix}{attribute['name']}.{sub['name']}" for sub in attribute.get("subAttributes", [])]
    return paths


def value_at(resource: dict[str, Any], path: str) -> Any:
    """The value of a path in a resource (the first item of a multi-valued one); KeyError when absent."""
    container = resource
    if path.startswith(f"{EXTENSION}:"):
        container, path = resource[EXTENSION], path[len(EXTENSION) + 1 :]
    name, _, sub = path.partition(".")
    value = container[name]
    if not sub:
        return value
    item = value[0] if isinstance(value, list) else value
    return item[sub]


def has_value(resource: dict[str, Any], path: str) -> bool:
    try:
        value = value_at(resource, path)
    except (KeyError, IndexError, TypeError):
        return False
    return value not in (None, "", [], {})


def read_selected(client: APIClient, resource_id: str, top_level: str) -> dict[str, Any]:
    """The user with ``attributes=<top_level>``: asked for by name, so "returned": "request" ones come too."""
    response = client.get(f"{ROOT}/Users/{resource_id}", {"attributes": top_level})
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.parametrize("top_level", CANDIDATE_PATHS)
def test_published_if_and_only_if_returned(scim, full_user, anonymous, top_level):
    """RFC 7643 §7: a set attribute is returned exactly when /Schemas publishes it, sub-attributes included.

    Publishing what the representation never carries tells the IdP it is
    stored when it is not; returning what is not published breaks the schema.
    """
    published = set(published_paths(anonymous))
    resource = read_selected(scim, full_user["id"], top_level)

    mismatches = [
        path
        for path in [top_level, *(f"{top_level}.{sub}" for sub in CANDIDATE_PATHS[top_level])]
        if (path in published) != has_value(resource, path)
    ]
    assert mismatches == []


@pytest.mark.parametrize("top_level", [*CORE, *(f"{EXTENSION}:{name}" for name in EXTENSION_ATTRIBUTES)])
def test_every_published_path_is_filterable(scim, full_user, create_user, anonymous, top_level):
    """RFC 7644 §3.4.2.2: the filter accepts every published attribute path.

    ``pr`` applies to every attribute, complex ones included ("contains a
    non-empty node"); simple ones also compare ``eq`` with the user's value,
    which must match that user and not one whose value differs.
    """
    other = create_user("bare@example.com", name={"givenName": "Bo"})
    full = read_selected(scim, full_user["id"], top_level)
    bare = read_selected(scim, other["id"], top_level)
    paths = [path for path in published_paths(anonymous) if path == top_level or path.startswith(f"{top_level}.")]
    assert paths

    refused = []
    for path in paths:
        present = scim.get(f"{ROOT}/Users", {"filter": f"{path} pr"})
        if present.status_code != 200 or full_user["id"] not in {r["id"] for r in present.json()["Resources"]}:
            refused.append(f"{path} pr")
        value = value_at(full, path)
        if isinstance(value, (dict, list)):
            continue
        equal = scim.get(f"{ROOT}/Users", {"filter": f"{path} eq {json.dumps(value)}"})
        matched = {r["id"] for r in equal.json().get("Resources", [])}
        other_matches = has_value(bare, path) and value_at(bare, path) == value
        if equal.status_code != 200 or full_user["id"] not in matched or (other["id"] in matched) != other_matches:
            refused.append(f"{path} eq {json.dumps(value)}")
    assert refused == []


def test_every_returned_attribute_is_published(scim, full_user, anonymous):
    """RFC 7643 §7: the representation carries no attribute the schema does not define."""
    resource = scim.get(f"{ROOT}/Users/{full_user['id']}").json()
    published = set(published_paths(anonymous))

    for name, value in resource.items():
        if name in {"schemas", "id", "externalId", "meta"}:
            continue
        if name == EXTENSION:
            assert {f"{EXTENSION}:{key}" for key in value} <= published
            continue
        assert name in published
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                assert {f"{name}.{sub}" for sub in item} <= published
