"""SCIM User JSON <-> ``UserAttributes`` (RFC 7643 §4.1), with the seed's mapping.

Input is canonicalised by ``schemas.canonicalize`` and validated by DRF
serializers, so errors read like ``{'emails': ['This field is required.']}``.
The choice among several emails, phones and addresses (work, else primary,
else the first) lives here, once, instead of in every host adapter.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from rest_framework import serializers

from .attributes import Privilege, UserAttributes
from .conf import scim_settings
from .constants import USER_RESOURCE_TYPE, USER_SCHEMA
from .reading import StoredLink
from .schemas import canonicalize

WORK = "work"


def _optional_text(max_length: int = 255) -> serializers.CharField:
    return serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=max_length)


class _MultiValuedItemSerializer(serializers.Serializer):
    type = _optional_text(64)
    primary = serializers.BooleanField(required=False, allow_null=True)


class EmailSerializer(_MultiValuedItemSerializer):
    value = serializers.EmailField(max_length=254)


class PhoneNumberSerializer(_MultiValuedItemSerializer):
    value = _optional_text(64)


class AddressSerializer(_MultiValuedItemSerializer):
    formatted = _optional_text()
    streetAddress = _optional_text()  # noqa: N815 - SCIM attribute name
    locality = _optional_text()
    region = _optional_text()
    postalCode = _optional_text(32)  # noqa: N815
    country = _optional_text(64)


class NameSerializer(serializers.Serializer):
    formatted = _optional_text()
    givenName = _optional_text(150)  # noqa: N815
    familyName = _optional_text(150)  # noqa: N815


class ScimUserSerializer(serializers.Serializer):
    """Validates a canonicalised SCIM User for a replace (PUT, PATCH); ``to_attributes`` maps it per DESIGN.md §3.1.

    An update without an email (a host may have cleared it) must still go
    through, e.g. the IdP's deactivation; the host's own validation decides
    if it may be blank. ``ScimUserCreateSerializer`` requires one.
    """

    userName = serializers.CharField(max_length=254)  # noqa: N815
    externalId = _optional_text(254)  # noqa: N815
    name = NameSerializer(required=False, allow_null=True)
    emails = EmailSerializer(many=True, required=False, allow_null=True)
    phoneNumbers = PhoneNumberSerializer(many=True, required=False, allow_null=True)  # noqa: N815
    addresses = AddressSerializer(many=True, required=False, allow_null=True)
    preferredLanguage = _optional_text(35)  # noqa: N815
    locale = _optional_text(35)
    timezone = _optional_text(64)
    active = serializers.BooleanField(required=False, allow_null=True)
    privilege = serializers.ChoiceField(choices=Privilege.CHOICES, required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            data = canonicalize(data)
        return super().to_internal_value(data)

    def to_attributes(self) -> UserAttributes:
        data = self.validated_data
        name = data.get("name") or {}
        email = _pick(data.get("emails"))
        phone = _pick(data.get("phoneNumbers"), fallback=False)
        address = _pick(data.get("addresses"), fallback=False)
        return UserAttributes(
            user_name=data["userName"],
            email=email["value"] if email else None,
            given_name=name.get("givenName") or None,
            family_name=name.get("familyName") or None,
            language=data.get("preferredLanguage") or data.get("locale") or None,
            timezone=data.get("timezone") or None,
            phone=(phone or {}).get("value") or None,
            location=_format_address(address),
            privilege=data.get("privilege"),
            active=data.get("active"),
        )

    @property
    def link_fields(self) -> dict[str, Any]:
        """What the app keeps on its own link row: externalId, and the email's ``primary`` as sent."""
        email = _pick(self.validated_data.get("emails"))
        return {
            "external_id": self.validated_data.get("externalId") or "",
            "email_primary": email.get("primary") if email else None,
        }


class ScimUserCreateSerializer(ScimUserSerializer):
    """A User for a create (POST): the seed requires an email to create a user."""

    emails = EmailSerializer(many=True, allow_empty=False)


