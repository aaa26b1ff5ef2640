"""An OpenAPI 3.1 description of the SCIM endpoints, generated from the schema registry and the serializers.

``openapi_document()`` describes what ``urls.py`` serves below the mount
point: the Users endpoints, ``.search`` and discovery, the SCIM media type
(RFC 7644 §3.1; request bodies may also be ``application/json``), the
bearer provisioning key, and the request and response bodies. It is built
from the code rather than written by hand, so it cannot drift from it:

- request bodies from ``ScimUserSerializer``'s fields (types, ``maxLength``,
  required and nullable fields, the ``privilege`` choices), described with
  the schema registry's text (``schemas.py``);
- user responses from the registry's attributes that the configured adapter
  stores, as ``/Schemas`` publishes them, closed with
  ``additionalProperties: false`` so that a checker catches an attribute
  returned without being stored;
- every error as the RFC 7644 §3.12 envelope, with the statuses each
  operation can answer.

tests/test_fuzz_api.py runs a schema-driven fuzzer (schemathesis) against
the app with it; a host can publish it, or fuzz its own deployment with it.
``/Groups``, ``/Bulk`` and ``/Me`` are not offered (they answer 501) and are
not described.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from . import __version__
from .conf import scim_settings
from .constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, MEDIA_TYPE, PATCH_OP_SCHEMA, USER_RESOURCE_TYPE, USER_SCHEMA
from .exceptions import ScimType
from .locations import scim_base_url
from .patch import OPERATIONS
from .query import SEARCH_REQUEST_SCHEMA, SORT_ORDERS
from .schemas import EXTENSION_ATTRIBUTES, USER_ATTRIBUTES, Attribute, find_attribute
from .serializers import user_serializer

OPENAPI_VERSION = "3.1.0"
#: Media types of request bodies (RFC 7644 §3.1); every answer is application/scim+json.
REQUEST_MEDIA_TYPES = (MEDIA_TYPE, "application/json")

SCIM_TYPES = tuple(sorted(value for name, value in vars(ScimType).items() if name.isupper()))
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: not JSON or not an object (invalidSyntax), a value refused (invalidValue), a bad "
    "filter (invalidFilter), a PATCH path (invalidPath, noTarget), a read-only attribute (mutability).",
    "401": "Missing, malformed, unknown or revoked provisioning key.",
    "403": "Not allowed, e.g. a filter on a discovery endpoint (RFC 7644 §4).",
    "404": "No such resource; another tenant's user is indistinguishable from a missing one.",
    "406": "The Accept header names no media type this service answers in.",
    "409": "A user with this userName (in any case) or these unique attributes exists (uniqueness).",
    "412": "If-Match names a version that is no longer current.",
    "413": "The request body is larger than MAX_BODY_SIZE.",
    "415": "The body is neither application/scim+json nor application/json.",
    "429": "Too many requests with this key; retry after Retry-After seconds.",
}
#: PATCH paths IdPs send (DESIGN.md §3.3), offered to clients and fuzzers as examples.
PATCH_PATHS = (
    "active",
    "userName",
    "externalId",
    "name.givenName",
    "name.familyName",
    'emails[type eq "work"].value',
    'phoneNumbers[type eq "work"].value',
    'addresses[type eq "work"].formatted',
    "preferredLanguage",
    "timezone",
    "privilege",
)
_READ = ("400", "401", "403", "406", "429")
_WRITE = ("400", "401", "403", "406", "413", "415", "429")


def openapi_document(base_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the SCIM endpoints served below ``base_url``.

    ``base_url`` defaults to ``BASE_URL``, else the path the URLconf mounts
    the app at. The user attributes follow the configured adapter, as ``/Schemas`` does.
    """
    server = (base_url or scim_base_url()).rstrip("/")
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "SCIM 2.0 service provider (django-scim-provisioning)",
            "version": __version__,
            "description": "Users provisioned by identity providers (RFC 7643, RFC 7644). Every error is a SCIM "
            "error document (RFC 7644 §3.12) in application/scim+json.",
        },
        "servers": [{"url": server}],
        "security": [{"provisioningKey": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "provisioningKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A provisioning key, sent as 'Authorization: Bearer <key>' (RFC 6750); "
                    "it decides the tenant.",
                }
            },
            "parameters": _parameters(),
            "headers": _headers(),
            "responses": {status: _error_response(status) for status in ERROR_DESCRIPTIONS},
            "schemas": _schemas(),
        },
    }


