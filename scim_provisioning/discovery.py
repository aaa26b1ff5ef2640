"""Discovery documents: ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 §4, RFC 7643 §5-7).

Built from the schema registry and the configured adapter, so they advertise
exactly what this installation implements and stores: one source of truth
with validation, ``returned`` and the filter's attribute map.
"""

from __future__ import annotations

from typing import Any

from .conf import scim_settings
from .constants import USER_RESOURCE_TYPE, USER_SCHEMA
from .schemas import EXTENSION_ATTRIBUTES, USER_ATTRIBUTES, Attribute

SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
DOCUMENTATION_URI = "https://pypi.org/project/django-scim-provisioning/"


def _supported() -> frozenset[str]:
    return frozenset(scim_settings.USER_ADAPTER.supported_attributes)


def service_provider_config(base_url: str) -> dict[str, Any]:
    """RFC 7643 §5: what this service provider implements, and nothing more."""
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": DOCUMENTATION_URI,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": scim_settings.MAX_PAGE_SIZE},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Provisioning key",
                "description": "A provisioning key sent as 'Authorization: Bearer <key>'.",
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base_url}/ServiceProviderConfig",
        },
    }


def extension_in_use() -> bool:
    """The product extension is published when the adapter stores ``privilege``."""
    return any(attribute.is_published(_supported()) for attribute in EXTENSION_ATTRIBUTES)


def user_resource_type(base_url: str) -> dict[str, Any]:
    """RFC 7643 §6: the User resource type, its endpoint relative to the base URL."""
    document: dict[str, Any] = {
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": USER_RESOURCE_TYPE,
        "name": USER_RESOURCE_TYPE,
        "endpoint": "/Users",
        "description": "User Account",
        "schema": USER_SCHEMA,
    }
    if extension_in_use():
        # Every user of such a host has a privilege, so the extension is always there.
        document["schemaExtensions"] = [{"schema": scim_settings.EXTENSION_SCHEMA, "required": True}]
    document["meta"] = {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/{USER_RESOURCE_TYPE}"}
    return document


def resource_types(base_url: str) -> list[dict[str, Any]]:
    return [user_resource_type(base_url)]


def _schema(urn: str, name: str, description: str, attributes: tuple[Attribute, ...], base_url: str) -> dict[str, Any]:
    supported = _supported()
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": urn,
        "name": name,
        "description": description,
        "attributes": [
            attribute.to_dict(supported)
            for attribute in attributes
            if attribute.is_published(supported) and not attribute.common
        ],
        "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{urn}"},
    }


def schemas(base_url: str) -> list[dict[str, Any]]:
    """RFC 7643 §7: the core User schema and, when used, the product's extension."""
    documents = [_schema(USER_SCHEMA, "User", "User Account", USER_ATTRIBUTES, base_url)]
    if extension_in_use():
        documents.append(
            _schema(
                scim_settings.EXTENSION_SCHEMA,
                "ProductUser",
                "What this product stores about a user beyond the core schema.",
                EXTENSION_ATTRIBUTES,
                base_url,
            )
        )
    return documents


def find_schema(urn: str, base_url: str) -> dict[str, Any] | None:
    """The schema with id ``urn`` (compared case-insensitively, like every SCIM name)."""
    return next((schema for schema in schemas(base_url) if schema["id"].lower() == urn.lower()), None)