def user_serializer(creating: bool, **kwargs: Any) -> ScimUserSerializer:
    """The serializer of a create (``creating``) or of a replace."""
    return (ScimUserCreateSerializer if creating else ScimUserSerializer)(**kwargs)


def _pick(items: list[dict[str, Any]] | None, fallback: bool = True) -> dict[str, Any] | None:
    """The ``type: work`` item (the primary one if several).

    With ``fallback`` (emails), else the primary item, else the first. Without
    it (phones, addresses), only a lone untyped item: a mobile number is not a
    work phone.
    """
    # DRF lets ``allow_null`` of a ``many=True`` field through to its items: a null item is no value.
    items = [item for item in items or () if item is not None]
    if not items:
        return None
    work = [item for item in items if (item.get("type") or "").lower() == WORK]
    if work:
        return next((item for item in work if item.get("primary")), work[0])
    if fallback:
        return next((item for item in items if item.get("primary")), items[0])
    return items[0] if len(items) == 1 and not items[0].get("type") else None


def _format_address(address: dict[str, Any] | None) -> str | None:
    """An address's ``formatted`` value, else its parts joined (seed: work address -> location)."""
    if not address:
        return None
    if address.get("formatted"):
        return str(address["formatted"])
    parts = [address.get(k) for k in ("streetAddress", "locality", "region", "postalCode", "country")]
    return ", ".join(str(p) for p in parts if p) or None


def user_location(link: StoredLink, base_url: str) -> str:
    """``meta.location``: the resource's URI under the configured base URL."""
    return f"{base_url.rstrip('/')}/Users/{link.id}"


def user_representation(link: StoredLink, attributes: UserAttributes, base_url: str) -> dict[str, Any]:
    """The SCIM User resource for a link (or a row of its values) and the host's stored attributes."""
    supported = scim_settings.USER_ADAPTER.supported_attributes
    extension = scim_settings.EXTENSION_SCHEMA
    resource_id = str(link.id)
    resource: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": resource_id}
    if link.external_id:
        resource["externalId"] = link.external_id
    resource["userName"] = link.user_name
    full_name = " ".join(part for part in (attributes.given_name, attributes.family_name) if part)
    if full_name:
        name = {"formatted": full_name}
        if attributes.given_name:
            name["givenName"] = attributes.given_name
        if attributes.family_name:
            name["familyName"] = attributes.family_name
        resource["name"] = name
        resource["displayName"] = full_name
    if attributes.email:
        # The one email kept is the primary one, unless the IdP said otherwise.
        primary = link.email_primary is not False
        resource["emails"] = [{"value": attributes.email, "type": WORK, "primary": primary}]
    if attributes.phone:
        resource["phoneNumbers"] = [{"value": attributes.phone, "type": WORK}]
    if attributes.location:
        resource["addresses"] = [{"formatted": attributes.location, "type": WORK}]
    if attributes.language:
        resource["preferredLanguage"] = attributes.language
    if attributes.timezone:
        resource["timezone"] = attributes.timezone
    if "active" in supported:
        resource["active"] = bool(attributes.active)
    if "privilege" in supported and attributes.privilege:
        resource["schemas"].append(extension)
        resource[extension] = {"privilege": attributes.privilege}
    resource["meta"] = {
        "resourceType": USER_RESOURCE_TYPE,
        "created": _timestamp(link.created_at),
        "lastModified": _timestamp(link.updated_at),
        "location": user_location(link, base_url),
        "version": entity_tag(link, attributes),
    }
    return resource


def entity_tag(link: StoredLink, attributes: UserAttributes) -> str:
    """A weak ETag from what the resource is made of (RFC 7644 §3.14).

    Derived from the stored values the IdP reads (the host's attributes and
    the link's SCIM-only ones), not from a counter, so it also changes when
    the host edits the user outside SCIM. The resource is a function of these
    values, so hashing them is hashing its content, without serialising it
    once per user of every page.
    """
    stored = (str(link.id), link.user_name, link.external_id, link.email_primary, *vars(attributes).values())
    return f'W/"{hashlib.sha256(repr(stored).encode()).hexdigest()[:24]}"'


def _timestamp(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