# Paths and operations.


def _paths() -> dict[str, Any]:
    projection = [_parameter_ref("attributes"), _parameter_ref("excludedAttributes")]
    listing = [_parameter_ref(name) for name in ("filter", "sortBy", "sortOrder", "startIndex", "count")]
    user_id = _parameter_ref("id")
    user_list = _body_response("A page of users.", "UserListResponse")

    def search(operation_id: str) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "summary": "Search users with a SearchRequest (RFC 7644 §3.4.3)",
            "requestBody": _request_body("SearchRequest"),
            "responses": {"200": user_list, **_errors(*_WRITE)},
        }

    created = _body_response("The user created.", "User", "Location", "ETag")
    created["links"] = {
        name: {"operationId": operation, "parameters": {"id": "$response.body#/id"}}
        for name, operation in (
            ("GetUser", "getUser"),
            ("ReplaceUser", "replaceUser"),
            ("PatchUser", "patchUser"),
            ("DeleteUser", "deleteUser"),
        )
    }
    return {
        "/Users": {
            "get": {
                "operationId": "listUsers",
                "summary": "List users: filter, sort and page (RFC 7644 §3.4.2)",
                "parameters": [*listing, *projection],
                "responses": {"200": user_list, **_errors(*_READ)},
            },
            "post": {
                "operationId": "createUser",
                "summary": "Create a user (RFC 7644 §3.3)",
                "parameters": projection,
                "requestBody": _request_body("UserCreate"),
                "responses": {"201": created, **_errors("409", *_WRITE)},
            },
        },
        "/Users/.search": {"post": search("searchUsers")},
        "/.search": {"post": search("search")},
        "/Users/{id}": {
            "get": {
                "operationId": "getUser",
                "summary": "Read a user (RFC 7644 §3.4.1); If-None-Match with its ETag answers 304",
                "parameters": [user_id, *projection, _parameter_ref("If-None-Match")],
                "responses": {
                    "200": _body_response("The user.", "User", "ETag"),
                    "304": {"description": "If-None-Match names the current version.", "headers": _headers_of("ETag")},
                    **_errors("404", *_READ),
                },
            },
            "put": {
                "operationId": "replaceUser",
                "summary": "Replace a user (RFC 7644 §3.5.1); active and privilege left out are kept",
                "parameters": [user_id, *projection, _parameter_ref("If-Match")],
                "requestBody": _request_body("UserReplace"),
                "responses": {
                    "200": _body_response("The user replaced.", "User", "ETag"),
                    **_errors("404", "409", "412", *_WRITE),
                },
            },
            "patch": {
                "operationId": "patchUser",
                "summary": "Modify a user: add, replace and remove operations, all or none (RFC 7644 §3.5.2)",
                "parameters": [user_id, *projection, _parameter_ref("If-Match")],
                "requestBody": _request_body("PatchOp"),
                "responses": {
                    "200": _body_response("The user modified.", "User", "ETag"),
                    **_errors("404", "409", "412", *_WRITE),
                },
            },
            "delete": {
                "operationId": "deleteUser",
                "summary": "Deprovision a user (RFC 7644 §3.6)",
                "parameters": [user_id, _parameter_ref("If-Match")],
                "responses": {"204": {"description": "Deprovisioned."}, **_errors("404", "412", *_READ)},
            },
        },
        "/ServiceProviderConfig": _discovery("getServiceProviderConfig", "ServiceProviderConfig", "RFC 7643 §5"),
        "/ResourceTypes": _discovery("listResourceTypes", "DiscoveryListResponse", "RFC 7644 §4"),
        "/ResourceTypes/{resourceType}": _discovery("getResourceType", "ResourceType", "RFC 7643 §6", "resourceType"),
        "/Schemas": _discovery("listSchemas", "DiscoveryListResponse", "RFC 7644 §4"),
        "/Schemas/{schemaId}": _discovery("getSchema", "Schema", "RFC 7643 §7", "schemaId"),
    }


def _discovery(operation_id: str, schema: str, reference: str, parameter: str | None = None) -> dict[str, Any]:
    """A discovery endpoint: readable without a key (RFC 7644 §4)."""
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": f"Discovery ({reference}); no key needed",
        "security": [],
        "responses": {"200": _body_response("The document.", schema), **_errors("403", "406")},
    }
    if parameter is not None:
        operation["parameters"] = [
            {"name": parameter, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        ]
        operation["responses"].update(_errors("404"))
    return {"get": operation}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/{status}"} for status in sorted(statuses)}


def _error_response(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status == "401":
        response["headers"] = _headers_of("WWW-Authenticate")
    elif status == "429":
        response["headers"] = _headers_of("Retry-After")
    return response


def _body_response(description: str, schema: str, *headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = _headers_of(*headers)
    return response


def _request_body(schema: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}} for media_type in REQUEST_MEDIA_TYPES
        },
    }


def _parameter_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _headers_of(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _parameters() -> dict[str, Any]:
    def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    def header(name: str, description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "header",
            "required": False,
            "description": description,
            "schema": {"type": "string"},
        }

    return {
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "The SCIM id the service provider issued (a UUID).",
            "schema": {"type": "string", "minLength": 1},
        },
        "filter": query(
            "filter", 'A filter expression (RFC 7644 §3.4.2.2), e.g. userName eq "bjensen".', {"type": "string"}
        ),
        "sortBy": query("sortBy", "A filterable attribute to sort by (RFC 7644 §3.4.2.3).", {"type": "string"}),
        "sortOrder": query(
            "sortOrder", "ascending (the default) or descending.", {"type": "string", "enum": list(SORT_ORDERS)}
        ),
        "startIndex": query("startIndex", "1-based index of the first result; below 1 means 1.", {"type": "integer"}),
        "count": query(
            "count",
            f"Page size; PAGE_SIZE when absent, at most MAX_PAGE_SIZE ({scim_settings.MAX_PAGE_SIZE}); 0 counts only.",
            {"type": "integer"},
        ),
        "attributes": query("attributes", "Comma-separated attributes to return (RFC 7644 §3.9).", {"type": "string"}),
        "excludedAttributes": query(
            "excludedAttributes", "Comma-separated attributes to leave out (RFC 7644 §3.9).", {"type": "string"}
        ),
        "If-Match": header("If-Match", "Apply only if the user's current ETag is one of these (RFC 7644 §3.14)."),
        "If-None-Match": header("If-None-Match", "Answer 304 if the user's current ETag is one of these."),
    }


def _headers() -> dict[str, Any]:
    def string(description: str) -> dict[str, Any]:
        return {"description": description, "schema": {"type": "string", "minLength": 1}}

    return {
        "ETag": string("The version of the resource, a weak entity tag (RFC 7644 §3.14)."),
        "Location": string("The URI of the resource created."),
        "WWW-Authenticate": string("The bearer challenge (RFC 6750 §3)."),
        "Retry-After": {
            "description": "Seconds to wait before the next request.",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
    }


# Schemas.


def _schemas() -> dict[str, Any]:
    user = _user_output()
    return {
        "UserCreate": _user_input(creating=True),
        "UserReplace": _user_input(creating=False),
        "PatchOp": _patch_op(),
        "SearchRequest": _search_request(),
        "User": user,
        "UserListResponse": _list_response({"$ref": "#/components/schemas/User"}),
        "Error": _error(),
        "ServiceProviderConfig": _discovery_document(["patch", "bulk", "filter", "changePassword", "sort", "etag"]),
        "ResourceType": _discovery_document(["id", "name", "endpoint", "schema"]),
        "Schema": _discovery_document(["id", "attributes"]),
        "DiscoveryListResponse": _list_response({"type": "object"}),
    }


def _schemas_member(*required_urns: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if required_urns:
        schema["contains"] = {"enum": list(required_urns)}
    return schema


def _error() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A SCIM error (RFC 7644 §3.12); status is the HTTP status as a string.",
        "required": ["schemas", "status", "detail"],
        "properties": {
            "schemas": {"type": "array", "items": {"const": ERROR_SCHEMA}, "minItems": 1, "maxItems": 1},
            "status": {"type": "string", "pattern": "^[45][0-9][0-9]$"},
            "scimType": {"type": "string", "enum": list(SCIM_TYPES)},
            "detail": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }


def _list_response(item: dict[str, Any]) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "description": "A ListResponse (RFC 7644 §3.4.2).",
        "required": ["schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"],
        "properties": {
            "schemas": {"type": "array", "items": {"const": LIST_RESPONSE_SCHEMA}, "minItems": 1, "maxItems": 1},
            "totalResults": count,
            "startIndex": {"type": "integer", "minimum": 1},
            "itemsPerPage": count,
            "Resources": {"type": "array", "items": item},
        },
        "additionalProperties": False,
    }


def _discovery_document(required: list[str]) -> dict[str, Any]:
    return {"type": "object", "required": ["schemas", *required], "properties": {"schemas": _schemas_member()}}


def _patch_op() -> dict[str, Any]:
    names = [name for op in OPERATIONS for name in (op, op.capitalize())]
    return {
        "type": "object",
        "description": "A PatchOp (RFC 7644 §3.5.2): operations are applied in order, all or none.",
        "required": ["schemas", "Operations"],
        "properties": {
            "schemas": _schemas_member(PATCH_OP_SCHEMA),
            "Operations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["op"],
                    "properties": {
                        "op": {"type": "string", "enum": names, "description": "Any case is accepted."},
                        "path": {
                            "description": "An attribute path (RFC 7644 §3.5.2), in any case; the common ones listed.",
                            "anyOf": [{"enum": list(PATCH_PATHS)}, {"type": "string"}],
                        },
                        "value": {"description": "Required by add and replace; without path, an object of attributes."},
                    },
                },
            },
        },
    }


def _search_request() -> dict[str, Any]:
    names = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "description": "A SearchRequest (RFC 7644 §3.4.3); member names in any case.",
        "required": ["schemas"],
        "properties": {
            "schemas": _schemas_member(SEARCH_REQUEST_SCHEMA),
            "attributes": names,
            "excludedAttributes": names,
            "filter": {"type": "string"},
            "sortBy": {"type": "string"},
            "sortOrder": {"type": "string", "enum": list(SORT_ORDERS)},
            "startIndex": {"type": "integer"},
            "count": {"type": "integer"},
        },
    }


def _user_input(creating: bool) -> dict[str, Any]:
    """A User as a POST (``creating``) or PUT body: what ``serializers.user_serializer`` validates.

    Unknown attributes are ignored, so the object stays open. Names are
    matched in any case; the canonical spelling is described.
    """
    serializer = user_serializer(creating)
    properties: dict[str, Any] = {"schemas": _schemas_member()}
    if not creating:
        properties["id"] = {"type": "string", "description": "Read-only: if sent, it must be the user's id."}
    required = []
    for name, field in serializer.fields.items():
        properties[name] = _field_schema(field, find_attribute(name))
        if field.required:
            required.append(name)
    extension = {name: properties[name] for name in ("privilege",) if name in properties}
    properties[scim_settings.EXTENSION_SCHEMA] = {"type": "object", "properties": extension}
    properties["password"] = {"type": "string", "description": "Accepted and ignored: never stored."}
    return {
        "type": "object",
        "description": "A SCIM User (RFC 7643 §4.1). Unknown attributes are ignored.",
        "required": required,
        "properties": properties,
    }


def _field_schema(field: serializers.Field, attribute: Attribute | None) -> dict[str, Any]:
    """The JSON Schema of what a serializer field accepts."""
    schema: dict[str, Any]
    if isinstance(field, serializers.ListSerializer):
        assert field.child is not None
        schema = {"type": "array", "items": _field_schema(field.child, attribute)}
        if not field.allow_empty:
            schema["minItems"] = 1
    elif isinstance(field, serializers.Serializer):
        schema = {
            "type": "object",
            "properties": {
                name: _field_schema(sub, attribute.sub_attribute(name) if attribute else None)
                for name, sub in field.fields.items()
            },
            "required": [name for name, sub in field.fields.items() if sub.required],
        }
    elif isinstance(field, serializers.ChoiceField):
        schema = {"enum": list(field.choices)}
    elif isinstance(field, serializers.BooleanField):
        schema = {"type": "boolean"}
    else:
        assert isinstance(field, serializers.CharField), field
        schema = {"type": "string"}
        if isinstance(field, serializers.EmailField):
            schema["format"] = "email"
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if not field.allow_blank:
            schema["minLength"] = 1
    if attribute is not None and attribute.description:
        schema["description"] = attribute.description
    if field.allow_null:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _user_output() -> dict[str, Any]:
    """A User as answered: the attributes this installation stores, plus id, schemas and meta."""
    supported = frozenset(scim_settings.USER_ADAPTER.supported_attributes)
    properties: dict[str, Any] = {"schemas": _schemas_member(USER_SCHEMA)}
    for attribute in USER_ATTRIBUTES:
        if attribute.is_published(supported):
            properties[attribute.name] = _attribute_schema(attribute, supported)
    extension = {a.name: _attribute_schema(a, supported) for a in EXTENSION_ATTRIBUTES if a.is_published(supported)}
    if extension:
        properties[scim_settings.EXTENSION_SCHEMA] = {
            "type": "object",
            "properties": extension,
            "additionalProperties": False,
        }
    timestamp = {"type": "string", "format": "date-time"}
    properties["meta"] = {
        "type": "object",
        "properties": {
            "resourceType": {"const": USER_RESOURCE_TYPE},
            "created": timestamp,
            "lastModified": timestamp,
            "location": {"type": "string", "format": "uri"},
            "version": {"type": "string"},
        },
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "description": "A SCIM User as stored (RFC 7643 §4.1); attributes/excludedAttributes may leave some out.",
        "required": ["schemas", "id"],
        "properties": properties,
        "additionalProperties": False,
    }


def _attribute_schema(attribute: Attribute, supported: frozenset[str]) -> dict[str, Any]:
    """The JSON Schema of a published attribute's value (RFC 7643 §2.3 data types)."""
    schema: dict[str, Any]
    if attribute.type == "complex":
        schema = {
            "type": "object",
            "properties": {
                sub.name: _attribute_schema(sub, supported)
                for sub in attribute.sub_attributes
                if sub.is_published(supported)
            },
            "additionalProperties": False,
        }
    elif attribute.type == "boolean":
        schema = {"type": "boolean"}
    else:
        schema = {"type": "string"}
        if attribute.name == "privilege":
            schema["enum"] = list(attribute.canonical_values)
    if attribute.description:
        schema["description"] = attribute.description
    if attribute.multi_valued:
        return {"type": "array", "items": schema}
    return schema
